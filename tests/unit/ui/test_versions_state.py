"""The Versions tab's state against a real database: refusals, timeline, compare, restore.

Handlers are called the way Reflex's event processor calls them (see test_state_guards.py).
A viewer (or no session) must get nothing and change nothing through any data handler; a
member or admin reads timelines, compares and restores, and a rollback without a reason
shows the service's message next to the field and writes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
import reflex as rx
from reflex.istate.data import PageData

from app.services import articles, auth, workflow_history, workflows
from app.services.actor import Actor
from app.ui.components.diff_view import inline_lines, side_rows
from app.ui.states.version_views import workflow_fields
from app.ui.states.versions import VersionsState
from tests.unit.ui import test_state_guards as guards
from tests.unit.ui.tabs import sign_in_tab
from tests.unit.ui.test_state_guards import People, call, database, redirect_target, toasts

people_template = guards.people_template
people = guards.people

UI_ONLY = {
    "set_body_mode",
    "ask_restore",
    "close_restore",
    "set_reason",
    "select_graph_node",
    "setvar",
}


def _definition(url: str, cron: str = "0 9 * * *") -> dict[str, Any]:
    return {
        "name": "Digest",
        "trigger": {"type": "schedule", "config": {"cron": cron}},
        "actions": [{"id": "fetch", "type": "api_call", "config": {"url": url}}],
    }


def actor(people: People, who: str) -> Actor:
    return auth.authenticate(people.tokens[who])


def three_versions(member: Actor) -> int:
    wf = workflows.create_workflow(member, _definition("https://a.example/feed")).workflow["id"]
    workflows.update_workflow(member, wf, _definition("https://b.example/feed"))
    workflows.update_workflow(member, wf, _definition("https://b.example/feed", "0 10 * * *"))
    return wf


def two_article_versions(member: Actor) -> int:
    article = articles.create_article(member, title="Lessons", body="one\ntwo\nthree")
    articles.update_article(member, article["id"], body="one\nTWO\nthree\nfour")
    return article["id"]


async def tab(token: str, **params: str) -> VersionsState:
    root = rx.State()
    root.rx_router_page = PageData(path="/admin/versions", params=params)
    state = await root.get_state(VersionsState)
    sign_in_tab(state, token)
    return state


# --- refused -----------------------------------------------------------------------------------

ATTEMPTS: dict[str, Any] = {
    "load": (),
    "set_kind": ("articles",),
    "set_search": ("Dig",),
    "pick_item": None,  # the workflow's id, filled in below
    "toggle_pick": (2,),
    "confirm_restore": (),
}


def test_every_data_handler_is_attempted() -> None:
    assert set(VersionsState.event_handlers) - UI_ONLY == set(ATTEMPTS)


@pytest.mark.parametrize("attempt", sorted(ATTEMPTS))
@pytest.mark.parametrize("who", ["viewer", "none", "forged"])
async def test_versions_handlers_refuse_a_viewer(people: People, who: str, attempt: str) -> None:
    wf = three_versions(actor(people, "member"))
    state = await tab(people.tokens[who], workflow=str(wf))
    # As if a forged event came after a refused load: an item, a tick and a dialog are set.
    state.item_id, state.picked, state.restore_number, state.reason = wf, [1], 1, "because"
    before = database()
    args = ATTEMPTS[attempt]
    result = await call(state, attempt, *((wf,) if args is None else args))
    if who == "viewer":
        said = " ".join([state.problem, state.restore_error, *(m for _, m in toasts(result))])
        assert "viewer" in said, (result, said)
    else:
        assert redirect_target(result) == "/login"
    assert not [kind for kind, _ in toasts(result) if kind == "success"]
    assert state.items == [] and state.versions == [] and state.fields == []
    assert state.words == [] and state.body_lines == []
    assert database() == before


# --- allowed -----------------------------------------------------------------------------------


async def test_member_sees_items_and_an_empty_hint(people: People) -> None:
    state = await tab(people.tokens["member"])
    assert await call(state, "load") is None
    assert state.loaded and state.items == [] and state.problem == ""
    wf = three_versions(actor(people, "member"))
    await call(state, "set_search", "dig")
    assert [(i["id"], i["label"], i["detail"]) for i in state.items] == [
        (wf, "Digest", "v3 · custom")
    ]
    await call(state, "set_search", "nothing like it")
    assert state.items == []


async def test_admin_reads_the_timeline_and_compares(people: People) -> None:
    wf = three_versions(actor(people, "member"))
    state = await tab(people.tokens["admin"], workflow=str(wf))
    assert await call(state, "load") is None
    assert state.item_id == wf and state.item_label == "Digest" and state.current == 3
    rows = state.versions
    assert [(r["number"], r["change_type"], r["current"]) for r in rows] == [
        (3, "edited", True),
        (2, "edited", False),
        (1, "created", False),
    ]
    assert rows[0]["who"] == "member@example.com" and rows[0]["when"][:2] == "20"
    assert rows[1]["summary"] == "changed “actions.fetch.config.url”"  # no backticks
    # The newest two are compared at once.
    assert state.compared == "v2 → v3" and state.words == ["schedule 0 9 * * * → 0 10 * * *"]
    assert [f["path"] for f in state.fields] == ["trigger.config.cron"]

    await call(state, "toggle_pick", 2)  # untick v2: one left, no diff
    assert state.picked == [3] and state.compared == "" and state.fields == []
    await call(state, "toggle_pick", 1)
    assert state.compared == "v1 → v3"
    changes = {f["path"]: (f["kind"], f["old"], f["new"]) for f in state.fields}
    assert changes["actions.fetch.config.url"] == (
        "changed",
        "https://a.example/feed",
        "https://b.example/feed",
    )


async def test_admin_rolls_back_only_with_a_reason(people: People) -> None:
    wf = three_versions(actor(people, "member"))
    state = await tab(people.tokens["admin"], workflow=str(wf))
    await call(state, "load")
    await call(state, "ask_restore", 1)
    before = database()
    assert await call(state, "confirm_restore") is None
    assert state.reason_error.startswith("Say why") and state.restore_number == 1
    assert database() == before

    await call(state, "set_reason", "the new feed returns 500s")
    assert state.reason_error == ""
    result = await call(state, "confirm_restore")
    assert toasts(result) == [("success", "Rolled back to version 1: now version 4")]
    assert state.restore_number == 0 and state.current == 4
    newest = state.versions[0]
    assert newest["number"] == 4 and newest["change_type"] == "rolled back"
    assert newest["restored"] == "restored v1 because “the new feed returns 500s”"
    assert state.compared == "v3 → v4"
    [listed] = [i for i in state.items if i["id"] == wf]
    assert listed["detail"].startswith("v4 ·")  # the list follows the rollback too
    member = actor(people, "member")
    definition = workflow_history.get_version(member, wf, 4)["definition"]
    assert definition["actions"][0]["config"]["url"] == "https://a.example/feed"

    # Rolling back to what is already current is refused, with the reason shown in the dialog.
    await call(state, "ask_restore", 1)
    await call(state, "set_reason", "again")
    before = database()
    assert await call(state, "confirm_restore") is None
    assert "already matches" in state.restore_error and database() == before


async def test_member_compares_and_reverts_an_article(people: People) -> None:
    article_id = two_article_versions(actor(people, "member"))
    state = await tab(people.tokens["member"])
    await call(state, "load")
    await call(state, "set_kind", "articles")
    assert [i["label"] for i in state.items] == ["Lessons"]
    await call(state, "pick_item", article_id)
    assert [r["number"] for r in state.versions] == [2, 1]
    assert state.versions[0]["commit"] and len(state.versions[0]["commit"]) == 10
    assert state.chain_note == "" and state.words == ["changed body"]
    kinds = [(line["kind"], line["text"]) for line in state.body_lines]
    assert ("delete", "two") in kinds and ("insert", "TWO") in kinds and ("insert", "four") in kinds

    await call(state, "ask_restore", 1)
    status = articles.get_article(actor(people, "member"), article_id)["status"]
    assert f"The status stays {status}" in state.restore_note  # said before the revert
    result = await call(state, "confirm_restore")  # a reason is optional for articles
    assert toasts(result) == [("success", "Reverted to version 1: now version 3")]
    assert f"The status stays {status}" in str(result)  # and after it, in the toast
    assert state.versions[0]["change_type"] == "reverted"
    assert state.versions[0]["restored"] == "restored v1"
    assert [i["detail"] for i in state.items if i["id"] == article_id][0].startswith("v3 ·")
    assert articles.get_article(actor(people, "member"), article_id)["body"] == "one\ntwo\nthree"


async def test_an_unknown_item_says_so(people: People) -> None:
    state = await tab(people.tokens["member"], workflow="999")
    assert await call(state, "load") is None
    assert "999" in state.problem and state.item_id == 0


# --- the diff shaping ----------------------------------------------------------------------------


def test_workflow_fields_name_actions_by_id_and_say_added_and_removed() -> None:
    before = {"actions": [{"id": "fetch", "config": {"url": 1}}], "description": "old words"}
    after = {"actions": [{"id": "fetch", "config": {"url": 2}}, {"id": "notify", "type": "x"}]}
    assert workflow_fields({}, before, after) == [
        {"path": "actions.fetch.config.url", "kind": "changed", "old": "1", "new": "2"},
        {"path": "actions.notify.id", "kind": "added", "old": "", "new": "notify"},
        {"path": "actions.notify.type", "kind": "added", "old": "", "new": "x"},
        {"path": "description", "kind": "removed", "old": "old words", "new": ""},
    ]


def test_long_unchanged_runs_fold_into_a_gap() -> None:
    old = [f"line {i}" for i in range(20)]
    blocks = [
        {"op": "equal", "old_start": 0, "old": old[:10], "new_start": 0, "new": old[:10]},
        {"op": "replace", "old_start": 10, "old": ["line 10"], "new_start": 10, "new": ["X"]},
        {"op": "equal", "old_start": 11, "old": old[11:], "new_start": 11, "new": old[11:]},
    ]
    lines = inline_lines(blocks)
    assert [line["kind"] for line in lines] == [
        *["gap", "equal", "equal", "equal", "delete", "insert"],
        *["equal", "equal", "equal", "gap"],
    ]
    assert lines[0]["text"] == "⋯ 7 unchanged lines" and lines[4]["old_no"] == "11"
    rows = side_rows(blocks)
    assert [(r["left_kind"], r["right_kind"]) for r in rows][4] == ("delete", "insert")
    assert (rows[4]["left"], rows[4]["right"]) == ("line 10", "X")


# --- the compare canvas --------------------------------------------------------------------------


def _graph_definition(steps: list[dict[str, Any]]) -> dict[str, Any]:
    return {"name": "Graph", "trigger": {"type": "manual"}, "actions": steps}


def _call_step(url: str, token: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    return {"id": "fetch", "type": "api_call", "config": {"url": url, "headers": headers}}


def _transform(step_id: str, **extra: Any) -> dict[str, Any]:
    return {"id": step_id, "type": "transform", "config": {"values": {"n": 1}}, **extra}


async def test_compare_draws_both_versions_and_a_click_lists_the_changes(people: People) -> None:
    member = actor(people, "member")
    old_steps = [
        _call_step("https://a.example/feed", "old-secret-token-1"),
        _transform("shape"),
        _transform("tell"),
    ]
    new_steps = [
        _call_step("https://b.example/feed", "new-secret-token-2"),
        _transform("tell", depends_on=["fetch"]),
        _transform("audit", depends_on=["tell"]),
    ]
    wf = workflows.create_workflow(member, _graph_definition(old_steps)).workflow["id"]
    workflows.update_workflow(member, wf, _graph_definition(new_steps))
    state = await tab(people.tokens["admin"], workflow=str(wf))
    await call(state, "load")
    assert state.compared == "v1 → v2"

    changes = {n["id"]: n["data"]["change"] for n in state.graph_nodes}
    assert changes == {"fetch": "changed", "tell": "changed", "audit": "added", "shape": "removed"}
    styles = {e["id"]: e["style"].get("stroke", "") for e in state.graph_edges}
    assert styles == {
        "fetch->tell": "var(--green-9)",
        "tell->audit": "var(--green-9)",
        "fetch->shape": "var(--red-9)",
        "shape->tell": "var(--red-9)",
    }
    assert state.graph_summary == "1 added · 1 removed · 2 changed"
    assert [(s["id"], s["change"]) for s in state.graph_changed] == [
        ("fetch", "changed"),
        ("tell", "changed"),
        ("audit", "added"),
        ("shape", "removed"),
    ]
    assert state.graph_selected == "" and state.graph_rows == []

    await call(state, "select_graph_node", "fetch")
    assert (state.graph_selected, state.graph_change) == ("fetch", "changed")
    rows = {r["path"]: (r["kind"], r["old"], r["new"]) for r in state.graph_rows}
    assert rows == {
        "config.headers.Authorization": ("changed", "[redacted]", "[redacted]"),
        "config.url": ("changed", "https://a.example/feed", "https://b.example/feed"),
    }
    await call(state, "select_graph_node", "tell")
    assert [(r["path"], r["old"], r["new"]) for r in state.graph_rows] == [
        ("depends_on", "shape", "fetch")
    ]
    await call(state, "select_graph_node", "no such step")
    assert state.graph_selected == "" and state.graph_rows == []

    # No secret reaches the browser, on the canvas or in the field list.
    sent = repr(state.dict())
    assert "secret-token" not in sent
    # The field list matches steps by id (DeepDiff, by position, read "shape renamed to tell").
    fields = {f["path"]: (f["kind"], f["old"], f["new"]) for f in state.fields}
    changed = {p for p in fields if not p.startswith(("actions.audit.", "actions.shape."))}
    assert changed == {
        "actions.fetch.config.headers.Authorization",
        "actions.fetch.config.url",
        "actions.tell.depends_on[0]",
    }
    assert fields["actions.fetch.config.headers.Authorization"] == (
        "changed",
        "[redacted]",
        "[redacted]",
    )
    assert fields["actions.tell.depends_on[0]"] == ("added", "", "fetch")
    # A step added or removed lists its fields, each read as added or removed (no raw JSON).
    assert fields["actions.shape.id"] == ("removed", "shape", "")
    assert fields["actions.audit.id"] == ("added", "", "audit")
    assert {f[0] for p, f in fields.items() if p.startswith("actions.shape.")} == {"removed"}
    assert {f[0] for p, f in fields.items() if p.startswith("actions.audit.")} == {"added"}
    assert not [f for f in fields.values() if "{" in f[1] + f[2]]


async def test_article_compare_draws_no_canvas_and_junk_picks_change_nothing(
    people: People,
) -> None:
    article_id = two_article_versions(actor(people, "member"))
    state = await tab(people.tokens["member"], article=str(article_id))
    await call(state, "load")
    assert state.compared == "v1 → v2" and state.graph_nodes == [] and state.graph_edges == []
    assert state.graph_changed == []
    for junk in (2**70, -1, "x", None):
        assert await call(state, "toggle_pick", junk) is None
    assert state.picked == [1, 2] and state.problem == ""
