"""The Audit tab's state against a real database: admins only, filters, pages, exports.

A member or viewer gets the service's refusal and no rows from every data handler (an export
by hand included, which must not even write its `audit.exported` row); an admin filters,
pages by cursor and downloads CSV or JSON of the filtered set.
"""

from __future__ import annotations

import base64
import csv
import inspect
import io
import json
from typing import Any

import pytest
import reflex as rx
from reflex.event import EventSpec

from app.services import audit_query, auth, workflows
from app.services.actor import Actor
from app.ui.states import audit as audit_state
from app.ui.states.audit import AuditState, action_color, details_summary
from tests.unit.ui import test_state_guards as guards
from tests.unit.ui.tabs import sign_in_tab
from tests.unit.ui.test_state_guards import People, call, database, redirect_target, toasts

people_template = guards.people_template
people = guards.people

UI_ONLY = {"setvar"}


async def run(state: rx.State, name: str, *args: Any) -> list[Any]:
    """Every answer of a handler, whether it returns once or yields several times."""
    handler = type(state).event_handlers[name]
    result = handler.fn(state, *args)
    if inspect.isasyncgen(result):
        return [item async for item in result if item is not None]
    return [await result if inspect.isawaitable(result) else result]


def downloads(answers: list[Any]) -> list[tuple[str, str]]:
    """(filename, text) of every rx.download among the answers."""
    found = []
    for answer in answers:
        for spec in answer if isinstance(answer, list) else [answer]:
            if isinstance(spec, EventSpec) and spec.handler.fn.__qualname__ == "_download":
                args = {name._js_expr: value._var_value for name, value in spec.args}
                encoded = args["url"].split("base64,", 1)[1]
                found.append((args["filename"], base64.b64decode(encoded).decode()))
    return found


def all_toasts(answers: list[Any]) -> list[tuple[str, str]]:
    return [t for answer in answers for t in toasts(answer)]


def actor(people: People, who: str) -> Actor:
    return auth.authenticate(people.tokens[who])


async def tab(token: str) -> AuditState:
    state = await rx.State().get_state(AuditState)
    sign_in_tab(state, token)
    return state


def some_changes(member: Actor, count: int = 1) -> int:
    step = {"id": "shape", "type": "transform", "config": {"values": {"n": 1}}}
    definition = {"name": "Digest", "trigger": {"type": "manual"}, "actions": [step]}
    wf = workflows.create_workflow(member, definition).workflow["id"]
    for n in range(count):
        workflows.update_workflow(member, wf, {"description": f"edit {n}"})
    return wf


# --- refused -----------------------------------------------------------------------------------

ATTEMPTS: dict[str, tuple[Any, ...]] = {
    "load": (),
    "set_filter": ("action", "workflow.*"),
    "clear_filters": (),
    "older": (),
    "newer": (),
    "export": ("csv",),
}


def test_every_data_handler_is_attempted() -> None:
    assert set(AuditState.event_handlers) - UI_ONLY == set(ATTEMPTS)


@pytest.mark.parametrize("attempt", sorted(ATTEMPTS))
@pytest.mark.parametrize("who", ["member", "viewer", "none", "forged"])
async def test_audit_handlers_refuse_all_but_admins(people: People, who: str, attempt: str) -> None:
    some_changes(actor(people, "member"))
    state = await tab(people.tokens[who])
    state.next_cursor, state.cursors = 10**6, [10**6, 10**6]  # as if paging were under way
    before = database()
    answers = await run(state, attempt, *ATTEMPTS[attempt])
    if who in ("member", "viewer"):
        said = " ".join([state.problem, *(m for _, m in all_toasts(answers))])
        assert "admin role" in said and who in said, said
    else:
        assert any(redirect_target(a) == "/login" for a in answers), answers
    assert not [k for k, _ in all_toasts(answers) if k == "success"] and not downloads(answers)
    assert state.rows == []
    assert database() == before


# --- allowed -----------------------------------------------------------------------------------


async def test_admin_sees_the_trail_and_filters_it(people: People) -> None:
    wf = some_changes(actor(people, "member"), count=2)
    state = await tab(people.tokens["admin"])
    assert await call(state, "load") is None
    assert state.problem == "" and state.loaded and not state.filtered
    actions = [r["action"] for r in state.rows]
    assert actions[:3] == ["workflow.updated", "workflow.updated", "workflow.created"]
    row = state.rows[0]
    assert row["actor"] == "member@example.com" and row["target"] == f"workflow:{wf}"
    assert row["color"] == "blue" and "version: 3" in row["summary"]
    assert json.loads(row["details"])["name"] == "Digest"

    await call(state, "set_filter", "action", "workflow.created")
    assert [r["action"] for r in state.rows] == ["workflow.created"] and state.filtered
    await call(state, "set_filter", "action", "")
    await call(state, "set_filter", "target_type", "user")
    assert {r["action"] for r in state.rows} == {"auth.login", "user.created"}
    await call(state, "set_filter", "actor", "member@")
    assert [r["action"] for r in state.rows] == ["auth.login"]
    await call(state, "clear_filters")
    await call(state, "set_filter", "target_id", str(wf))
    assert {r["target"] for r in state.rows} >= {f"workflow:{wf}", f"user:{wf}"}
    await call(state, "set_filter", "target_type", "workflow")
    assert len(state.rows) == 3


async def test_admin_gets_a_clear_message_for_bad_dates(people: People) -> None:
    state = await tab(people.tokens["admin"])
    await call(state, "set_filter", "since", "2030-01-02")
    assert state.rows == [] and state.problem == ""  # nothing yet, and no error
    await call(state, "set_filter", "until", "2030-01-01")
    assert state.problem == "“To” must be on or after “From”" and state.rows == []
    await call(state, "set_filter", "until", "01/02/2030")
    assert "YYYY-MM-DD" in state.problem
    await call(state, "set_filter", "until", "2030-01-02")  # one whole day: fine
    await call(state, "set_filter", "since", "")
    assert state.problem == "" and len(state.rows) > 0


async def test_admin_pages_older_and_newer(people: People) -> None:
    some_changes(actor(people, "member"), count=60)
    state = await tab(people.tokens["admin"])
    await call(state, "load")
    first = [r["id"] for r in state.rows]
    assert len(first) == audit_state.PAGE_SIZE and state.next_cursor
    await call(state, "older")
    second = [r["id"] for r in state.rows]
    assert state.page_number == 2 and second[0] < first[-1]
    assert state.next_cursor == 0  # 60 + a few sign-ins: two pages
    assert toasts(await call(state, "older")) == [("info", "These are the oldest events")]
    assert state.page_number == 2
    await call(state, "newer")
    assert state.page_number == 1
    assert [r["id"] for r in state.rows] == first


async def test_admin_exports_csv_and_json_of_the_filtered_set(people: People) -> None:
    wf = some_changes(actor(people, "member"), count=2)
    state = await tab(people.tokens["admin"])
    await call(state, "set_filter", "target_type", "workflow")
    await call(state, "set_filter", "target_id", str(wf))
    answers = await run(state, "export", "csv")
    [(name, text)] = downloads(answers)
    assert name.startswith("flowdeck-audit-") and name.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["action"] for r in rows] == ["workflow.updated"] * 2 + ["workflow.created"]
    assert ("success", "Exported 3 events as csv") in all_toasts(answers)
    assert not state.exporting

    [(name, text)] = downloads(await run(state, "export", "json"))
    assert name.endswith(".json") and len(json.loads(text)) == 3
    # Each export is itself audited, by the admin who made it.
    trail = audit_query.list_events(
        actor(people, "admin"), audit_query.AuditFilter(action="audit.*")
    )
    assert [e["details"]["format"] for e in trail["items"]] == ["json", "csv"]


async def test_an_export_over_the_cap_is_refused(people: People, monkeypatch) -> None:
    some_changes(actor(people, "member"), count=3)
    monkeypatch.setattr(audit_state, "EXPORT_CAP", 2)
    state = await tab(people.tokens["admin"])
    before = database()
    answers = await run(state, "export", "json")
    assert not downloads(answers)
    [(kind, message)] = all_toasts(answers)
    assert kind == "error" and "at most 2" in message and "/api/audit/export" in message
    assert database() == before


@pytest.mark.parametrize(
    ("action", "color"),
    [
        ("workflow.deleted", "red"),
        ("auth.login_failed", "red"),
        ("webhook.rejected", "red"),
        ("workflow.created", "green"),
        ("auth.login", "green"),
        ("workflow.rolled_back", "amber"),
        ("workflow.updated", "blue"),
        ("audit.exported", "blue"),
    ],
)
def test_action_colours(action: str, color: str) -> None:
    assert action_color(action) == color


def test_details_summary_is_one_short_line() -> None:
    assert details_summary({"name": "Digest", "version": 3}) == "name: Digest, version: 3"
    long = details_summary({"text": "x" * 500})
    assert len(long) == 90 and long.endswith("…")
