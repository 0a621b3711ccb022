"""A `for_each` step's items on the execution page: counts by status, then one row per item.

`step_items_view` turns a step of the execution detail (`executions.get_execution`, whose
`items` block holds the total, the counts and the first 200 items) into plain view data;
`step_items` draws it: a badge per status with its count (the house status colours), a table
of index, status, attempts, error and duration, and a line saying how to reach the rest when
there are more than the detail carries.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

import reflex as rx

from app.ui.components.status_badge import status_badge
from app.ui.components.tables import phone_cards
from app.ui.live import duration_text

_ONE_LINE = {"overflow": "hidden", "text_overflow": "ellipsis", "white_space": "nowrap"}
#: Counts in this order (the ones a person looks for first), then any other status.
_ORDER = ("failed", "succeeded", "skipped", "cancelled", "pending")


class ItemView(TypedDict):
    index: int
    status: str
    attempts: int
    error: str
    duration: str


class ItemCount(TypedDict):
    status: str
    count: str  # "9,998"


class StepItemsView(TypedDict):
    total: int  # 0: not a for_each step, or no item recorded yet
    counts: list[ItemCount]
    items: list[ItemView]
    more: str  # "" when every item is listed


def no_items() -> StepItemsView:
    return StepItemsView(total=0, counts=[], items=[], more="")


def step_items_view(step: Mapping[str, Any], *, execution_id: int = 0) -> StepItemsView:
    """The view of a step's `items` block (empty for a step without one)."""
    block = step.get("items")
    if not block:
        return no_items()
    counts = block.get("counts") or {}
    ordered = [s for s in _ORDER if s in counts] + sorted(set(counts) - set(_ORDER))
    items = [
        ItemView(
            index=item["index"],
            status=item["status"],
            attempts=item["attempts"],
            error=item["error"] or "",
            duration=duration_text(item["duration_ms"]),
        )
        for item in block.get("items") or ()
    ]
    more = ""
    if block.get("more"):
        where = f"/executions/{execution_id}" if execution_id else "/executions/<id>"
        more = (
            f"Showing the first {len(items):,} of {block['total']:,} items. All of them, with"
            f" their outputs: GET /api/workflow-orchestration{where}/steps/"
            f"{step.get('action_id', '<step>')}/items?status=failed"
        )
    return StepItemsView(
        total=block.get("total", 0),
        counts=[ItemCount(status=s, count=f"{counts[s]:,}") for s in ordered],
        items=items,
        more=more,
    )


def _count(count: ItemCount) -> rx.Component:
    return rx.hstack(
        status_badge(count["status"]),
        rx.text(count["count"], size="2", weight="medium"),
        spacing="1",
        align="center",
        data_testid="item-count",
    )


def _row(item: ItemView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(item["index"]),
        rx.table.cell(status_badge(item["status"])),
        rx.table.cell(item["attempts"]),
        rx.table.cell(
            rx.cond(
                item["error"] != "",
                rx.text(
                    item["error"],
                    color=rx.color("red", 11),
                    style=_ONE_LINE,
                    max_width="420px",
                    title=item["error"],
                ),
                rx.text("—", color=rx.color("gray", 11)),
            )
        ),
        rx.table.cell(item["duration"], white_space="nowrap"),
        data_testid="item-row",
    )


def step_items(view: rx.Var) -> rx.Component:
    """Counts and the listed items of a `for_each` step (`view`: a `StepItemsView` var)."""
    return rx.vstack(
        rx.hstack(
            rx.text("Items", weight="medium", size="2"),
            rx.text(view["total"].to(int), " in all", size="2", color=rx.color("gray", 11)),
            rx.foreach(view["counts"].to(list[ItemCount]), _count),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("Item", "Status", "Attempts", "Error", "Duration")
                        ]
                    )
                ),
                rx.table.body(rx.foreach(view["items"].to(list[ItemView]), _row)),
                size="1",
                variant="surface",
                width="100%",
                min_width="560px",
                style=phone_cards(("Item", "Status", "Attempts", "Error", "Duration")),
            ),
            width="100%",
            max_height="420px",
            overflow="auto",
            contain="inline-size",  # scroll inside instead of widening the page
        ),
        rx.cond(
            view["more"].to(str) != "",
            rx.text(view["more"].to(str), size="1", color=rx.color("gray", 11)),
        ),
        spacing="2",
        width="100%",
        data_testid="step-items",
    )
