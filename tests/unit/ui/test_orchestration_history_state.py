"""An orchestration's History tab against a real database: timeline, compare, rollback.

Handlers are called the way Reflex's event processor calls them. The service checks roles: a
viewer reads nothing (as for workflows) and a forged rollback changes nothing; without a
session every handler sends to the login page. A rollback needs a reason, writes a new
version and reloads the page's form with the restored definition.
"""

from __future__ import annotations

from typing import Any

import pytest
import reflex as rx
from reflex.istate.data import PageData

from app.services import auth, orchestration_history, orchestrations
from app.services.actor import Actor
from app.ui.states.orchestrations_detail import OrchestrationDetailState
from app.ui.states.orchestrations_history import OrchestrationHistoryState, orchestration_fields
from tests.unit.ui import test_state_guards as guards
from tests.unit.ui.tabs import sign_in_tab
from tests.unit.ui.test_state_guards import People, call, database, redirect_target, toasts

people_template = guards.people_template
people = guards.people

ROUTE = "/admin/orchestrations/[orchestration_id]"


def _definition(login_url: str, mode: str = "sequential") -> dict[str, Any]:
    return {
        "name": "sign in",
        "mode": mode,
        "calls": [
            {"id": "login", "method": "POST", "url": login_url},
            {"id": "me", "url": "https://api.example.com/me", "depends_on": ["login"]},
        ],
    }


def actor(people: People, who: str = "member") -> Actor:
    return auth.authenticate(people.tokens[who])


def three_versions(member: Actor) -> int:
    oid = orchestrations.create_orchestration(member, _definition("https://a.example/login"))["id"]
    orchestrations.update_orchestration(member, oid, _definition("https://b.example/login"))
    orchestrations.update_orchestration(
        member, oid, _definition("https://b.example/login", "parallel")
    )
    return oid


async def tab(token: str, oid: int) -> OrchestrationHistoryState:
    root = rx.State()
    root.rx_router_page = PageData(path=ROUTE, params={"orchestration_id": str(oid)})
    state = await root.get_state(OrchestrationHistoryState)
    sign_in_tab(state, token)
    return state


async def test_a_member_reads_the_timeline_and_compares(people: People) -> None:
    oid = three_versions(actor(people))
    state = await tab(people.tokens["member"], oid)
    assert await call(state, "load") is None
    assert state.history_id == oid and state.current == 3 and state.history_problem == ""
    rows = [(r["number"], r["change_type"], r["current"]) for r in state.versions]
    assert rows == [(3, "edited", True), (2, "edited", False), (1, "created", False)]
    assert state.versions[0]["who"] == "member@example.com"
    assert state.versions[1]["summary"] == "changed “calls.login.url”"
    assert state.compared == "v2 → v3" and state.words == ["mode sequential → parallel"]
    assert [f["path"] for f in state.fields] == ["mode"]

    await call(state, "toggle_pick", 2)  # one tick left: no diff
    assert state.picked == [3] and state.compared == "" and state.fields == []
    await call(state, "toggle_pick", 1)
    assert state.compared == "v1 → v3"
    changes = {f["path"]: (f["kind"], f["old"], f["new"]) for f in state.fields}
    assert changes["calls.login.url"] == (
        "changed",
        "https://a.example/login",
        "https://b.example/login",
    )
    assert await call(state, "toggle_pick", "not a number") is None and state.picked == [3, 1]


async def test_a_member_rolls_back_only_with_a_reason_and_the_form_follows(
    people: People,
) -> None:
    oid = three_versions(actor(people))
    state = await tab(people.tokens["member"], oid)
    await call(state, "load")
    await call(state, "ask_restore", 1)
    before = database()
    assert await call(state, "confirm_restore") is None
    assert state.reason_error.startswith("Say why") and state.restore_number == 1
    assert database() == before

    await call(state, "set_reason", "the b host answers 500")
    result = await call(state, "confirm_restore")
    assert toasts(result) == [("success", "Rolled back to version 1: now version 4")]
    assert state.restore_number == 0 and state.current == 4
    newest = state.versions[0]
    assert (newest["number"], newest["change_type"]) == (4, "rolled back")
    assert newest["restored"] == "restored v1 because “the b host answers 500”"
    assert state.compared == "v3 → v4" and "mode parallel → sequential" in state.words
    stored = orchestration_history.get_version(actor(people), oid, 4)["definition"]
    assert stored["calls"][0]["url"] == "https://a.example/login"

    # The page's form is reloaded with the restored definition, the History tab kept open.
    page = await state.get_state(OrchestrationDetailState)
    page.tab = "history"
    assert await call(page, "reload_after_rollback") is None
    assert page.calls[0]["url"] == "https://a.example/login" and page.tab == "history"

    # Rolling back to what is already current is refused, the reason shown in the dialog.
    await call(state, "ask_restore", 1)
    await call(state, "set_reason", "again")
    before = database()
    assert await call(state, "confirm_restore") is None
    assert state.restore_error and database() == before


async def test_a_viewer_reads_nothing_and_a_forged_rollback_changes_nothing(
    people: People,
) -> None:
    oid = three_versions(actor(people))
    state = await tab(people.tokens["viewer"], oid)
    await call(state, "load")
    assert "viewer" in state.history_problem and state.versions == []
    state.history_id, state.restore_number, state.reason = oid, 1, "because"
    before = database()
    result = await call(state, "confirm_restore")
    assert "viewer" in state.restore_error and not toasts(result)
    assert database() == before


@pytest.mark.parametrize("attempt", ["load", "toggle_pick", "confirm_restore"])
async def test_without_a_session_every_handler_sends_to_login(people: People, attempt: str) -> None:
    oid = three_versions(actor(people))
    state = await tab(people.tokens["none"], oid)
    state.history_id, state.picked, state.restore_number, state.reason = oid, [1], 1, "why"
    before = database()
    result = await call(state, attempt, *((2,) if attempt == "toggle_pick" else ()))
    assert redirect_target(result) == "/login"
    assert state.versions == [] and state.fields == [] and database() == before


async def test_an_unknown_orchestration_says_so(people: People) -> None:
    state = await tab(people.tokens["member"], 999)
    assert await call(state, "load") is None
    assert "999" in state.history_problem and state.versions == []


def test_calls_are_matched_by_id_and_secrets_masked() -> None:
    before = {"calls": [{"id": "a", "url": "u1"}, {"id": "b", "url": "u2"}]}
    after = {
        "calls": [{"id": "b", "url": "u2", "headers": {"Authorization": "Bearer s3cret"}}],
        "mode": "parallel",
    }
    diff = {
        "iterable_item_removed": {"root['calls'][1]": {"id": "b", "url": "u2"}},
        "values_changed": {"root['calls'][0]['id']": {"old_value": "a", "new_value": "b"}},
        "dictionary_item_added": {"root['mode']": "parallel"},
    }
    rows = {
        r["path"]: (r["kind"], r["old"], r["new"])
        for r in orchestration_fields(diff, before, after)
    }
    assert rows["calls.a.url"] == ("removed", "u1", "")  # a call removed: its fields
    assert rows["calls.b.headers.Authorization"] == ("added", "", "[redacted]")
    assert "s3cret" not in str(rows)
    assert "mode" in rows and not any(p.startswith("calls[") for p in rows)
