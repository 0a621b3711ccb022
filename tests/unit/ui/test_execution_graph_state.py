"""The execution page's canvas, timeline, waits and controls, against a real engine and database.

Handlers are called as Reflex's event processor calls them; the engine runs real steps
(`delay`, `if`, `approval`), so statuses, overlaps and waits are the engine's own.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from app.core.execution_canvas import shown_run
from app.services import executions, workflows
from app.ui.states.execution_detail import (
    ROWS_PAGE,
    ExecutionCanvasState,
    ExecutionDetailState,
    throttle_for,
)
from app.ui.states.execution_follow import PagePacer, page_every
from tests.unit.ui import test_executions_state as base
from tests.unit.ui.test_executions_state import actor, detail_tab
from tests.unit.ui.test_state_guards import People, call, database, toasts

people_template = base.people_template
people = base.people
engine = base.engine

TWO_BRANCHES = [
    {"id": "check", "type": "if", "config": {"condition": "trigger.n > 1"}},
    {"id": "left", "type": "delay", "config": {"seconds": 0.3}, "depends_on": ["check:true"]},
    {"id": "right", "type": "delay", "config": {"seconds": 0.3}, "depends_on": ["check:true"]},
    {
        "id": "no",
        "type": "transform",
        "config": {"values": {"a": 1}},
        "depends_on": ["check:false"],
    },
    {
        "id": "join",
        "type": "transform",
        "config": {"values": {"ok": True}},
        "depends_on": ["left", "right", "no"],
        "trigger_rule": "none_failed",
    },
]
# The delay outlasts what a busy machine takes between "running" and the page's Pause click:
# a pause that lands after the last step cannot pause anything.
PAUSABLE = [
    {"id": "first", "type": "delay", "config": {"seconds": 2}},
    {"id": "second", "type": "transform", "config": {"values": {"a": 1}}},
]
APPROVAL = [
    {
        "id": "ask",
        "type": "approval",
        "config": {"message": "Ship it?", "approvers": ["member@example.com"]},
    },
    {
        "id": "ship",
        "type": "transform",
        "config": {"values": {"a": 1}},
        "depends_on": ["ask:approved"],
    },
]


async def _until(condition: Any, timeout_s: float = 10.0) -> None:
    for _ in range(int(timeout_s / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


async def canvas_tab(state: ExecutionDetailState) -> ExecutionCanvasState:
    return await state.get_state(ExecutionCanvasState)


async def shown(state: ExecutionDetailState) -> dict[str, dict[str, Any]]:
    """Each node's run as the canvas shows it: the run map laid over the nodes sent."""
    canvas = await canvas_tab(state)
    steps = canvas.canvas_run["steps"]
    return {n["id"]: shown_run(n["id"], steps.get(n["id"], {})) for n in canvas.canvas_nodes}


def _status(people: People, execution_id: int) -> str:
    return executions.get_execution(actor(people), execution_id)["status"]


async def _start(people: People, steps: list[dict], **payload: Any) -> int:
    member = actor(people)
    wf = workflows.create_workflow(
        member, {"name": "graph", "trigger": {"type": "manual"}, "actions": steps}
    ).workflow["id"]
    return (await executions.execute_workflow(member, wf, payload=payload))["id"]


async def test_graph_colours_steps_greys_the_branch_not_taken_and_bars_overlap(
    people: People, engine: Any
) -> None:
    execution_id = await _start(people, TWO_BRANCHES, n=5)
    await engine.drain()
    state = await detail_tab(people.tokens["member"], execution_id)
    assert await call(state, "load") is None

    nodes = await shown(state)
    canvas = await canvas_tab(state)
    assert {k: n["status"] for k, n in nodes.items()} == {
        "check": "succeeded",
        "left": "succeeded",
        "right": "succeeded",
        "no": "skipped",
        "join": "succeeded",
    }
    assert nodes["no"]["note"].startswith('branch "false" of "check" was not taken')
    assert nodes["left"]["note"].endswith((" ms", " s"))
    positions = {n["id"]: n["position"] for n in canvas.canvas_nodes}
    assert positions["left"]["y"] == positions["right"]["y"] == positions["no"]["y"]  # one layer
    edges = {e["id"]: e for e in canvas.canvas_edges}
    assert edges["check:false->no"]["label"] == "false"
    states = canvas.canvas_run["edges"]
    assert states["check:false->no"] == states["no->join"] == "skipped"
    assert states["check:true->left"] == states["left->join"] == "done"

    bars = {b["key"]: b for b in state.bars}
    assert not bars["no"]["shown"]

    def span(key: str) -> tuple[float, float]:
        left, width = (float(bars[key][k].rstrip("%")) for k in ("left", "width"))
        return left, left + width

    (l0, l1), (r0, r1) = span("left"), span("right")
    assert l0 < r1 and r0 < l1  # the two delays ran at the same time
    assert state.ticks[0]["label"] == "0" and state.ticks[-1]["left"] == "100%"


async def test_pause_then_resume_from_the_page(people: People, engine: Any) -> None:
    execution_id = await _start(people, PAUSABLE)
    await _until(lambda: _status(people, execution_id) == "running")
    state = await detail_tab(people.tokens["member"], execution_id)
    await call(state, "load")
    assert state.can_pause and not state.can_resume and state.can_cancel and not state.can_retry

    result = await call(state, "pause")
    [(kind, message)] = toasts(result)
    assert kind == "success" and message.startswith(f"Pausing execution #{execution_id}")
    assert state.pausing and not state.can_pause
    await _until(lambda: _status(people, execution_id) == "paused")
    detail = executions.get_execution(actor(people), execution_id)
    assert [s["status"] for s in detail["steps"]] == ["succeeded", "pending"]  # none started

    await call(state, "load")
    assert state.execution["status"] == "paused" and state.can_resume and not state.pausing
    result = await call(state, "resume")
    assert toasts(result)[0][0] == "success"
    await engine.drain()
    assert _status(people, execution_id) == "succeeded"


async def test_refusals_are_toasts_and_change_nothing(people: People, engine: Any) -> None:
    execution_id = await _start(people, PAUSABLE)
    await engine.drain()
    state = await detail_tab(people.tokens["member"], execution_id)
    await call(state, "load")
    assert not (state.can_pause or state.can_resume or state.can_cancel or state.can_retry)
    before = database()
    [(kind, message)] = toasts(await call(state, "resume"))  # a forged click
    assert kind == "error" and message.startswith("Only paused executions can be resumed")
    assert database() == before

    viewer = await detail_tab(people.tokens["viewer"], execution_id)
    viewer.exec_id = execution_id
    assert toasts(await call(viewer, "pause"))[0][0] == "error"
    assert database() == before


async def test_an_approval_says_what_it_waits_for_and_only_its_approver_decides(
    people: People, engine: Any
) -> None:
    execution_id = await _start(people, APPROVAL)
    await _until(lambda: _status(people, execution_id) == "waiting")

    admin = await detail_tab(people.tokens["admin"], execution_id)
    await call(admin, "load")
    [wait] = admin.waits
    assert (wait["step"], wait["kind"], wait["message"]) == ("ask", "approval", "Ship it?")
    assert wait["approvers"] == "member@example.com" and not wait["can_decide"]
    node = (await shown(admin))["ask"]
    assert node["status"] == "waiting" and node["note"] == "waiting for approval"
    assert node["pulse"] and node["actions"] == []  # the admin is not a named approver
    await call(admin, "node_action", "ask", "approve")  # a forged click changes nothing
    assert admin.decision == ""
    await call(admin, "open_decision", wait["approval_id"], "approved")
    before = database()
    [(kind, message)] = toasts(await call(admin, "submit_decision"))
    assert kind == "error" and "named approvers" in message  # admins too must be listed
    assert database() == before

    member = await detail_tab(people.tokens["member"], execution_id)
    await call(member, "load")
    assert member.waits[0]["can_decide"]
    node = (await shown(member))["ask"]
    assert node["actions"] == ["approve", "reject"]
    await call(member, "node_action", "ask", "reject")  # the node's button: the same dialog
    assert (member.decision, member.decision_approval) == ("rejected", wait["approval_id"])
    await call(member, "close_decision")
    await call(member, "node_action", "ask", "approve")
    assert member.decision == "approved"
    await call(member, "set_decision_comment", "looks right")
    result = await call(member, "submit_decision")
    assert toasts(result) == [("success", "You approved step ask")]
    assert member.waits == [] and member.decision == ""
    await engine.drain()
    await _until(lambda: _status(people, execution_id) == "succeeded")
    detail = executions.get_execution(actor(people), execution_id)
    assert detail["steps"][0]["output"]["comment"] == "looks right"


async def test_a_queued_execution_draws_its_graph_before_any_step_ran(
    people: People, engine: Any
) -> None:
    await engine.stop()  # nothing claims the run: it stays queued
    execution_id = await _start(people, TWO_BRANCHES, n=5)
    state = await detail_tab(people.tokens["member"], execution_id)
    await call(state, "load")
    assert state.execution["status"] == "queued" and state.steps == [] and state.bars == []
    assert [n["status"] for n in (await shown(state)).values()] == ["pending"] * 5
    assert [n["note"] for n in (await shown(state)).values()] == [""] * 5
    canvas = await canvas_tab(state)
    assert len(canvas.canvas_edges) == 6 and state.can_cancel
    assert canvas.canvas_run == {"steps": {}, "edges": {}}  # all pending: nothing to send
    assert isinstance(state, ExecutionDetailState)


async def test_a_for_each_step_lists_its_items_in_its_panel(people: People, engine: Any) -> None:
    loop = {
        "id": "each",
        "type": "for_each",
        "config": {
            "items": [1, 2, 3],
            "step": {"type": "transform", "config": {"values": {"double": "{{ item * 2 }}"}}},
        },
    }
    execution_id = await _start(
        people, [loop, {"id": "after", "type": "transform", "config": {"values": {"a": 1}}}]
    )
    await engine.drain()
    state = await detail_tab(people.tokens["member"], execution_id)
    await call(state, "load")
    each, after = state.steps
    assert (
        each["items"]["total"] == 3
        and [i["status"] for i in each["items"]["items"]] == ["succeeded"] * 3
    )
    assert after["items"]["total"] == 0
    each_node = (await shown(state))["each"]
    assert each_node["progress"] == "3/3" and each_node["status"] == "succeeded"


async def test_a_click_on_a_node_shows_its_step_and_the_empty_canvas_closes_it(
    people: People, engine: Any
) -> None:
    execution_id = await _start(people, TWO_BRANCHES, n=5)
    await engine.drain()
    state = await detail_tab(people.tokens["member"], execution_id)
    await call(state, "load")
    await call(state, "select_node", "left")
    view = state.selected_view
    assert (state.selected, view["key"], view["status"]) == ("left", "left", "succeeded")
    assert '"waited_s": 0.3' in view["output"] and len(view["attempts"]) == 1
    await call(state, "select_node", "nobody")  # not a node of this run
    assert state.selected == ""
    await call(state, "select_node", "no")
    assert state.selected_view["skip_reason"] != ""
    await call(state, "select_node", "")
    assert state.selected == ""


async def test_a_reload_that_changes_no_node_sends_no_canvas(people: People, engine: Any) -> None:
    execution_id = await _start(people, TWO_BRANCHES, n=5)
    await engine.drain()
    state = await detail_tab(people.tokens["member"], execution_id)
    await call(state, "load")
    canvas = await canvas_tab(state)
    assert canvas.dirty_vars == {"canvas_nodes", "canvas_edges", "canvas_run"}
    state.dirty_vars.clear()
    canvas.dirty_vars.clear()
    await call(state, "load")  # the same run again: nothing the page shows is re-sent
    assert not canvas.dirty_vars
    assert not {"steps", "bars", "waits"} & state.dirty_vars


async def test_a_live_update_of_the_canvas_sends_its_run_map_alone(
    people: People, engine: Any
) -> None:
    execution_id = await _start(people, PAUSABLE)

    def first() -> str:  # "" until the first step is recorded (a busy machine is slow to it)
        steps = executions.get_execution(actor(people), execution_id)["steps"]
        return steps[0]["status"] if steps else ""

    await _until(lambda: first() == "running")
    state = await detail_tab(people.tokens["member"], execution_id)
    await call(state, "load")
    assert (await shown(state))["first"]["status"] == "running"
    await engine.drain()
    canvas = await canvas_tab(state)
    state.dirty_vars.clear()
    canvas.dirty_vars.clear()
    # what the follower does first at each reload: the canvas, in a delta of its own
    await state._show_canvas(executions.get_execution(actor(people), execution_id))
    assert canvas.dirty_vars == {"canvas_run"}  # the nodes and edges were sent at the load
    assert not state.dirty_vars  # the rest of the page is not redrawn for it
    delta = canvas.get_delta()
    assert list(delta) == [ExecutionCanvasState.get_full_name()]
    assert {k: n["status"] for k, n in (await shown(state)).items()} == {
        "first": "succeeded",
        "second": "succeeded",
    }
    assert canvas.canvas_run["edges"] == {"first->second": "done"}


async def test_a_big_run_lists_its_first_rows_and_more_on_request(
    people: People, engine: Any
) -> None:
    many = [
        {"id": f"s{i}", "type": "transform", "config": {"values": {"i": i}}} for i in range(110)
    ]
    execution_id = await _start(people, many)
    await engine.drain()
    state = await detail_tab(people.tokens["member"], execution_id)
    await call(state, "load")
    assert [s["key"] for s in state.steps] == [f"s{i}" for i in range(ROWS_PAGE)]
    assert (state.steps_more, len(state.bars), state.bars_more) == (85, ROWS_PAGE, 85)
    assert len((await canvas_tab(state)).canvas_nodes) == 110  # the canvas draws every step
    await call(state, "select_node", "s90")  # the panel shows a step beyond the rows listed
    assert state.selected_view["key"] == "s90" and '"i": 90' in state.selected_view["output"]
    await call(state, "show_more_steps")
    assert (len(state.steps), state.steps_more) == (ROWS_PAGE * 3, 110 - ROWS_PAGE * 3)
    await call(state, "show_step", "s100")  # "Show in the steps list" lists rows up to it
    assert state.steps[-1]["key"] == "s100" and "s100" in state.open_steps
    await call(state, "show_all_bars")
    assert (len(state.bars), state.bars_more) == (110, 0)
    await call(state, "load")  # a reload keeps what the person asked to see
    assert (len(state.steps), len(state.bars)) == (101, 110)


@pytest.mark.parametrize(("steps", "page_s"), [(0, 0.0), (5, 0.0), (100, 0.0), (101, 2.0)])
def test_a_big_runs_canvas_is_reloaded_as_often_and_the_rest_of_its_page_less(
    steps: int, page_s: float
) -> None:
    assert throttle_for(steps) == 0.1
    assert page_every(steps) == page_s


def test_the_pacer_holds_the_page_between_its_redraws_and_shows_the_last_one() -> None:
    now = [0.0]
    pacer = PagePacer(0.5, clock=lambda: now[0])
    running = {"status": "running", "n": 1}
    assert pacer.take(running) == running  # the first reload: the whole page at once
    now[0] = 0.1
    assert pacer.take({**running, "n": 2}) is None  # held: only the canvas
    now[0] = 0.3
    assert pacer.take({**running, "n": 3}) is None
    now[0] = 0.55
    assert pacer.take({**running, "n": 4}) == {**running, "n": 4}
    now[0] = 0.6
    assert pacer.take({**running, "n": 5}) is None
    assert pacer.take({}) == {**running, "n": 5}  # the run went quiet: the held one
    assert pacer.take({}) is None  # nothing held
    now[0] = 0.7
    assert pacer.take({"status": "succeeded", "n": 6}) == {"status": "succeeded", "n": 6}
    assert PagePacer(0.0).take(running) == running == PagePacer(0.0).take(running)
