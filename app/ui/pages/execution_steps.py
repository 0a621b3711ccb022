"""The execution page's steps: one accordion item per step with its input, output, attempts.

A click on a timeline row opens the step here (the accordion is controlled by `open_steps`;
the item's id is `step-<step id>` for the scroll); a click on a canvas node shows the same
details in the panel beside the canvas (`step_panel`).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.ui.components.json_view import json_view
from app.ui.components.status_badge import status_badge
from app.ui.components.step_items import step_items
from app.ui.components.tables import phone_cards
from app.ui.pages.executions import ONE_LINE
from app.ui.states.execution_detail import ExecutionDetailState
from app.ui.states.execution_detail_views import AttemptView, StepView

State = ExecutionDetailState


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


def _step_content(step: StepView, columns: Any = "1") -> rx.Component:
    return rx.vstack(
        rx.cond(
            step["waits_for"] != "",
            rx.callout(
                step["waits_for"], icon="hourglass", color_scheme="violet", size="1", width="100%"
            ),
        ),
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
            columns=columns,
            spacing="3",
            width="100%",
        ),
        rx.cond(step["items"]["total"].to(int) > 0, step_items(step["items"])),
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
                    style=phone_cards(("Attempt", "Started", "Duration", "Result", "Kind")),
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
        content=_step_content(step, rx.breakpoints(initial="1", md="2")),
        value=step["key"],
        id="step-" + step["key"].to(str),
        data_testid="step-item",
        scroll_margin_top="1rem",
    )


def steps_accordion() -> rx.Component:
    return rx.accordion.root(
        rx.foreach(State.steps, _step_item),
        type="multiple",
        collapsible=True,
        value=State.open_steps,
        on_value_change=State.set_open_steps,
        variant="outline",
        color_scheme="gray",
        width="100%",
    )


def step_panel() -> rx.Component:
    """The selected node's step over the canvas: status, input, output, attempts, error.

    × or a click on the empty canvas closes it; "in the steps list" opens it there.
    """
    step = State.selected_view
    return rx.cond(
        State.selected != "",
        rx.card(
            rx.vstack(
                rx.hstack(
                    status_badge(step["status"]),
                    rx.text(step["label"], weight="bold", size="2", style=ONE_LINE, min_width="0"),
                    rx.spacer(),
                    rx.icon_button(
                        rx.icon("x", size=14),
                        size="1",
                        variant="ghost",
                        color_scheme="gray",
                        aria_label="Close the step's details",
                        on_click=State.select_node(""),
                        data_testid="step-panel-close",
                    ),
                    align="center",
                    spacing="2",
                    width="100%",
                ),
                rx.hstack(
                    rx.code(step["type"], size="1", variant="soft", color_scheme="gray"),
                    rx.text(step["started"], size="1", color=rx.color("gray", 11)),
                    rx.text(step["duration"], size="1", color=rx.color("gray", 11)),
                    spacing="3",
                    align="center",
                    wrap="wrap",
                ),
                rx.cond(
                    step["id"] != "",
                    rx.vstack(
                        _step_content(step),
                        rx.link(
                            "Show in the steps list",
                            size="1",
                            on_click=State.show_step(step["key"]),
                            cursor="pointer",
                        ),
                        spacing="1",
                        width="100%",
                    ),
                    rx.text("This step has not started.", size="2", color=rx.color("gray", 11)),
                ),
                spacing="2",
                width="100%",
                min_width="0",
            ),
            position="absolute",
            top="8px",
            right="8px",
            bottom="8px",
            width=rx.breakpoints(initial="calc(100% - 16px)", sm="400px"),
            overflow_y="auto",
            z_index="10",
            background="var(--color-panel-solid)",
            box_shadow="var(--shadow-4)",
            data_testid="step-panel",
            data_step=State.selected,
        ),
    )
