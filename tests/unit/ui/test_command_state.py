"""The command palette's state: it searches with the tab's role, the keys move through the
rows, and choosing sends the tab only where a row it was shown leads (a forged index does
nothing); running a workflow goes through the service. Also the workflow page's steps and
run-history strip as the state holds them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import reflex as rx
from reflex.istate.data import PageData

from app.engine import runtime
from app.engine.runner import Engine
from app.services import auth, executions, workflows
from app.ui.states.command import CommandState
from app.ui.states.workflow_detail import WorkflowDetailState
from app.ui.states.workflows import WorkflowsState
from tests.unit.ui import test_state_guards as guards
from tests.unit.ui.tabs import sign_in_tab
from tests.unit.ui.test_state_guards import People, call, redirect_target, toasts

people_template = guards.people_template
people = guards.people
FETCH = {
    "id": "fetch",
    "name": "Fetch weather",
    "type": "api_call",
    "condition": "false",  # never calls out: the run succeeds without a network
    "config": {
        "method": "POST",
        "url": "https://api.example.com/v1/report?token=t0k3n-value",
        "headers": {"Authorization": "Bearer s3cr3t-value"},
    },
}
OK = {"id": "ok", "type": "transform", "config": {"values": {"city": "Oslo"}}}


@pytest.fixture
async def engine(people: People) -> AsyncIterator[Engine]:
    eng = Engine(max_concurrent=4)
    runtime.install(eng)
    await eng.start()
    yield eng
    await eng.stop()
    runtime.install(None)


async def palette_tab(token: str) -> CommandState:
    root = rx.State()
    state = await root.get_state(CommandState)
    sign_in_tab(state, token)
    return state


def _labels(state: CommandState) -> list[str]:
    return [row["label"] for row in state.rows]


async def test_the_palette_lists_what_the_role_may_open(people: People) -> None:
    admin = await palette_tab(people.tokens["admin"])
    await call(admin, "open_palette")
    assert admin.palette_open and "Data" in _labels(admin) and admin.active_id.endswith("-0")
    assert admin.rows[0]["group"] == "Actions" and admin.rows[1]["group"] == "Pages"
    assert admin.rows[2]["group"] == ""  # a heading above a group's first row only

    member = await palette_tab(people.tokens["member"])
    await call(member, "open_palette")
    assert "Workflows" in _labels(member) and "Data" not in _labels(member)

    viewer = await palette_tab(people.tokens["viewer"])
    await call(viewer, "open_palette")
    assert viewer.rows == [] and "member" in viewer.searching_error


async def test_keys_move_and_enter_opens_the_active_row(people: People) -> None:
    member = auth.authenticate(people.tokens["member"])
    made = workflows.create_workflow(
        member, {"name": "Weather digest", "trigger": {"type": "manual"}, "actions": [OK]}
    ).workflow["id"]
    state = await palette_tab(people.tokens["member"])
    await call(state, "open_palette")
    await call(state, "set_query", "weather")
    assert _labels(state) == ["Weather digest", "Run Weather digest"]
    assert await call(state, "palette_key", "ArrowUp") is not None and state.active == 0
    await call(state, "palette_key", "PageDown")
    assert state.active == 1  # never past the last row
    await call(state, "palette_key", "ArrowUp")
    assert await call(state, "palette_key", "Tab") is None and state.active == 0
    result = await call(state, "palette_key", "Enter")
    assert redirect_target(result) == f"/admin/workflows/{made}" and not state.palette_open


async def test_choosing_only_follows_rows_the_tab_was_shown(people: People) -> None:
    state = await palette_tab(people.tokens["member"])
    await call(state, "open_palette")
    for forged in (len(state.rows), -1, 10**9, "0"):
        assert await call(state, "choose", forged) is None
    assert state.palette_open
    shortcuts = _labels(state).index("Keyboard shortcuts")
    assert await call(state, "choose", shortcuts) is None
    assert state.help_open and not state.palette_open


async def test_run_from_the_palette_starts_it_and_opens_the_run(
    people: People, engine: Engine
) -> None:
    member = auth.authenticate(people.tokens["member"])
    made = workflows.create_workflow(
        member, {"name": "Nightly import", "trigger": {"type": "manual"}, "actions": [OK]}
    ).workflow["id"]
    state = await palette_tab(people.tokens["member"])
    await call(state, "open_palette")
    await call(state, "set_query", "run nightly")
    assert _labels(state)[0] == "Run Nightly import"
    result = await call(state, "choose", 0)
    await engine.drain()
    runs = executions.list_executions(member, executions.ExecutionFilter(workflow_id=made))
    assert len(runs["items"]) == 1
    assert redirect_target(result) == f"/admin/executions/{runs['items'][0]['id']}"
    assert toasts(result)[0][0] == "success"

    workflows.set_active(member, made, False)  # paused since it was listed: the service says no
    await call(state, "open_palette")
    await call(state, "set_query", "nightly")
    assert "Run Nightly import" not in _labels(state)


async def test_the_workflow_page_holds_each_steps_line_its_masked_config_and_its_strip(
    people: People, engine: Engine
) -> None:
    member = auth.authenticate(people.tokens["member"])
    made = workflows.create_workflow(
        member, {"name": "Report", "trigger": {"type": "manual"}, "actions": [OK, FETCH]}
    ).workflow["id"]
    run = await executions.execute_workflow(member, made, payload={})
    await engine.drain()

    root = rx.State()
    root.rx_router_page = PageData(
        path=f"/admin/workflows/{made}", params={"workflow_id": str(made)}
    )
    state = await root.get_state(WorkflowDetailState)
    sign_in_tab(state, people.tokens["member"])
    await call(state, "load_detail")
    assert [s["summary"] for s in state.steps] == [
        "Sets city",
        "POST https://api.example.com/v1/report?token=[redacted]",
    ]
    assert "s3cr3t" not in state.steps[1]["config"] and "t0k3n" not in state.steps[1]["config"]
    bars = state.strip
    assert [b["id"] for b in bars] == [run["id"]]
    assert bars[0]["tip"].startswith(f"#{run['id']} · succeeded · ")
    assert bars[0]["color"] == "var(--green-9)" and bars[0]["height"] == "100%"
    assert state.strip_label == "Last run: 1 succeeded"
    assert state.strips == {}  # the list's strips are the list's: a detail leaves them be


async def test_the_list_holds_a_strip_per_listed_workflow(people: People) -> None:
    member = auth.authenticate(people.tokens["member"])
    ids = [
        workflows.create_workflow(
            member, {"name": f"w{i}", "trigger": {"type": "manual"}, "actions": [OK]}
        ).workflow["id"]
        for i in range(3)
    ]
    root = rx.State()
    state = await root.get_state(WorkflowsState)
    sign_in_tab(state, people.tokens["member"])
    await call(state, "load")
    assert sorted(state.strips) == sorted(str(i) for i in ids)
    assert all(state.strips[str(i)] == [] for i in ids)
    assert state.strip_labels[str(ids[0])] == "No runs yet"
