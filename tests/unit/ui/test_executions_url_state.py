"""The executions list reads its filters from the address (a shared or reloaded link) and
writes them back there when a person changes one."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import reflex as rx
from reflex.istate.data import ReflexURL, URLData

from app.engine import runtime
from app.engine.runner import Engine
from app.services import auth, executions, workflows
from app.ui.states.executions import ALL, ExecutionsState
from tests.unit.ui import test_state_guards as guards
from tests.unit.ui.tabs import sign_in_tab
from tests.unit.ui.test_state_guards import People, call

people_template = guards.people_template
people = guards.people
OK = [{"id": "ok", "type": "transform", "config": {"values": {"a": 1}}}]
FAILS = [{"id": "boom", "type": "transform", "config": {"values": {"b": "{{ 1 / 0 }}"}}}]


@pytest.fixture
async def engine(people: People) -> AsyncIterator[Engine]:
    eng = Engine(max_concurrent=4)
    runtime.install(eng)
    await eng.start()
    yield eng
    await eng.stop()
    runtime.install(None)


async def tab_at(token: str, query: str) -> ExecutionsState:
    root = rx.State()
    root.rx_router_url = URLData.from_url(ReflexURL(f"http://localhost/admin/executions{query}"))
    state = await root.get_state(ExecutionsState)
    sign_in_tab(state, token)
    return state


def script_of(result: object) -> str:
    events = result if isinstance(result, list) else [result]
    return " ".join(str(e) for e in events)


async def test_the_list_reads_and_writes_its_filters_in_the_address(
    people: People, engine: Engine
) -> None:
    member = auth.authenticate(people.tokens["member"])
    ids = {}
    for name, actions in (("good", OK), ("bad", FAILS)):
        wf = workflows.create_workflow(
            member, {"name": name, "trigger": {"type": "manual"}, "actions": actions}
        ).workflow["id"]
        ids[name] = (wf, (await executions.execute_workflow(member, wf))["id"])
    await engine.drain()
    bad_wf, bad_run = ids["bad"]

    state = await tab_at(people.tokens["member"], f"?workflow={bad_wf}&status=failed&range=2y")
    assert "replaceState" in script_of(await call(state, "load"))
    assert (state.workflow_filter, state.status_filter, state.range_filter) == (
        str(bad_wf),
        "failed",
        ALL,  # not a range the list offers
    )
    assert [r["id"] for r in state.rows] == [bad_run] and not state.live

    written = script_of(await call(state, "set_status_filter", "succeeded"))
    assert "replaceState" in written and f"?workflow={bad_wf}&status=succeeded" in written
    assert state.rows == []
    cleared = script_of(await call(state, "clear_filters"))
    assert "replaceState" in cleared and "?workflow" not in cleared and state.live

    plain = await tab_at(people.tokens["member"], "")
    assert await call(plain, "load") is None
    assert not plain.filtered and len(plain.rows) == 2

    # Back on the list without a query (the nav link, "All executions"): the tab's own filters
    # stay, and go into the address.
    await call(plain, "set_status_filter", "failed")
    kept = script_of(await call(plain, "load"))
    assert plain.status_filter == "failed" and "?status=failed" in kept
    assert [r["id"] for r in plain.rows] == [bad_run]
