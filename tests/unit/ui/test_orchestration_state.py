"""The orchestration states against a real database, a real engine and a loopback server.

Handlers are called the way Reflex's event processor calls them (`call`); the service checks
roles, so a viewer's forged events change nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import reflex as rx
from reflex.istate.data import PageData

from app.engine import runtime
from app.engine.runner import Engine
from app.services import auth, orchestration_runs, orchestrations
from app.services.actor import Actor
from app.ui.states.orchestrations import OrchestrationsState
from app.ui.states.orchestrations_detail import OrchestrationDetailState, parse_inputs
from app.ui.states.orchestrations_run import OrchestrationRunState, fetch_run, follow_run
from tests.integration.engine.orchestration_server import Answer, Api, serve
from tests.unit.ui import test_state_guards as guards
from tests.unit.ui.tabs import sign_in_tab
from tests.unit.ui.test_state_guards import People, database, redirect_target, toasts

people_template = guards.people_template
people = guards.people


@pytest.fixture
async def engine(people: People) -> AsyncIterator[Engine]:
    eng = Engine(max_concurrent=8)
    runtime.install(eng)
    await eng.start()
    yield eng
    await eng.stop()
    runtime.install(None)


@pytest.fixture
def remote() -> Iterator[Api]:
    with serve() as api:
        api.script("/login", Answer(body={"data": {"token": "t-99"}}))
        yield api


async def call(state: rx.State, name: str, *args: Any) -> Any:
    """`test_state_guards.call` for a handler a substate inherits: Reflex runs it on the
    state that defines it (the page's `S.load_new` is the editor's handler)."""
    owner = next(c for c in type(state).__mro__ if name in getattr(c, "event_handlers", {}))
    target = state if owner is type(state) else await state.get_state(owner)
    return await guards.call(target, name, *args)


def actor(people: People, who: str = "member") -> Actor:
    return auth.authenticate(people.tokens[who])


async def tab(cls: type[rx.State], token: str, path: str = "", **params: str) -> Any:
    root = rx.State()
    if path:
        root.rx_router_page = PageData(path=path, params=params)
    state = await root.get_state(cls)
    sign_in_tab(state, token)
    return state


async def editor(token: str, orch_id: int | None = None) -> OrchestrationDetailState:
    if orch_id is None:
        return await tab(OrchestrationDetailState, token, "/admin/orchestrations/new")
    return await tab(
        OrchestrationDetailState,
        token,
        "/admin/orchestrations/[orchestration_id]",
        orchestration_id=str(orch_id),
    )


def _pipeline(url: str) -> dict[str, Any]:
    return {
        "name": "pipe",
        "mode": "pipeline",
        "calls": [
            {
                "id": "login",
                "method": "POST",
                "url": url + "/login",
                "extract": {"t": "data.token"},
            },
            {"id": "me", "url": url + "/me", "headers": {"X-Session": "{{ calls.login.t }}"}},
        ],
    }


async def test_a_member_builds_one_in_the_form_problems_next_to_their_fields(
    people: People,
) -> None:
    state = await editor(people.tokens["member"])
    assert await call(state, "load_new") is None
    assert len(state.calls) == 1 and len(state.graph_nodes) == 1
    await call(state, "set_field", "name", "two calls")
    await call(state, "set_call_field", 0, "id", "login")
    await call(state, "set_call_field", 0, "url", "http://127.0.0.1:9/login")
    await call(state, "add_call")
    await call(state, "set_call_field", 1, "headers", '{"X-A": ')
    assert state.call_errors[1]["headers"].startswith("Not valid JSON")  # as it is typed
    await call(state, "set_call_field", 1, "body", "[1, 2]")  # a body may be any JSON
    assert "body" not in state.call_errors[1]
    before = database()

    result = await call(state, "save")  # the form's own problem: JSON it cannot read
    assert ("error", "Some fields need attention") in toasts(result)
    assert state.call_errors[1]["headers"].startswith("Not valid JSON")
    await call(state, "set_call_field", 1, "headers", '{"X-A": "1"}')
    assert "headers" not in state.call_errors[1]  # the edit clears the field's problem

    result = await call(state, "save")  # the service's problem: the second URL is missing
    assert redirect_target(result) is None
    assert "url" in state.call_errors[1] and "calls[1].url" in state.problems[0]
    assert database() == before

    await call(state, "set_call_field", 1, "url", "http://127.0.0.1:9/me")
    result = await call(state, "save")
    (saved,), total = orchestrations.list_orchestrations(actor(people))
    assert total == 1 and saved["name"] == "two calls" and saved["call_count"] == 2
    assert redirect_target(result) == f"/admin/orchestrations/{saved['id']}"
    assert [(e["source"], e["target"]) for e in state.graph_edges] == [("login", "call2")]


async def test_a_viewers_forged_save_changes_nothing(people: People) -> None:
    state = await editor(people.tokens["viewer"])
    assert redirect_target(await call(state, "load_new")) is not None
    await call(state, "set_call_field", 0, "url", "http://127.0.0.1:9/x")
    await call(state, "set_field", "name", "sneaky")
    before = database()
    await call(state, "save")
    assert "viewer" in state.form_error.lower() or "permission" in state.form_error.lower()
    assert database() == before


async def test_the_json_tab_shows_the_definition_and_applies_edits_back(people: People) -> None:
    state = await editor(people.tokens["member"])
    await call(state, "load_new")
    await call(state, "set_call_field", 0, "url", "http://127.0.0.1:9/a")
    await call(state, "set_tab", "json")
    assert state.tab == "json" and '"url": "http://127.0.0.1:9/a"' in state.json_text
    await call(state, "set_json_text", "{broken")
    await call(state, "set_tab", "form")
    assert state.tab == "json" and state.errors["json"].startswith("Not valid JSON")
    await call(state, "set_json_text", '{"name": "j", "mode": "parallel", "calls": [')
    await call(
        state,
        "set_json_text",
        '{"name": "j", "mode": "parallel", "calls": [{"id": "a", "url": "http://x/a"},'
        ' {"id": "b", "url": "http://x/b", "dependsOn": ["a"]}]}',
    )
    await call(state, "set_tab", "runs")  # leaving the JSON tab applies it, wherever to
    assert state.tab == "runs" and state.fields["mode"] == "parallel"
    await call(state, "set_tab", "form")
    assert state.tab == "form" and state.fields["mode"] == "parallel"
    assert [c["id"] for c in state.calls] == ["a", "b"] and state.calls[1]["depends_on"] == ["a"]
    assert [(e["source"], e["target"]) for e in state.graph_edges] == [("a", "b")]


async def test_renaming_moving_and_removing_calls_keeps_dependencies_right(
    people: People,
) -> None:
    state = await editor(people.tokens["member"])
    await call(state, "load_new")
    assert state.listed_order  # sequential: only calls above may be chosen
    await call(state, "set_field", "mode", "parallel")
    assert not state.listed_order
    await call(state, "add_call")
    await call(state, "add_call")
    await call(state, "toggle_dependency", 2, "call1", True)
    await call(state, "toggle_dependency", 2, "call3", True)  # itself: ignored
    await call(state, "set_call_field", 0, "id", "login")
    assert state.calls[2]["depends_on"] == ["login"]
    await call(state, "move_call", 2, -1)
    assert [c["id"] for c in state.calls] == ["login", "call3", "call2"]
    await call(state, "remove_call", 0)
    assert state.calls[0]["depends_on"] == [] and len(state.graph_edges) == 0
    await call(state, "set_call_field", 5, "url", "x")  # no such card: nothing happens
    await call(state, "set_call_field", 0, "secret_field", "x")
    assert "secret_field" not in state.calls[0]


def test_run_inputs_must_be_a_json_object() -> None:
    assert parse_inputs('{"a": 1}') == ({"a": 1}, "")
    assert parse_inputs("")[0] == {}
    assert parse_inputs("[1]")[1].startswith("The inputs must be a JSON object")
    assert parse_inputs("{")[1].startswith("Not valid JSON")


async def test_run_from_the_page_then_follow_it_to_its_end(
    people: People, engine: Engine, remote: Api
) -> None:
    member = actor(people)
    oid = orchestrations.create_orchestration(member, _pipeline(remote.url))["id"]
    state = await editor(people.tokens["member"], oid)
    assert await call(state, "load_edit") is None
    assert state.orch_id == oid and [c["id"] for c in state.calls] == ["login", "me"]
    await call(state, "ask_run")
    await call(state, "set_run_inputs", "[]")
    assert redirect_target(await call(state, "confirm_run")) is None and state.run_error
    await call(state, "set_run_inputs", '{"user": "ada"}')
    target = redirect_target(await call(state, "confirm_run"))
    assert target is not None and target.startswith("/admin/orchestrations/runs/")
    run_id = int(target.rsplit("/", 1)[1])

    seen: list[dict[str, Any]] = []

    async def apply(detail: dict[str, Any]) -> bool:
        seen.append(detail)
        return True

    reloads = await asyncio.wait_for(
        follow_run(run_id, lambda: fetch_run(people.tokens["member"], run_id), apply), 20
    )
    assert seen[-1]["status"] == "succeeded" and reloads == len(seen)
    assert remote.seen("/me")[0].headers.get("X-Session") == "t-99"

    page = await tab(
        OrchestrationRunState,
        people.tokens["member"],
        "/admin/orchestrations/runs/[run_id]",
        run_id=str(run_id),
    )
    assert await call(page, "load") is None  # ended: no follower
    assert page.run["status"] == "succeeded" and [b["key"] for b in page.bars] == ["login", "me"]
    assert '"X-Session": "t-99"' in page.calls[1]["request"]
    await call(state, "refresh_runs")
    assert [r["id"] for r in state.runs] == [run_id]

    listing = await tab(OrchestrationsState, people.tokens["member"])
    await call(listing, "load")
    assert listing.rows[0]["last_status"] == "succeeded" and listing.rows[0]["calls"] == 2


async def test_following_stops_when_the_page_no_longer_wants_it_and_cancel_ends_the_run(
    people: People, engine: Engine, remote: Api
) -> None:
    remote.script("/login", Answer(body={"data": {}}, delay_s=5))
    member = actor(people)
    oid = orchestrations.create_orchestration(member, _pipeline(remote.url))["id"]
    run = await orchestration_runs.start_run(member, oid, {})
    answers = iter([True, False])

    async def apply(detail: dict[str, Any]) -> bool:
        return next(answers)

    reloads = await asyncio.wait_for(
        follow_run(
            run["id"], lambda: fetch_run(people.tokens["member"], run["id"]), apply, idle_s=0.05
        ),
        5,
    )
    assert reloads == 2

    page = await tab(
        OrchestrationRunState,
        people.tokens["member"],
        "/admin/orchestrations/runs/[run_id]",
        run_id=str(run["id"]),
    )
    follower = await call(page, "load")  # still running: the page asks for its follower
    assert follower is not None and page.running and page.run["status"] == "running"
    viewer = await tab(
        OrchestrationRunState,
        people.tokens["viewer"],
        "/admin/orchestrations/runs/[run_id]",
        run_id=str(run["id"]),
    )
    await call(viewer, "load")
    assert toasts(await call(viewer, "cancel"))[0][0] == "error"
    assert page.run["status"] == "running"
    result = await call(page, "cancel")
    assert ("success", "Run cancelled") in toasts(result)
    assert page.run["status"] == "cancelled" and not page.running


async def test_the_list_pauses_and_deletes_and_refuses_a_viewer(people: People) -> None:
    member = actor(people)
    oid = orchestrations.create_orchestration(member, _pipeline("http://127.0.0.1:9"))["id"]
    viewer = await tab(OrchestrationsState, people.tokens["viewer"])
    before = database()
    await call(viewer, "toggle_active", oid, False)
    await call(viewer, "ask_delete", oid, "pipe")
    assert toasts(await call(viewer, "confirm_delete"))[0][0] == "error"
    assert database() == before

    listing = await tab(OrchestrationsState, people.tokens["member"])
    await call(listing, "load")
    assert [r["name"] for r in listing.rows] == ["pipe"] and listing.rows[0]["active"]
    await call(listing, "toggle_active", oid, False)
    assert listing.rows[0]["active"] is False
    await call(listing, "set_filter", "mode_filter", "parallel")
    assert listing.rows == [] and listing.total == 0
    await call(listing, "set_filter", "mode_filter", "pipeline")
    await call(listing, "set_sort", "drop table")  # unknown column: ignored
    assert listing.sort == "name"
    await call(listing, "ask_delete", oid, "pipe")
    assert ("success", "Deleted pipe") in toasts(await call(listing, "confirm_delete"))
    assert listing.rows == [] and orchestrations.list_orchestrations(member)[1] == 0


async def test_an_unknown_orchestration_shows_the_problem_and_no_form(people: People) -> None:
    state = await editor(people.tokens["member"], 999)
    assert await call(state, "load_edit") is None
    assert "does not exist" in state.form_error and not state.loaded and state.orch_id == 0
