"""The for_each items view: counts in a useful order, rows, the pointer to the rest; and the
component builds inside a `foreach` over typed steps, as the execution page uses it."""

from __future__ import annotations

from typing import TypedDict

import reflex as rx

from app.ui.components.step_items import StepItemsView, no_items, step_items, step_items_view


def _block(**extra: object) -> dict:
    return {
        "total": 10_000,
        "counts": {"succeeded": 9_997, "pending": 1, "failed": 2},
        "items": [
            {"index": 0, "status": "succeeded", "attempts": 1, "error": None, "duration_ms": 3.2},
            {
                "index": 1,
                "status": "failed",
                "attempts": 3,
                "error": "HTTP 500",
                "duration_ms": 1e3,
            },
        ],
        "more": True,
        **extra,
    }


def test_the_view_orders_counts_and_formats_rows() -> None:
    view = step_items_view({"action_id": "loop", "items": _block()}, execution_id=42)
    assert view["total"] == 10_000
    assert view["counts"] == [
        {"status": "failed", "count": "2"},
        {"status": "succeeded", "count": "9,997"},
        {"status": "pending", "count": "1"},
    ]
    assert view["items"][1] == {
        "index": 1,
        "status": "failed",
        "attempts": 3,
        "error": "HTTP 500",
        "duration": "1.0 s",
    }
    assert view["items"][0]["error"] == "" and view["items"][0]["duration"] == "3 ms"
    assert view["more"].startswith("Showing the first 2 of 10,000 items.")
    assert "/executions/42/steps/loop/items" in view["more"]


def test_every_item_listed_says_nothing_more_and_other_steps_are_empty() -> None:
    assert step_items_view({"items": _block(more=False)})["more"] == ""
    assert step_items_view({"action_id": "calc"}) == no_items()
    assert step_items_view({"items": None}) == no_items()


class _Step(TypedDict):
    key: str
    items: StepItemsView


def test_the_component_builds_from_a_step_var() -> None:
    view = step_items_view({"action_id": "loop", "items": _block()})
    steps = rx.Var.create([_Step(key="loop", items=view)]).to(list[_Step])
    page = rx.foreach(steps, lambda s: rx.cond(s["items"]["total"] > 0, step_items(s["items"])))
    rendered = str(page.render())
    for testid in ("step-items", "item-row", "item-count"):
        assert testid in rendered
