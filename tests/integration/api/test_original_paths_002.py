"""Every line of original 002's "API Endpoints" sent as written, through HTTP with an API key
(only `{id}` / `{ver}` filled in), each checked for what its comment says: workflows listed,
created (002's own Customer Onboarding body), read, changed, deleted, run; a workflow's
executions and one execution; control (retry) of a failed run; templates; statistics; health;
duplicate; versions listed and created; rollback to a version (really restored); bulk runs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.engine.runner import Engine
from tests.integration.api import original_requests as doc
from tests.integration.api.test_original_examples import BASE, DIVIDER

LIST = "GET    /api/workflows/              # List workflows"
CREATE = "POST   /api/workflows/              # Create workflow"
GET = "GET    /api/workflows/{id}          # Get workflow details"
UPDATE = "PUT    /api/workflows/{id}          # Update workflow"
DELETE = "DELETE /api/workflows/{id}          # Delete workflow"
EXECUTE = "POST   /api/workflows/{id}/execute          # Execute workflow"
EXECUTIONS = "GET    /api/workflows/{id}/executions       # List executions"
EXECUTION = "GET    /api/workflows/executions/{id}       # Get execution details"
CONTROL = "POST   /api/workflows/executions/{id}/control # Control execution"
TEMPLATES = "GET    /api/workflows/templates            # List templates"
BUILT_IN = "GET    /api/workflows/templates/built-in   # Built-in templates"
FROM_TEMPLATE = "POST   /api/workflows/from-template        # Create from template"
STATISTICS = "GET    /api/workflows/statistics           # System statistics"
HEALTH = "GET    /api/workflows/health               # System health"
DUPLICATE = "POST   /api/workflows/{id}/duplicate       # Duplicate workflow"
VERSIONS = "GET    /api/workflows/{id}/versions        # Version history"
NEW_VERSION = "POST   /api/workflows/{id}/versions        # Create version"
ROLLBACK = "POST   /api/workflows/{id}/rollback/{ver}  # Rollback to version"
BULK = "POST   /api/workflows/bulk/execute         # Bulk execution"
JSON = {"content-type": "application/json"}
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "templates"


async def call(
    api: httpx.AsyncClient, text: str, *values: object, body: bytes | dict | None = None
) -> httpx.Response:
    """Send a line of 002 (its comment dropped), its `{…}` placeholders filled in order."""
    method, target = text.split("#")[0].split()
    for value in values:
        target = re.sub(r"\{[^}]*\}", str(value), target, count=1)
    assert "{" not in target, target
    if isinstance(body, dict):
        return await api.request(method, target, json=body)
    return await api.request(method, target, content=body, headers=JSON if body else None)


def _flow(step: str, **more: Any) -> dict[str, Any]:
    actions = [{"id": step, "type": "transform", "config": {"values": {"step": step}}}]
    return {"name": f"Flow {step}", "trigger": {"type": "manual"}, "actions": actions, **more}


async def _settled(api: httpx.AsyncClient, engine: Engine, wf: int, runs: int) -> None:
    for _ in range(50):  # a run's end is written off the loop
        await engine.drain()
        if (await api.get(f"{BASE}/workflows/{wf}")).json()["runs"] >= runs:
            return


async def test_core_workflow_lines(api: httpx.AsyncClient) -> None:
    made = await call(api, CREATE, body=doc.fill(doc.CUSTOMER_ONBOARDING))  # 002's own body
    assert made.status_code == 201, made.text
    onboarding = made.json()
    assert [a["id"] for a in onboarding["actions"]] == [
        "send_welcome_email",
        "create_customer_account",
    ]
    second = (await call(api, CREATE, body=_flow("one"))).json()["id"]
    listed = await call(api, LIST)
    assert listed.status_code == 200 and listed.json()["total"] == 2
    one = await call(api, GET, onboarding["id"])
    assert one.status_code == 200 and one.json()["name"] == onboarding["name"]

    changed = await call(api, UPDATE, second, body={"name": "Renamed"})
    assert changed.status_code == 200 and changed.json()["name"] == "Renamed"
    assert (await api.get(f"{BASE}/workflows/{second}")).json()["name"] == "Renamed"
    gone = await call(api, DELETE, second)
    assert gone.status_code == 204
    assert (await call(api, GET, second)).status_code == 404
    assert (await call(api, LIST)).json()["total"] == 1


async def test_execution_lines(api: httpx.AsyncClient, engine: Engine) -> None:
    divider = (await call(api, CREATE, body=DIVIDER)).json()["id"]
    other = (await call(api, CREATE, body=_flow("other"))).json()["id"]
    run = await call(api, EXECUTE, divider, body={"payload": {"d": 0}})  # fails: 1 / 0
    assert run.status_code == 202, run.text
    assert (await call(api, EXECUTE, other)).status_code == 202
    await _settled(api, engine, divider, 1)

    runs = await call(api, EXECUTIONS, divider)
    assert runs.status_code == 200, runs.text
    assert [r["id"] for r in runs.json()["items"]] == [run.json()["id"]]  # not the other's
    assert (await call(api, EXECUTIONS, 999_999)).status_code == 404
    detail = await call(api, EXECUTION, run.json()["id"])
    assert detail.status_code == 200 and detail.json()["status"] == "failed"
    assert detail.json()["steps"][0]["action_id"] == "divide"

    retried = await call(api, CONTROL, run.json()["id"], body={"action": "retry"})
    assert retried.status_code == 202, retried.text
    assert retried.json()["id"] != run.json()["id"]
    cancel = await call(api, CONTROL, run.json()["id"], body={"action": "cancel"})
    assert cancel.status_code == 409  # a finished run cannot be cancelled

    both = await call(api, BULK, body={"workflow_ids": [divider, other]})
    assert both.status_code == 200, both.text
    assert all(r.get("execution_id") for r in both.json()["results"]), both.text


async def test_template_statistics_and_health_lines(
    api: httpx.AsyncClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWDECK_TEMPLATES_DIR", str(FIXTURES))
    listed = await call(api, TEMPLATES)
    assert listed.status_code == 200
    assert "fixture_lead_intake" in {t["id"] for t in listed.json()["items"]}
    builtin = await call(api, BUILT_IN)
    assert builtin.status_code == 200
    assert builtin.json()["items"] and all(t["builtin"] for t in builtin.json()["items"])
    body = {"template_id": "fixture_lead_intake", "name": "Leads",
            "variable_values": {"threshold": 70}}  # fmt: skip
    made = await call(api, FROM_TEMPLATE, body=body)
    assert made.status_code == 201, made.text
    assert made.json()["actions"][0]["config"]["values"]["threshold"] == 70

    wf = (await call(api, CREATE, body=_flow("counted"))).json()["id"]
    assert (await call(api, EXECUTE, wf)).status_code == 202
    await _settled(api, engine, wf, 1)
    stats = await call(api, STATISTICS)
    assert stats.status_code == 200, stats.text
    assert stats.json() == (await api.get(f"{BASE}/stats")).json()
    assert stats.json()["total_workflows"] == 2

    health = await call(api, HEALTH)
    assert health.status_code in (200, 503) and health.json()["database"] == "ok"
    assert set(health.json()) == set((await api.get("/api/health")).json())


async def test_duplicate_version_and_rollback_lines(api: httpx.AsyncClient) -> None:
    wf = (await call(api, CREATE, body=_flow("v1"))).json()["id"]
    copy = await call(api, DUPLICATE, wf)
    assert copy.status_code == 201, copy.text
    assert copy.json()["id"] != wf and copy.json()["actions"][0]["id"] == "v1"
    assert copy.json()["is_active"] is False

    for step in ("v2", "v3"):
        body = doc.fill(doc.NEW_VERSION, workflow_data=_flow(step))
        saved = await call(api, NEW_VERSION, wf, body=body)
        assert saved.status_code == 201, saved.text
    history = await call(api, VERSIONS, wf)
    assert history.status_code == 200
    assert [v["version_number"] for v in history.json()["items"]] == [3, 2, 1]

    back = await call(api, ROLLBACK, wf, 1)  # as written: no body
    assert back.status_code == 200, back.text
    assert (back.json()["version"]["version_number"], back.json()["version"]["restored_from"]) == (
        4,
        1,
    )
    assert back.json()["version"]["reason"] == f"POST /api/workflows/{wf}/rollback/1"
    current = (await api.get(f"{BASE}/workflows/{wf}")).json()
    assert current["actions"][0]["id"] == "v1" and current["version"] == 4  # really restored
    again = await call(api, ROLLBACK, wf, 1)
    assert again.status_code == 409  # it already is version 1
    with_reason = await call(api, ROLLBACK, wf, 2, body={"reason": "v1 was wrong after all"})
    assert with_reason.json()["version"]["reason"] == "v1 was wrong after all"
    assert (await call(api, ROLLBACK, wf, 99)).status_code == 404
