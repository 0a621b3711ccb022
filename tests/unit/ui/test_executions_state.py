"""Executions list and detail states against a real database and a real engine.

The handlers are called the way Reflex's event processor calls them (see
test_state_guards.py); a viewer's forged events must change nothing, a member must see
real executions, and the live follower must coalesce bursts of engine events.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import reflex as rx
from reflex.event import EventHandler, EventSpec
from reflex.istate.data import PageData

from app.core.errors import PermissionDenied
from app.engine import runtime
from app.engine.runner import Engine
from app.services import auth, executions, workflows
from app.services.actor import Actor
from app.ui.states.execution_detail import (
    ExecutionCanvasState,
    ExecutionDetailState,
    fetch_detail,
    follow_execution,
)
from app.ui.states.executions import ExecutionsState
from tests.unit.ui import test_state_guards as guards
from tests.unit.ui.tabs import sign_in_tab
from tests.unit.ui.test_state_guards import People, call, database, redirect_target, toasts

people_template = guards.people_template  # users and sessions made once per module
people = guards.people

TWO_TRANSFORMS = [
    {"id": "first", "type": "transform", "config": {"values": {"n": "{{ trigger.n * 2 }}"}}},
    {
        "id": "second",
        "type": "transform",
        "config": {"values": {"m": "{{ steps.first.output.n }}"}},
    },
]
FAILS = [
    {"id": "ok", "type": "transform", "config": {"values": {"a": 1}}},
    {"id": "boom", "type": "transform", "config": {"values": {"b": "{{ trigger.missing.x }}"}}},
]
SLOW = [{"id": "wait", "type": "delay", "config": {"seconds": 30}}]


@pytest.fixture
async def engine(people: People) -> AsyncIterator[Engine]:
    eng = Engine(max_concurrent=8)
    runtime.install(eng)
    await eng.start()
    yield eng
    await eng.stop()
    runtime.install(None)


def actor(people: People, who: str = "member") -> Actor:
    return auth.authenticate(people.tokens[who])


async def run(
    member: Actor, engine: Engine, actions: list[dict], name: str = "wf", **payload: Any
) -> int:
    wf = workflows.create_workflow(
        member, {"name": name, "trigger": {"type": "manual"}, "actions": actions}
    ).workflow["id"]
    started = await executions.execute_workflow(member, wf, payload=payload)
    await engine.drain()
    return started["id"]


async def running(member: Actor, actions: list[dict]) -> int:
    """An execution whose first step is running (and stays so for a while)."""
    wf = workflows.create_workflow(
        member, {"name": "slow", "trigger": {"type": "manual"}, "actions": actions}
    ).workflow["id"]
    execution_id = (await executions.execute_workflow(member, wf))["id"]
    for _ in range(200):
        detail = executions.get_execution(member, execution_id)
        if detail["steps"] and detail["steps"][0]["status"] == "running":
            return execution_id
        await asyncio.sleep(0.01)
    raise AssertionError("the execution did not start")


async def list_tab(token: str) -> ExecutionsState:
    state = await rx.State().get_state(ExecutionsState)
    sign_in_tab(state, token)
    return state


async def detail_tab(token: str, execution_id: int) -> ExecutionDetailState:
    root = rx.State()
    root.rx_router_page = PageData(
        path="/admin/executions/[execution_id]", params={"execution_id": str(execution_id)}
    )
    state = await root.get_state(ExecutionDetailState)
    sign_in_tab(state, token)
    return state


def refused(result: Any) -> bool:
    errors = [message for kind, message in toasts(result) if kind == "error"]
    return redirect_target(result) is not None or any("viewer" in m for m in errors)


# --- refused ---------------------------------------------------------------------------------


@pytest.mark.parametrize("handler", ["load", "older", "set_status_filter", "clear_filters"])
async def test_viewer_gets_no_list(people: People, engine: Engine, handler: str) -> None:
    await run(actor(people), engine, TWO_TRANSFORMS, n=1)
    state = await list_tab(people.tokens["viewer"])
    args = ("failed",) if handler == "set_status_filter" else ()
    result = await call(state, handler, *args)
    assert refused(result), result
    assert state.rows == [] and state.workflow_options == [] and not state.loaded


async def test_viewer_gets_no_detail(people: People, engine: Engine) -> None:
    execution_id = await run(actor(people), engine, TWO_TRANSFORMS, n=1)
    state = await detail_tab(people.tokens["viewer"], execution_id)
    before = database()
    assert await call(state, "load") is None
    assert "viewer" in state.problem and not state.loaded
    assert state.steps == [] and state.execution["workflow"] == ""
    assert state.bars == [] and (await state.get_state(ExecutionCanvasState)).canvas_nodes == []
    with pytest.raises(PermissionDenied):
        await fetch_detail(people.tokens["viewer"], execution_id)
    assert database() == before


async def test_viewer_cannot_cancel_a_running_execution(people: People, engine: Engine) -> None:
    member = actor(people)
    execution_id = await running(member, SLOW)
    state = await detail_tab(people.tokens["viewer"], execution_id)
    state.exec_id = execution_id  # as if a forged event came after a refused load
    before = database()
    assert refused(await call(state, "cancel"))
    assert database() == before
    assert executions.get_execution(member, execution_id)["status"] == "running"


async def test_viewer_cannot_retry(people: People, engine: Engine) -> None:
    execution_id = await run(actor(people), engine, FAILS)
    state = await detail_tab(people.tokens["viewer"], execution_id)
    state.exec_id = execution_id
    before = database()
    assert refused(await call(state, "retry"))
    assert database() == before


# --- allowed ---------------------------------------------------------------------------------


async def test_member_sees_the_list_with_filters_and_pages(people: People, engine: Engine) -> None:
    member = actor(people)
    ok = await run(member, engine, TWO_TRANSFORMS, "doubles", n=21)
    failed = await run(member, engine, FAILS, "breaks")
    state = await list_tab(people.tokens["member"])
    assert await call(state, "load") is None
    assert [r["id"] for r in state.rows] == [failed, ok] and state.live
    row = state.rows[1]
    assert (row["status"], row["steps"], row["trigger"]) == ("succeeded", "2/2", "manual")
    assert state.rows[0]["error"].startswith("step boom failed")
    assert len(state.workflow_options) == 2

    await call(state, "set_status_filter", "failed")
    assert [r["id"] for r in state.rows] == [failed] and state.filtered and not state.live
    await call(state, "set_range_filter", "1h")
    assert [r["id"] for r in state.rows] == [failed]
    await call(state, "clear_filters")
    assert state.live and [r["id"] for r in state.rows] == [failed, ok]
    doubles = next(o["id"] for o in state.workflow_options if o["name"] == "doubles")
    await call(state, "set_workflow_filter", doubles)
    assert [r["id"] for r in state.rows] == [ok]
    await call(state, "set_trigger_filter", "webhook")
    assert state.rows == []


async def test_member_pages_with_a_cursor_stack(people: People, engine: Engine) -> None:
    member = actor(people)
    wf = workflows.create_workflow(
        member, {"name": "many", "trigger": {"type": "manual"}, "actions": FAILS[:1]}
    ).workflow["id"]
    ids = [(await executions.execute_workflow(member, wf))["id"] for _ in range(27)]
    await engine.drain()
    state = await list_tab(people.tokens["member"])
    await call(state, "load")
    assert len(state.rows) == 25 and state.next_cursor
    await call(state, "older")
    assert [r["id"] for r in state.rows] == ids[1::-1] and state.page_number == 2
    assert not state.live and state.next_cursor == ""
    assert toasts(await call(state, "older")) == [("info", "These are the oldest executions")]
    await call(state, "newer")
    assert state.live and state.rows[0]["id"] == ids[-1] and len(state.rows) == 25


async def test_member_sees_the_detail_and_its_timeline(people: People, engine: Engine) -> None:
    execution_id = await run(actor(people), engine, TWO_TRANSFORMS, n=21)
    state = await detail_tab(people.tokens["member"], execution_id)
    assert await call(state, "load") is None  # finished: nothing to follow
    assert state.loaded and state.problem == ""
    assert state.execution["status"] == "succeeded" and state.execution["steps"] == "2/2"
    assert [s["label"] for s in state.steps] == ["1. first", "2. second"]
    assert '"n": 42' in state.steps[0]["output"] and '"m": 42' in state.steps[1]["output"]
    assert [len(s["attempts"]) for s in state.steps] == [1, 1]
    assert len(state.bars) == 2
    canvas = await state.get_state(ExecutionCanvasState)
    assert [canvas.canvas_run["steps"][n["id"]]["status"] for n in canvas.canvas_nodes] == [
        "succeeded"
    ] * 2
    assert not state.can_cancel and not state.can_retry


async def test_a_running_execution_is_followed_and_can_be_cancelled(
    people: People, engine: Engine
) -> None:
    execution_id = await running(actor(people), SLOW)
    state = await detail_tab(people.tokens["member"], execution_id)
    result = await call(state, "load")
    handler = result.handler if isinstance(result, EventSpec) else result
    assert isinstance(handler, EventHandler) and handler.fn.__name__ == "follow"
    assert state.can_cancel
    result = await call(state, "cancel")
    assert toasts(result) == [("success", f"Execution #{execution_id} is cancelled")]
    assert state.execution["status"] == "cancelled" and not state.can_cancel


async def test_member_retries_a_failed_execution(people: People, engine: Engine) -> None:
    execution_id = await run(actor(people), engine, FAILS)
    state = await detail_tab(people.tokens["member"], execution_id)
    await call(state, "load")
    assert state.can_retry and state.execution["failed_step"] == "boom"
    result = await call(state, "retry")
    [(kind, message)] = toasts(result)
    new_id = int(message.rsplit("#", 1)[1])
    assert kind == "success" and redirect_target(result) == f"/admin/executions/{new_id}"
    await engine.drain()
    assert executions.get_execution(actor(people), new_id)["retry_of"] == execution_id


# --- live following --------------------------------------------------------------------------


async def test_follow_coalesces_a_burst_and_stops_when_finished(
    people: People, engine: Engine
) -> None:
    member = actor(people)
    steps = [
        {"id": f"s{i}", "type": "transform", "config": {"values": {"i": i}}} for i in range(40)
    ]
    wf = workflows.create_workflow(
        member, {"name": "burst", "trigger": {"type": "manual"}, "actions": steps}
    ).workflow["id"]
    token = people.tokens["member"]
    seen: list[dict[str, Any]] = []

    async def apply(detail: dict[str, Any]) -> bool:
        if detail:
            seen.append(detail)
        return True

    execution_id = (await executions.execute_workflow(member, wf))["id"]
    began = time.monotonic()
    reloads = await asyncio.wait_for(
        follow_execution(
            execution_id, lambda: fetch_detail(token, execution_id), apply, throttle_s=0.1
        ),
        20,
    )
    took = time.monotonic() - began
    assert seen[-1]["status"] == "succeeded" and seen[-1]["steps_completed"] == 40
    # 80+ step events, but at most one reload per 100 ms window (plus the first and last).
    assert reloads == len(seen) <= took / 0.1 + 2


async def test_follow_asks_again_soon_after_a_reload_when_the_run_goes_quiet(
    people: People, engine: Engine
) -> None:
    execution_id = await running(actor(people), SLOW)
    token = people.tokens["member"]
    asked: list[tuple[float, bool]] = []
    began = time.monotonic()

    async def apply(detail: dict[str, Any]) -> bool:
        asked.append((time.monotonic() - began, bool(detail)))
        return len(asked) < 2

    await asyncio.wait_for(
        follow_execution(
            execution_id,
            lambda: fetch_detail(token, execution_id),
            apply,
            idle_s=30,
            settle_s=0.2,
        ),
        10,
    )
    # the first reload, then (no event: the step sleeps 30 s) a check 0.2 s later, not 30 s
    assert [d for _, d in asked] == [True, False]
    assert 0.15 <= asked[1][0] - asked[0][0] < 5


async def test_follow_stops_when_the_page_moves_on(people: People, engine: Engine) -> None:
    execution_id = await running(actor(people), SLOW)
    token = people.tokens["member"]

    async def apply(detail: dict[str, Any]) -> bool:
        return False

    reloads = await asyncio.wait_for(
        follow_execution(execution_id, lambda: fetch_detail(token, execution_id), apply), 5
    )
    assert reloads == 1
