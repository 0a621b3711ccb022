"""Admin → Executions → one execution: what ran, when, with which data, and what failed."""

from __future__ import annotations

import reflex as rx

from app.ui.components.json_view import json_view
from app.ui.components.layout import admin_page
from app.ui.components.status_badge import status_badge
from app.ui.components.timeline import timeline_chart
from app.ui.pages.executions import ONE_LINE, testid_badge
from app.ui.states.execution_detail import AttemptView, ExecutionDetailState, StepView
from app.ui.states.session import SessionState

State = ExecutionDetailState
E = ExecutionDetailState.execution


def _fact(label: str, *value: rx.Component | rx.Var | str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", weight="bold", color=rx.color("gray", 11)),
        rx.text(*value, size="2"),
        spacing="1",
        min_width="0",
    )


def _confirm(
    kind: str, title: str, body: str, action: str, handler: rx.EventHandler, color: str
) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(body, size="2"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Back", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        action, color_scheme=color, on_click=handler, data_testid=f"confirm-{kind}"
                    )
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            max_width="440px",
        ),
        open=State.confirm == kind,
        on_open_change=State.close_confirm,
    )


def _actions() -> rx.Component:
    return rx.hstack(
        rx.cond(
            State.can_cancel,
            rx.button(
                rx.icon("circle-stop", size=14),
                "Cancel",
                color_scheme="red",
                variant="soft",
                on_click=State.ask("cancel"),
                data_testid="cancel-execution",
            ),
        ),
        rx.cond(
            State.can_retry,
            rx.button(
                rx.icon("rotate-ccw", size=14),
                "Retry from failed step",
                on_click=State.ask("retry"),
                data_testid="retry-execution",
            ),
        ),
        _confirm(
            "cancel",
            "Cancel this execution?",
            "The running step is stopped and the remaining steps do not run.",
            "Cancel execution",
            State.cancel,
            "red",
        ),
        _confirm(
            "retry",
            "Retry from the failed step?",
            "A new execution starts; steps that succeeded reuse their outputs.",
            "Start retry",
            State.retry,
            "indigo",
        ),
        spacing="2",
    )


def _workflow_link() -> rx.Component:
    href = f"/admin/workflows/{E['workflow_id']}"
    return rx.link(E["workflow"], href=href, weight="medium")


def header_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.hstack(
                    rx.heading("Execution #", E["id"], size="5"),
                    testid_badge(E["status"], "execution-status"),
                    align="center",
                    spacing="3",
                ),
                rx.spacer(),
                _actions(),
                gap="0.75rem",
                wrap="wrap",
                align="center",
                width="100%",
            ),
            rx.grid(
                _fact(
                    "Workflow",
                    _workflow_link(),
                    " · ",
                    rx.link(
                        "v",
                        E["version"],
                        href=f"/admin/versions?workflow={E['workflow_id']}",
                        data_testid="execution-version",
                    ),
                ),
                _fact("Trigger", E["trigger"]),
                _fact("Steps", rx.text.span(E["steps"], data_testid="detail-steps")),
                _fact("Duration", E["duration"]),
                _fact("Queued", E["queued"]),
                _fact("Started", E["started"]),
                _fact("Finished", E["finished"]),
                _fact(
                    "Retry of",
                    rx.cond(
                        E["retry_of"] != 0,
                        rx.link("#", E["retry_of"], href=f"/admin/executions/{E['retry_of']}"),
                        "—",
                    ),
                ),
                columns=rx.breakpoints(initial="2", sm="4"),
                spacing="4",
                width="100%",
            ),
            rx.cond(
                E["status"] == "cancelled",
                rx.callout(E["error"], icon="circle-slash", color_scheme="gray", width="100%"),
                rx.cond(
                    E["error"] != "",
                    rx.callout(
                        E["error"],
                        icon="circle-x",
                        color_scheme="red",
                        width="100%",
                        data_testid="execution-error",
                    ),
                ),
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
    )


def _attempt_row(attempt: AttemptView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(attempt["number"]),
        rx.table.cell(attempt["started"], white_space="nowrap"),
        rx.table.cell(attempt["duration"], white_space="nowrap"),
        rx.table.cell(
            rx.cond(
                attempt["error"] != "",
                rx.text(
                    attempt["error"],
                    color=rx.color("red", 11),
                    style=ONE_LINE,
                    max_width="420px",
                    title=attempt["error"],
                ),
                rx.text("ok", color=rx.color("green", 11)),
            )
        ),
        rx.table.cell(attempt["failure_kind"]),
    )


def _step_content(step: StepView) -> rx.Component:
    return rx.vstack(
        rx.cond(
            step["error"] != "",
            rx.callout(step["error"], icon="circle-x", color_scheme="red", size="1", width="100%"),
        ),
        rx.cond(
            step["skip_reason"] != "",
            rx.callout(
                "Skipped: " + step["skip_reason"],
                icon="skip-forward",
                color_scheme="gray",
                size="1",
                width="100%",
            ),
        ),
        rx.grid(
            json_view("Input", step["input"]),
            json_view("Output", step["output"], empty="No output"),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        rx.cond(
            step["attempts"].length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(h)
                                for h in ("Attempt", "Started", "Duration", "Result", "Kind")
                            ]
                        )
                    ),
                    rx.table.body(rx.foreach(step["attempts"], _attempt_row)),
                    size="1",
                    variant="surface",
                    width="100%",
                    min_width="600px",
                ),
                width="100%",
                overflow_x="auto",
                contain="inline-size",  # scroll inside instead of widening the page
            ),
        ),
        spacing="3",
        width="100%",
        padding_y="0.5rem",
    )


def _step_item(step: StepView) -> rx.Component:
    return rx.accordion.item(
        header=rx.hstack(
            status_badge(step["status"]),
            rx.text(step["label"], weight="medium", size="2", style=ONE_LINE, min_width="0"),
            rx.code(
                step["type"],
                size="1",
                variant="soft",
                color_scheme="gray",
                display=rx.breakpoints(initial="none", sm="inline"),
            ),
            rx.spacer(),
            rx.text(step["duration"], size="1", color=rx.color("gray", 11), white_space="nowrap"),
            align="center",
            spacing="3",
            width="100%",
            min_width="0",
            text_align="left",
        ),
        content=_step_content(step),
        value=step["id"],
        data_testid="step-item",
    )


def _section(title: str, *children: rx.Component) -> rx.Component:
    return rx.vstack(rx.heading(title, size="4"), *children, spacing="3", width="100%")


def body() -> rx.Component:
    return rx.vstack(
        header_card(),
        _section(
            "Timeline",
            rx.cond(
                State.steps.length() > 0,
                rx.card(timeline_chart(State.timeline), width="100%", padding="0.5rem"),
                rx.text(
                    "No steps yet: the execution is waiting for a free slot.",
                    color=rx.color("gray", 11),
                    size="2",
                ),
            ),
        ),
        _section(
            "Steps",
            rx.accordion.root(
                rx.foreach(State.steps, _step_item),
                type="multiple",
                collapsible=True,
                variant="outline",
                color_scheme="gray",
                width="100%",
            ),
        ),
        _section(
            "Trigger payload",
            rx.card(json_view("Payload", E["payload"], empty="Empty"), width="100%"),
        ),
        spacing="5",
        width="100%",
    )


def skeleton() -> rx.Component:
    return rx.vstack(
        rx.skeleton(rx.box(height="150px"), width="100%"),
        rx.skeleton(rx.box(height="220px"), width="100%"),
        rx.skeleton(rx.box(height="180px"), width="100%"),
        spacing="4",
        width="100%",
    )


@rx.page(
    route="/admin/executions/[execution_id]",
    title="Execution · Flowdeck",
    on_load=[SessionState.guard_admin_area, ExecutionDetailState.load],
)
def execution_detail_page() -> rx.Component:
    return admin_page(
        "Executions",
        rx.vstack(
            rx.link(
                rx.hstack(
                    rx.icon("arrow-left", size=14), "All executions", align="center", spacing="1"
                ),
                href="/admin/executions",
                size="2",
            ),
            rx.cond(
                State.problem != "",
                rx.callout(
                    State.problem,
                    icon="triangle-alert",
                    color_scheme="amber",
                    width="100%",
                    data_testid="detail-problem",
                ),
                rx.cond(State.loaded, body(), skeleton()),
            ),
            spacing="4",
            width="100%",
        ),
    )
