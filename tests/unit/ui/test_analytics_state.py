"""The analytics period handlers: a fixed period fetches at once, a custom range waits for
Apply and is checked first (its error shown, nothing fetched), the table views switch per
chart. No service is called here: the fetch is the background event these handlers return."""

from __future__ import annotations

from typing import Any

import pytest
import reflex as rx

from app.ui.states.analytics import AnalyticsState, period_args
from app.ui.states.workflow_performance import WorkflowPerformanceState


async def _state(cls: type[rx.State]) -> Any:
    root = rx.State()
    return await root.get_state(cls)


def _call(state: Any, name: str, *args: Any) -> Any:
    return type(state).event_handlers[name].fn(state, *args)


def _names(result: Any) -> list[str]:
    items = result if isinstance(result, list) else [result]
    return [item.fn.__name__ for item in items if item is not None]


@pytest.mark.asyncio
@pytest.mark.parametrize("cls", [AnalyticsState, WorkflowPerformanceState])
async def test_periods_fetch_at_once_and_a_custom_range_only_when_it_is_right(cls: Any) -> None:
    state = await _state(cls)
    assert _names(_call(state, "set_period", "30")) == ["refresh"]
    assert state.period == "30" and period_args("30", "", "") == {"days": 30}
    assert _call(state, "set_period", "custom") is None  # waits for Apply
    assert state.custom_start and state.custom_end  # filled with the last two weeks
    _call(state, "set_custom_start", "2026-03-10")
    _call(state, "set_custom_end", "2026-03-01")
    assert _call(state, "apply_range") is None
    assert state.range_error == "The last day is before the first day."
    _call(state, "set_custom_end", "2026-03-31")
    assert _names(_call(state, "apply_range")) == ["refresh"]
    assert state.range_error == ""
    assert _call(state, "set_period", "forever") is not None and state.period == "7"


@pytest.mark.asyncio
async def test_each_chart_switches_to_its_table_and_back() -> None:
    state = await _state(AnalyticsState)
    _call(state, "show_as", "duration", "table")
    _call(state, "show_as", "executions", "table")
    _call(state, "show_as", "duration", "chart")
    assert state.tables == ["executions"]
    assert _call(state, "download_csv", "nothing-loaded") is None


@pytest.mark.asyncio
async def test_a_picked_step_is_fetched_again_with_a_new_period() -> None:
    state = await _state(WorkflowPerformanceState)
    assert _names(_call(state, "pick_step", "fetch")) == ["load_step"]
    assert _names(_call(state, "set_period", "90")) == ["refresh", "load_step"]
    _call(state, "close_step")
    assert state.selected_step == "" and _names(_call(state, "set_period", "1")) == ["refresh"]
