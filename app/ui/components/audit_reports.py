"""The Audit tab's reports: small plotly charts and tables above the trail.

Admins: events by day (failed sign-ins drawn over them) and by type, the most active people,
failed sign-ins by address; a person's activity or a workflow's summary when the trail is
filtered to one. Everyone else: their own activity.
"""

from __future__ import annotations

import reflex as rx

from app.ui.components.tables import phone_cards
from app.ui.states.audit_reports import PERIODS
from app.ui.states.audit_reports import AuditReportsState as R

_MUTED = rx.color("gray", 11)
_CHART_CONFIG = {"displayModeBar": False, "responsive": True}


def _card(title: rx.Var | str | rx.Component, *children: rx.Component, testid: str) -> rx.Component:
    heading = (  # a title that is a layout (words and a badge) is a div, not inside a <p>
        rx.box(title, font_size="var(--font-size-2)", font_weight="bold")
        if isinstance(title, rx.Component)
        else rx.text(title, size="2", weight="bold")
    )
    return rx.card(
        rx.vstack(
            heading,
            *children,
            spacing="2",
            width="100%",
        ),
        width="100%",
        min_width="0",
        data_testid=testid,
    )


def _chart(figure: rx.Var, testid: str) -> rx.Component:
    return rx.box(
        rx.plotly.basic(data=figure, config=_CHART_CONFIG, width="100%"),
        width="100%",
        data_testid=testid,
    )


def _table(headers: list[str], rows: rx.Var, render, testid: str) -> rx.Component:  # noqa: ANN001
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(rows, render)),
            variant="ghost",
            size="1",
            width="100%",
            style=phone_cards(headers),
        ),
        overflow_x="auto",
        width="100%",
        data_testid=testid,
    )


def _none(text: str) -> rx.Component:
    return rx.text(text, size="1", color=_MUTED, padding="0.5rem 0")


def _cell(value: rx.Var, **props: object) -> rx.Component:
    return rx.table.cell(rx.text(value, size="1", **props))


def _event_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        _cell(row["at"], white_space="nowrap"),
        _cell(row["who"]),
        rx.table.cell(rx.badge(row["action"], variant="soft", size="1")),
        _cell(row["detail"]),
        data_testid="report-event-row",
    )


def period_switch() -> rx.Component:
    return rx.segmented_control.root(
        *[rx.segmented_control.item(label, value=value) for value, label in PERIODS.items()],
        value=R.days,
        on_change=R.set_days,
        size="1",
        data_testid="audit-period",
    )


def _most_active() -> rx.Component:
    def row(item: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.cell(
                rx.link(
                    item["label"],
                    on_click=R.show_person(item["key"]),
                    size="1",
                    cursor="pointer",
                    title="Show this person's activity and events",
                )
            ),
            _cell(item["count"], align="right"),
            data_testid="most-active-row",
        )

    return _card(
        "Most active people",
        rx.cond(
            R.most_active.length() > 0,
            _table(["Person", "Events"], R.most_active, row, "most-active"),
            _none("Nobody acted in this period."),
        ),
        testid="report-most-active",
    )


def _failed_logins() -> rx.Component:
    def ip_row(item: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.cell(rx.code(item["ip"], size="1", variant="ghost")),
            _cell(item["count"]),
            _cell(item["last_at"], white_space="nowrap"),
            data_testid="failed-ip-row",
        )

    def attempt(row: rx.Var) -> rx.Component:
        return rx.table.row(
            _cell(row["at"], white_space="nowrap"),
            _cell(row["who"]),
            rx.table.cell(rx.code(row["action"], size="1", variant="ghost")),
            _cell(row["detail"]),
            data_testid="failed-login-row",
        )

    return _card(
        rx.hstack(
            rx.text("Failed sign-ins"),
            rx.badge(
                R.failed_count,
                color_scheme=rx.cond(R.failed_count > 0, "red", "gray"),
                data_testid="failed-login-count",
            ),
            align="center",
        ),
        rx.cond(
            R.failed_count > 0,
            rx.vstack(
                _table(["Address", "Attempts", "Last"], R.failed_ips, ip_row, "failed-ips"),
                rx.text("Newest attempts", size="1", color=_MUTED),
                _table(["Time (UTC)", "Email tried", "Address", "Why"], R.failed_recent,
                       attempt, "failed-recent"),
                width="100%",
                spacing="2",
            ),
            _none("No failed sign-ins in this period."),
        ),
        testid="report-failed-logins",
    )  # fmt: skip


def _person() -> rx.Component:
    def action_row(item: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.cell(rx.badge(item["label"], variant="soft", size="1")),
            _cell(item["count"]),
        )

    title = rx.cond(R.admin_view, "Activity of " + R.person_label, "Your activity")
    return _card(
        rx.hstack(rx.text(title), rx.badge(R.person_total_label, color_scheme="gray")),
        rx.grid(
            _chart(R.person_figure, "person-by-day"),
            rx.cond(
                R.person_actions.length() > 0,
                _table(["Action", "Times"], R.person_actions, action_row, "person-actions"),
                _none("No actions in this period."),
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            gap="1rem",
            width="100%",
        ),
        rx.cond(
            R.person_recent.length() > 0,
            _table(["Time (UTC)", "As", "Action", "What"], R.person_recent, _event_row,
                   "person-recent"),
        ),
        testid="report-person",
    )  # fmt: skip


def _workflow() -> rx.Component:
    def actor_row(item: rx.Var) -> rx.Component:
        return rx.table.row(
            _cell(item["label"]),
            _cell(item["changes"]),
            _cell(item["runs"]),
            data_testid="workflow-actor-row",
        )

    def stat(label: str, value: rx.Var, testid: str) -> rx.Component:
        return rx.vstack(
            rx.text(label, size="1", color=_MUTED),
            rx.text(value, size="5", weight="bold", data_testid=testid),
            spacing="0",
        )

    return _card(
        "Workflow " + R.workflow_name,
        rx.hstack(
            stat("Changes", R.workflow_changes, "workflow-changes"),
            stat("Runs", R.workflow_runs, "workflow-runs"),
            stat("Not by a person", R.workflow_other_runs, "workflow-other-runs"),
            spacing="6",
        ),
        rx.cond(
            R.workflow_actors.length() > 0,
            _table(["Who", "Changes", "Runs by hand"], R.workflow_actors, actor_row,
                   "workflow-actors"),
            _none("Nobody changed or ran it by hand in this period."),
        ),
        rx.cond(
            R.workflow_last.length() > 0,
            rx.vstack(
                rx.text("Last changes", size="1", color=_MUTED),
                _table(["Time (UTC)", "Who", "Action", "What"], R.workflow_last, _event_row,
                       "workflow-last-changes"),
                width="100%",
                spacing="1",
            ),
        ),
        testid="report-workflow",
    )  # fmt: skip


def _system() -> rx.Component:
    return rx.vstack(
        rx.grid(
            _card("Events by day", _chart(R.day_figure, "chart-by-day"), testid="report-by-day"),
            _card("Events by type", _chart(R.type_figure, "chart-by-type"),
                  testid="report-by-type"),
            columns=rx.breakpoints(initial="1", lg="2"),
            gap="1rem",
            width="100%",
        ),
        rx.grid(
            _most_active(),
            _failed_logins(),
            columns=rx.breakpoints(initial="1", lg="2"),
            gap="1rem",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )  # fmt: skip


def audit_reports_panel() -> rx.Component:
    return rx.vstack(
        rx.flex(
            rx.heading("Reports", size="4"),
            rx.cond(
                R.admin_view,
                rx.text(R.total_events_label, " · ", R.period_label, size="2", color=_MUTED,
                        data_testid="report-total"),
            ),
            rx.spacer(),
            period_switch(),
            gap="0.75rem",
            align="center",
            wrap="wrap",
            width="100%",
        ),
        rx.cond(
            R.problem != "",
            rx.callout(R.problem, icon="triangle-alert", color_scheme="red", width="100%",
                       data_testid="report-problem"),
        ),
        rx.cond(
            R.loaded,
            rx.vstack(
                rx.cond(R.workflow_name != "", _workflow()),
                rx.cond(R.person_label != "", _person()),
                rx.cond(R.admin_view, _system()),
                spacing="3",
                width="100%",
            ),
            rx.skeleton(rx.box(height="240px", width="100%")),
        ),
        spacing="3",
        width="100%",
        data_testid="audit-reports",
    )  # fmt: skip
