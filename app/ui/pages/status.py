"""/status: the live status widget for every signed-in user."""

from __future__ import annotations

import reflex as rx

from app.ui.components.stat_card import stat_card
from app.ui.components.status_badge import status_badge
from app.ui.live import LiveStatus, RecentRow
from app.ui.pages.registry import page
from app.ui.states.session import SessionState


def _system_line() -> rx.Component:
    """The health line. A callout's text is already a paragraph: the words inside are spans
    (a paragraph in a paragraph is invalid HTML, which the browser re-nests, and React then
    reports a hydration mismatch, error #418, on every direct load)."""
    troubled = LiveStatus.degraded | (LiveStatus.failing != "")
    return rx.callout.root(
        rx.callout.icon(rx.cond(troubled, rx.icon("triangle-alert"), rx.icon("circle-check"))),
        rx.callout.text(
            rx.cond(
                LiveStatus.degraded,
                rx.el.span(
                    "Degraded — database: ",
                    LiveStatus.database,
                    ", scheduler: ",
                    LiveStatus.scheduler,
                ),
                rx.cond(
                    LiveStatus.failing != "",
                    rx.el.span("Runs are failing — ", LiveStatus.failing, "."),
                    rx.el.span(
                        "All systems operational — database ok, scheduler running, ",
                        LiveStatus.queue_depth,
                        " queued, ",
                        LiveStatus.running,
                        " running",
                    ),
                ),
            ),
        ),
        color_scheme=rx.cond(troubled, "amber", "green"),
        width="100%",
        data_testid="system-status",
    )


def _recent(row: RecentRow) -> rx.Component:
    return rx.hstack(
        status_badge(row["status"]),
        rx.cond(
            SessionState.user_role == "viewer",  # viewers have no execution pages to open
            rx.text(row["workflow"], weight="medium", size="2"),
            rx.link(
                rx.text(row["workflow"], weight="medium", size="2"),
                href="/admin/executions/" + row["id"].to_string(),
                data_testid="status-run-link",
            ),
        ),
        rx.spacer(),
        rx.text(row["started"], size="1", color=rx.color("gray", 11)),
        width="100%",
        align="center",
        padding_y="0.4rem",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def status_widget() -> rx.Component:
    return rx.vstack(
        rx.cond(
            LiveStatus.database.contains("unreachable"),
            rx.callout(
                "Flowdeck cannot reach its database right now; the numbers below may be stale.",
                icon="circle-x",
                color_scheme="red",
                width="100%",
            ),
            _system_line(),
        ),
        rx.grid(
            stat_card(
                "Active workflows",
                LiveStatus.active_workflows,
                "workflow",
                LiveStatus.loaded,
                "stat-active",
            ),
            stat_card(
                "Runs (24 h)", LiveStatus.runs_24h, "activity", LiveStatus.loaded, "stat-runs"
            ),
            stat_card(
                "Success rate (24 h)",
                LiveStatus.success_rate,
                "circle-check",
                LiveStatus.loaded,
                "stat-success",
            ),
            stat_card(
                "Last activity",
                LiveStatus.last_activity,
                "clock",
                LiveStatus.loaded,
                "stat-last",
                LiveStatus.last_activity_day,
            ),
            columns=rx.breakpoints(initial="1", sm="2", lg="4"),
            spacing="4",
            width="100%",
        ),
        rx.card(
            rx.vstack(
                rx.heading("Recent activity", size="4"),
                rx.cond(
                    LiveStatus.recent.length() > 0,
                    rx.vstack(rx.foreach(LiveStatus.recent, _recent), width="100%", spacing="0"),
                    rx.text(
                        "Nothing has run yet. Runs appear here as they happen.",
                        color=rx.color("gray", 11),
                        size="2",
                    ),
                ),
                width="100%",
            ),
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


@page(
    route="/status",
    title="Status · Flowdeck",
    on_load=[SessionState.guard_signed_in, LiveStatus.link],
)
def status_page() -> rx.Component:
    return rx.box(
        rx.cond(
            rx.State.router.page.params.get("embed", "") == "1",  # type: ignore[attr-defined]
            rx.fragment(),
            rx.hstack(
                rx.hstack(
                    rx.icon("layers", color=rx.color("accent", 9)),
                    rx.heading("Flowdeck status", size=rx.breakpoints(initial="5", sm="6")),
                    align="center",
                ),
                rx.spacer(),
                rx.text(
                    SessionState.user_email,
                    size="2",
                    color=rx.color("gray", 11),
                    display=["none", "block"],  # a phone has no room for it beside Log out
                ),
                rx.button(
                    "Log out",
                    on_click=SessionState.logout,
                    variant="soft",
                    color_scheme="gray",
                    size="2",
                    data_testid="status-logout",
                ),
                width="100%",
                align="center",
                padding_bottom="1.5rem",
            ),
        ),
        status_widget(),
        padding=["1rem", "1.5rem"],
        max_width="1100px",
        margin="0 auto",
    )
