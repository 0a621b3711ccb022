"""Pick rows and act on them at once: the checkboxes, the bar, the confirmation and the summary.

For a state using `BulkSelection` (app/ui/states/bulk_selection.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx


@dataclass(frozen=True)
class BulkButton:
    action: str
    label: str
    icon: str
    #: What happens, said in the confirmation.
    consequence: str
    color: str = "gray"


WORKFLOW_BULK = [
    BulkButton("activate", "Activate", "circle-play", "They run on their triggers again."),
    BulkButton(
        "pause",
        "Pause",
        "circle-pause",
        "They stop running on their triggers until activated again; runs under way finish.",
    ),
    BulkButton(
        "run", "Run", "play", "Each one starts a run now (a paused one is reported, not run)."
    ),
    BulkButton("export", "Export", "download", "One JSON file with every definition (no secrets)."),
    BulkButton(
        "delete",
        "Delete",
        "trash-2",
        "The workflows, their versions and all their executions are removed. "
        "This cannot be undone.",
        "red",
    ),
]
EXECUTION_BULK = [
    BulkButton(
        "cancel",
        "Cancel",
        "circle-stop",
        "Queued, running, waiting and paused runs stop; finished ones are reported as such.",
        "red",
    ),
    BulkButton(
        "retry",
        "Retry",
        "rotate-ccw",
        "Failed, interrupted and cancelled runs run again with the same trigger data; the steps "
        "that had succeeded are reused.",
    ),
]


def row_checkbox(state: Any, item_id: rx.Var) -> rx.Component:
    return rx.checkbox(
        checked=state.all_matching | state.selected.contains(item_id),
        on_change=lambda on: state.toggle_one(item_id, on),
        on_click=rx.stop_propagation,  # a click on the box is not a click on the row
        aria_label="Select this row",
        data_testid="bulk-pick",
    )


def page_checkbox(state: Any, page_ids: rx.Var) -> rx.Component:
    """Ticked when every row of the page is picked; ticking picks them all."""
    every = (page_ids.length() > 0) & ~page_ids.map(  # type: ignore[attr-defined]
        lambda i: state.selected.contains(i)
    ).contains(False)
    return rx.checkbox(
        checked=state.all_matching | every,
        on_change=lambda on: state.toggle_page(on, page_ids),
        aria_label="Select every row of this page",
        data_testid="bulk-pick-page",
    )


def _matching(state: Any, total: rx.Var, noun: str) -> rx.Component:
    """ "Select all N matching the filter" while only some are picked."""
    return rx.cond(
        state.all_matching,
        rx.text("All ", total, f" {noun}s matching the filter", size="2", weight="medium"),
        rx.cond(
            total > state.selected_count,
            rx.link(
                "Select all ",
                total,
                " matching the filter",
                size="2",
                on_click=state.select_matching,
                cursor="pointer",
                data_testid="bulk-select-matching",
            ),
        ),
    )


def bulk_bar(
    state: Any, buttons: list[BulkButton], noun: str, total: rx.Var | None = None
) -> rx.Component:
    """Shown while rows are picked: the count, the actions, and a way out."""
    return rx.cond(
        state.selected_count > 0,
        rx.hstack(
            rx.badge(
                state.selected_count,
                " selected",
                size="2",
                variant="solid",
                data_testid="bulk-count",
            ),
            _matching(state, total, noun) if total is not None else rx.fragment(),
            rx.spacer(),
            rx.cond(state.bulk_busy, rx.spinner(size="2")),
            *[
                rx.button(
                    rx.icon(b.icon, size=14),
                    b.label,
                    size="2",
                    variant="soft",
                    color_scheme=b.color,
                    disabled=state.bulk_busy,
                    on_click=state.ask_bulk(b.action),
                    data_testid=f"bulk-{b.action}",
                )
                for b in buttons
            ],
            rx.button(
                "Clear",
                size="2",
                variant="ghost",
                color_scheme="gray",
                on_click=state.clear_selection,
                data_testid="bulk-clear",
            ),
            align="center",
            spacing="3",
            wrap="wrap",
            width="100%",
            padding="0.5rem 0.75rem",
            border_radius="var(--radius-3)",
            background=rx.color("accent", 3),
            data_testid="bulk-bar",
        ),
    )


def confirm_bulk_dialog(state: Any, buttons: list[BulkButton]) -> rx.Component:
    """One question naming the count and the action."""
    consequence = rx.match(state.bulk_action, *[(b.action, b.consequence) for b in buttons], "")
    danger = rx.match(state.bulk_action, *[(b.action, b.color) for b in buttons], "gray")
    label = rx.match(state.bulk_action, *[(b.action, b.label) for b in buttons], "")
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(state.bulk_question),
            rx.alert_dialog.description(consequence, size="2"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        label,
                        color_scheme=rx.cond(danger == "red", "red", "accent"),
                        on_click=state.confirm_bulk,
                        data_testid="confirm-bulk",
                    )
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            max_width="460px",
        ),
        open=state.bulk_action != "",
        on_open_change=state.close_bulk,
    )


def _line(line: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.cond(
            line["ok"],
            rx.icon("circle-check", size=16, color=rx.color("green", 10)),
            rx.icon("circle-x", size=16, color=rx.color("red", 10)),
        ),
        rx.text(line["name"], size="2", weight="medium"),
        rx.text(
            line["text"],
            size="2",
            color=rx.cond(line["ok"], rx.color("gray", 11), rx.color("red", 11)),
        ),
        spacing="2",
        align="center",
        data_testid=rx.cond(line["ok"], "bulk-done", "bulk-failed"),
    )


def summary_dialog(state: Any) -> rx.Component:
    """What the last action did: done, and failed with the reason, item by item."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(state.bulk_headline, data_testid="bulk-headline"),
            rx.scroll_area(
                rx.vstack(rx.foreach(state.bulk_lines, _line), spacing="2", width="100%"),
                type="auto",
                scrollbars="vertical",
                max_height="50vh",
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Close", variant="soft", data_testid="bulk-close")),
                justify="end",
                margin_top="1rem",
            ),
            max_width="560px",
        ),
        open=state.bulk_headline != "",
        on_open_change=state.close_summary,
    )
