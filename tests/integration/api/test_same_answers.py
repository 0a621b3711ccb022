"""Same answers on SQLite and PostgreSQL (#17): NULLs last, names by lower(name) then id,
LIKE searches that take `%`, `_` and `\\` literally, a NUL character in text refused with a
422, API-key labels within their column, and non-finite numbers in a step's output stored as
text."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import sqlalchemy as sa

from app.core.statuses import Role
from app.db.engine import get_engine
from app.db.models import AuditEvent, Workflow
from app.db.types import utcnow
from app.engine.runner import Engine
from app.services import executions, workflows
from app.services.actor import Actor
from app.services.audit_query import AuditFilter, list_events
from app.services.workflows import WorkflowFilter
from tests.integration.api.test_workflow_api import BASE, error_of, simple

WF = Workflow.__table__


def _names(member: Actor, **flt: Any) -> list[str]:
    rows, _ = workflows.list_workflows(member, WorkflowFilter(**flt))
    return [r["name"] for r in rows]


def _create(member: Actor, *names: str) -> dict[str, int]:
    return {n: workflows.create_workflow(member, simple(n)).workflow["id"] for n in names}


def test_never_run_workflows_sort_last_both_ways(db, member: Actor) -> None:
    ids = _create(member, "never", "old", "new", "also never")
    now = utcnow()
    with get_engine().begin() as conn:
        for name, age in (("old", 60), ("new", 1)):
            when = now - timedelta(minutes=age)
            conn.execute(WF.update().where(WF.c.id == ids[name]).values(last_run_at=when))
    assert _names(member, sort="-last_run_at") == ["new", "old", "never", "also never"]
    assert _names(member, sort="last_run_at") == ["old", "new", "never", "also never"]


def test_names_sort_without_regard_to_case_and_stay_stable(db, member: Actor) -> None:
    _create(member, "Zeta", "alpha", "Beta", "beta", "Beta")
    assert _names(member, sort="name") == ["alpha", "Beta", "Beta", "beta", "Zeta"]
    assert _names(member, sort="-name") == ["Zeta", "beta", "Beta", "Beta", "alpha"]
    first = [r["id"] for r in workflows.list_workflows(member, WorkflowFilter(limit=3))[0]]
    rest = [r["id"] for r in workflows.list_workflows(member, WorkflowFilter(offset=3))[0]]
    assert len(set(first + rest)) == 5  # pages neither repeat nor skip a row


def test_search_takes_wildcards_and_backslash_literally(db, member: Actor) -> None:
    _create(member, "50% off", "500 items", "a_b", "axb", "C:\\dir", "C:dir", "Report")
    assert _names(member, search="50%") == ["50% off"]
    assert _names(member, search="a_b") == ["a_b"]
    assert _names(member, search="C:\\") == ["C:\\dir"]
    assert _names(member, search="report") == ["Report"]  # still without regard to case
    assert _names(member, search="%") == ["50% off"]


def test_audit_actor_search_is_literal(db, member: Actor) -> None:
    keyed = Actor(kind="user", user_id=None, email="a_b@example.com", role=Role.ADMIN)
    other = Actor(kind="user", user_id=None, email="axb@example.com", role=Role.ADMIN)
    workflows.create_workflow(keyed, simple("one"))
    workflows.create_workflow(other, simple("two"))
    page = list_events(keyed, AuditFilter(actor="a_b@"))
    assert {e["actor_label"] for e in page["items"]} == {"a_b@example.com"}


def test_an_api_key_label_fits_its_column(db) -> None:
    email = "k" * 300 + "@example.com"  # 312 characters: with "(API key …)" over 320
    actor = Actor(kind="api_key", user_id=None, email=email, role=Role.ADMIN, api_key_id=98765)
    workflows.create_workflow(actor, simple("keyed"))
    with get_engine().connect() as conn:
        label = conn.execute(sa.select(AuditEvent.__table__.c.actor_label)).scalar_one()
    assert len(label) <= 320 and label.endswith("… (API key 98765)")
    assert label.startswith("k" * 100)


async def test_a_nul_character_in_text_is_a_422_and_nothing_is_written(
    api: httpx.AsyncClient,
) -> None:
    bad = await api.post(f"{BASE}/workflows", json=simple("bad\x00name"))
    assert "NUL character" in error_of(bad, 422, "validation_failed")["message"]
    search = await api.get(f"{BASE}/workflows", params={"search": "x\x00"})
    assert "NUL character" in error_of(search, 422, "validation_failed")["message"]
    listed = await api.get(f"{BASE}/workflows")
    assert listed.status_code == 200 and listed.json()["total"] == 0  # nothing half-written
    # In JSON (a trigger payload, a step's values) it is kept, written as the escape.
    kept = await api.post(
        f"{BASE}/workflows",
        json={**simple("kept"), "actions": [
            {"id": "calc", "type": "transform", "config": {"values": {"n": "a\x00b"}}}]},
    )  # fmt: skip
    assert kept.status_code == 201, kept.text
    wf = kept.json()["id"] if "id" in kept.json() else kept.json()["workflow"]["id"]
    got = await api.get(f"{BASE}/workflows/{wf}")
    assert got.json()["actions"][0]["config"]["values"]["n"] == "a\x00b"


async def test_infinity_and_nan_in_a_step_output_do_not_fail_the_run(
    engine: Engine, member: Actor, api: httpx.AsyncClient, http_server
) -> None:
    url, script = http_server
    # The remote answers with what Python's json writes for them: NaN, Infinity, -Infinity.
    script.answers = [(200, {"ratio": float("nan"), "up": float("inf"), "down": -float("inf")})]
    actions = [{"id": "fetch", "type": "api_call", "config": {"url": f"{url}/numbers"}}]
    wf = workflows.create_workflow(
        member, {"name": "odd numbers", "trigger": {"type": "manual"}, "actions": actions}
    ).workflow["id"]
    started = await executions.execute_workflow(member, wf)
    await engine.drain()
    run = executions.get_execution(member, started["id"])
    assert run["status"] == "succeeded", run["error"]
    body = run["steps"][0]["output"]["body"]
    assert body == {"ratio": "NaN", "up": "Infinity", "down": "-Infinity"}
    with get_engine().connect() as conn:  # stored as strict JSON
        raw = conn.execute(sa.text("SELECT output FROM execution_step")).scalar_one()

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} stored in a JSON column")

    json.loads(raw, parse_constant=refuse)
    answer = await api.get(f"{BASE}/executions/{started['id']}")
    assert answer.status_code == 200, answer.text
