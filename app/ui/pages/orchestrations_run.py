"""/admin/orchestrations/runs/[run_id]: one run — header, the call timeline (bars on a shared
axis, so calls that ran together overlap), each call's request, response, attempts and
extracted values (masked and capped as stored), live while the run goes on."""

from __future__ import annotations

import reflex as rx

from app.ui.components.breadcrumbs import breadcrumbs
from app.ui.components.execution_timeline import execution_timeline
from app.ui.components.json_view import json_view
from app.ui.components.layout import admin_page
from app.ui.components.orchestration_status import run_badge
from app.ui.components.status_badge import status_badge
from app.ui.components.tables import phone_cards
from app.ui.pages.registry import page
from app.ui.states.orchestrations_run import OrchestrationRunState as S
from app.ui.states.orchestrations_views import AttemptView, CallView
from app.ui.states.session import SessionState

ONE_LINE = {"overflow": "hidden", "text_overflow": "ellipsis", "white_space": "nowrap"}
R = S.run


def _fact(title: str, value: rx.Var, testid: str = "") -> rx.Component:
    return rx.vstack(
        rx.text(title, size="1", color=rx.color("gray", 11)),
        rx.text(value, size="2", weight="medium", data_testid=testid or None),
        spacing="0",
    )


def _header() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Run #", R["id"], size="5"),
                rx.box(run_badge(R["status"]), data_testid="run-status"),
                rx.cond(S.running, rx.spinner(size="2")),
                rx.link(
                    R["orchestration"],
                    href="/admin/orchestrations/" + R["orchestration_id"].to(str),
                    size="2",
                ),
                rx.badge("v", R["version"], variant="soft", color_scheme="gray"),
                rx.spacer(),
                rx.cond(
                    S.running,
                    rx.button(
                        rx.icon("square", size=14),
                        "Cancel",
                        color_scheme="red",
                        variant="soft",
                        on_click=S.cancel,
                        loading=S.cancelling,
                        data_testid="cancel-run",
                    ),
                ),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.grid(
                _fact("Started", R["started"]),
                _fact("Finished", R["finished"]),
                _fact("Duration", R["duration"], "run-duration"),
                _fact("Calls", R["calls"], "run-calls"),
                _fact("Trigger", R["trigger"]),
                columns=rx.breakpoints(initial="2", md="5"),
                spacing="4",
                width="100%",
            ),
            rx.cond(
                R["error"] != "",
                rx.callout(R["error"], icon="circle-x", color_scheme="red", size="1", width="100%"),
            ),
            rx.cond(
                R["execution_id"] != 0,
                rx.link(
                    "Run by workflow execution #",
                    R["execution_id"],
                    href="/admin/executions/" + R["execution_id"].to(str),
                    size="2",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _quiet(text: str) -> rx.Component:
    return rx.center(
        rx.text(text, size="2", color=rx.color("gray", 11), text_align="center"),
        padding="2rem 1rem",
        width="100%",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="var(--radius-3)",
    )


def _timeline() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Timeline", size="3"),
                rx.spacer(),
                rx.text("time since the run started", size="1", color=rx.color("gray", 11)),
                align="center",
                width="100%",
            ),
            rx.cond(
                S.bars.length() > 0,
                execution_timeline(S.bars, S.ticks, S.show_call),
                _quiet("No call has started yet."),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        min_width="0",
    )


def _attempt(a: AttemptView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(a["number"]),
        rx.table.cell(a["at"], white_space="nowrap"),
        rx.table.cell(a["duration"], white_space="nowrap"),
        rx.table.cell(a["status_code"]),
        rx.table.cell(
            rx.cond(
                a["error"] != "",
                rx.text(
                    a["error"],
                    color=rx.color("red", 11),
                    style=ONE_LINE,
                    max_width="420px",
                    title=a["error"],
                ),
                rx.text("ok", color=rx.color("green", 11)),
            )
        ),
        rx.table.cell(a["kind"]),
    )


def _call_content(c: CallView) -> rx.Component:
    return rx.vstack(
        rx.cond(
            c["error"] != "",
            rx.callout(c["error"], icon="circle-x", color_scheme="red", size="1", width="100%"),
        ),
        rx.cond(
            c["reason"] != "",
            rx.callout(
                "Skipped: " + c["reason"],
                icon="skip-forward",
                color_scheme="gray",
                size="1",
                width="100%",
            ),
        ),
        rx.hstack(
            rx.code(c["method"], variant="soft"),
            rx.code(c["url"], variant="ghost", style={"word_break": "break-all"}),
            align="center",
            width="100%",
            wrap="wrap",
        ),
        rx.grid(
            rx.box(
                json_view("Request", c["request"], empty="Not sent"), data_testid="call-request"
            ),
            rx.box(
                json_view("Response", c["response"], empty="No response"),
                data_testid="call-response",
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        rx.box(
            json_view("Extracted values", c["extracted"], empty="None"),
            width="100%",
            data_testid="call-extracted",
        ),
        rx.cond(
            c["attempts"].length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(h)
                                for h in ("Attempt", "At", "Duration", "Status", "Result", "Kind")
                            ]
                        )
                    ),
                    rx.table.body(rx.foreach(c["attempts"], _attempt)),
                    size="1",
                    variant="surface",
                    width="100%",
                    min_width="560px",
                    style=phone_cards(("Attempt", "At", "Duration", "Status", "Result", "Kind")),
                ),
                width="100%",
                overflow_x="auto",
                contain="inline-size",
            ),
        ),
        spacing="3",
        width="100%",
        padding_y="0.5rem",
    )


def _call_item(c: CallView) -> rx.Component:
    muted = rx.color("gray", 11)
    return rx.accordion.item(
        header=rx.hstack(
            status_badge(c["status"]),
            rx.text(c["label"], weight="medium", size="2", style=ONE_LINE, min_width="0"),
            rx.code(c["method"], size="1", variant="soft", color_scheme="gray"),
            rx.cond(c["status_code"] != "", rx.badge(c["status_code"], variant="outline")),
            rx.spacer(),
            rx.text(c["size"], size="1", color=muted, white_space="nowrap"),
            rx.text(c["started"], size="1", color=muted, white_space="nowrap"),
            rx.text(c["duration"], size="1", color=muted, white_space="nowrap"),
            align="center",
            spacing="3",
            width="100%",
            min_width="0",
            text_align="left",
        ),
        content=_call_content(c),
        value=c["key"],
        id="call-" + c["key"].to(str),
        data_testid="call-item",
        scroll_margin_top="1rem",
    )


def _body() -> rx.Component:
    return rx.vstack(
        _header(),
        _timeline(),
        rx.heading("Calls", size="4"),
        rx.cond(
            S.calls.length() > 0,
            rx.accordion.root(
                rx.foreach(S.calls, _call_item),
                type="multiple",
                collapsible=True,
                value=S.open_calls,
                on_value_change=S.set_open_calls,
                variant="outline",
                color_scheme="gray",
                width="100%",
            ),
            _quiet("The calls appear here as they start."),
        ),
        rx.heading("Inputs", size="4"),
        rx.card(json_view("Inputs", R["inputs"], empty="No inputs"), width="100%"),
        spacing="4",
        width="100%",
    )


@page(
    route="/admin/orchestrations/runs/[run_id]",
    title="Orchestration run · Flowdeck",
    on_load=[SessionState.guard_admin_area, S.load],
)
def orchestration_run_page() -> rx.Component:
    return admin_page(
        "Orchestrations",
        rx.vstack(
            breadcrumbs(
                ("Orchestrations", "/admin/orchestrations"),
                (
                    S.run["orchestration"],
                    "/admin/orchestrations/" + S.run["orchestration_id"].to_string(),
                ),
                ("Run #" + S.run["id"].to_string(), None),
            ),
            rx.cond(
                S.problem != "",
                rx.callout(S.problem, icon="triangle-alert", color_scheme="amber", width="100%"),
                rx.cond(
                    S.loaded,
                    _body(),
                    rx.skeleton(rx.box(height="320px"), width="100%"),
                ),
            ),
            spacing="4",
            width="100%",
        ),
    )
