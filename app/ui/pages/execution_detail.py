"""Admin → Executions → one execution: its canvas and timeline, what it waits for, its steps.

The canvas is the workflow as this run ran it (its version), read-only, coloured live; a
click on a node shows its step in the panel beside it.

Pause / Resume / Cancel / Retry show only where they apply; an approval waiting on the
signed-in person offers Approve / Reject with a comment.
"""

from __future__ import annotations

import reflex as rx

from app.ui.components.breadcrumbs import breadcrumbs
from app.ui.components.execution_graph import execution_canvas, status_legend
from app.ui.components.execution_timeline import execution_timeline
from app.ui.components.json_view import json_view
from app.ui.components.layout import admin_page
from app.ui.pages.execution_steps import step_panel, steps_accordion
from app.ui.pages.execution_waits import decision_dialog, waits_section
from app.ui.pages.executions import testid_badge
from app.ui.pages.registry import page
from app.ui.states.execution_detail import ExecutionCanvasState, ExecutionDetailState
from app.ui.states.session import SessionState

State = ExecutionDetailState
C = ExecutionCanvasState
E = ExecutionDetailState.execution


def _fact(label: str | rx.Component, *value: rx.Component | rx.Var | str) -> rx.Component:
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


def _control(
    icon: str, label: str, testid: str, on_click: rx.EventHandler | rx.EventSpec, **props: str
) -> rx.Component:
    return rx.button(
        rx.icon(icon, size=14),
        label,
        on_click=on_click,
        loading=State.busy == testid.split("-")[0],
        data_testid=testid,
        **props,
    )


def _actions() -> rx.Component:
    return rx.hstack(
        rx.cond(
            State.can_pause,
            _control("pause", "Pause", "pause-execution", State.pause, variant="soft"),
        ),
        rx.cond(
            State.can_resume,
            _control("play", "Resume", "resume-execution", State.resume),
        ),
        rx.cond(
            State.can_cancel,
            _control(
                "circle-stop",
                "Cancel",
                "cancel-execution",
                State.ask("cancel"),
                color_scheme="red",
                variant="soft",
            ),
        ),
        rx.cond(
            State.can_retry,
            _control("rotate-ccw", "Retry from failed step", "retry-execution", State.ask("retry")),
        ),
        _confirm(
            "cancel",
            "Cancel this execution?",
            "Running steps are stopped, waits are dropped and the remaining steps do not run.",
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
        wrap="wrap",
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
                    rx.cond(
                        State.pausing,
                        rx.badge(
                            rx.spinner(size="1"),
                            "pausing…",
                            color_scheme="orange",
                            variant="outline",
                            radius="full",
                            data_testid="execution-pausing",
                        ),
                    ),
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
                    rx.cond(E["parent_id"] != 0, "Started by", "Retry of"),
                    rx.cond(
                        E["parent_id"] != 0,
                        rx.link("#", E["parent_id"], href=f"/admin/executions/{E['parent_id']}"),
                        rx.cond(
                            E["retry_of"] != 0,
                            rx.link(
                                "#",
                                E["retry_of"],
                                href=f"/admin/executions/{E['retry_of']}",
                                data_testid="execution-retry-of",
                            ),
                            "—",
                        ),
                    ),
                ),
                rx.cond(
                    E["retried_as"].length() > 0,  # type: ignore[attr-defined]
                    _fact(
                        "Retried as",
                        rx.foreach(
                            E["retried_as"],
                            lambda rid: rx.link(
                                "#",
                                rid,
                                href=f"/admin/executions/{rid}",
                                margin_right="0.5em",
                                data_testid="execution-retried-as",
                            ),
                        ),
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


def _section(title: str, *children: rx.Component) -> rx.Component:
    return rx.vstack(rx.heading(title, size="4"), *children, spacing="3", width="100%")


def _canvas_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Workflow as run", size="3"),
                rx.badge("v", E["version"], variant="soft", color_scheme="gray"),
                rx.spacer(),
                rx.text("click a step for its details", size="1", color=rx.color("gray", 11)),
                align="center",
                width="100%",
            ),
            rx.cond(
                C.canvas_nodes.length() > 0,
                execution_canvas(
                    C.canvas_nodes,
                    C.canvas_edges,
                    C.canvas_run,
                    State.selected,
                    State.select_node,
                    State.node_action,
                    step_panel(),
                ),
                _quiet("This workflow version has no steps."),
            ),
            status_legend(),
            spacing="3",
            width="100%",
        ),
        width="100%",
        min_width="0",
    )


def _timeline_card() -> rx.Component:
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
                State.bars.length() > 0,
                rx.vstack(
                    execution_timeline(State.bars, State.ticks, State.show_step),
                    _more(State.bars_more, "Show all ", " more rows", State.show_all_bars),
                    spacing="2",
                    width="100%",
                ),
                _quiet("No step has started yet: the execution is waiting for a free slot."),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        min_width="0",
    )


def _more(hidden: rx.Var, before: str, after: str, on_click: rx.EventHandler) -> rx.Component:
    """A big run shows its first rows only (each live update redraws every row shown)."""
    return rx.cond(
        hidden > 0,
        rx.button(
            before + hidden.to(str) + after,
            size="1",
            variant="soft",
            color_scheme="gray",
            on_click=on_click,
            data_testid="show-more-rows",
        ),
    )


def _quiet(text: str) -> rx.Component:
    return rx.center(
        rx.text(text, size="2", color=rx.color("gray", 11), text_align="center"),
        padding="2.5rem 1rem",
        width="100%",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="var(--radius-3)",
    )


def body() -> rx.Component:
    return rx.vstack(
        header_card(),
        waits_section(),
        _canvas_card(),
        _timeline_card(),
        _section(
            "Steps",
            rx.cond(
                State.steps.length() > 0,
                rx.vstack(
                    steps_accordion(),
                    _more(State.steps_more, "Show more (", " not shown)", State.show_more_steps),
                    spacing="2",
                    width="100%",
                ),
                _quiet("The steps appear here once the execution starts."),
            ),
        ),
        _section(
            "Trigger payload",
            rx.card(json_view("Payload", E["payload"], empty="Empty"), width="100%"),
        ),
        decision_dialog(),
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


@page(
    route="/admin/executions/[execution_id]",
    title=ExecutionDetailState.page_title,
    on_load=[SessionState.guard_admin_area, ExecutionDetailState.load],
)
def execution_detail_page() -> rx.Component:
    return admin_page(
        "Executions",
        rx.vstack(
            breadcrumbs(
                ("Executions", "/admin/executions"),
                (
                    State.execution["workflow"],
                    "/admin/workflows/" + State.execution["workflow_id"].to_string(),
                ),
                ("#" + State.exec_id.to_string(), None),
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
