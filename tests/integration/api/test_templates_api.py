"""Templates over REST: list/filter, get, save (versions), from-template (runs; 422 per
variable), import (every problem, nothing stored), export (no secret), 002/003 paths."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from app.api import create_api
from app.db.engine import get_engine
from app.engine.runner import Engine
from app.services import api_keys, users
from app.services.actor import SYSTEM

BASE = "/api/workflow-orchestration"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "templates"
SECRET_KEY = "k-987654321-secret"


@pytest.fixture(autouse=True)
def fixture_templates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOWDECK_TEMPLATES_DIR", str(FIXTURES))


def count(table: str) -> int:
    with get_engine().connect() as conn:
        return conn.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar_one()


def problems(response: httpx.Response, status: int = 422) -> dict[str, str]:
    assert response.status_code == status, response.text
    return {p["path"]: p["message"] for p in response.json()["error"]["details"]}


async def connection(api: httpx.AsyncClient, base_url: str) -> int:
    body = {"name": "status-api", "platform": "http", "connectionType": "api_key",
            "credentials": {"apiKey": SECRET_KEY}, "config": {"baseUrl": base_url}}  # fmt: skip
    answer = await api.post(f"{BASE}/connections", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


async def wait_done(api: httpx.AsyncClient, execution_id: int) -> dict[str, Any]:
    for _ in range(200):
        execution = (await api.get(f"{BASE}/executions/{execution_id}")).json()
        if execution["status"] not in ("queued", "running", "pending"):
            return execution
        await asyncio.sleep(0.05)
    raise AssertionError(f"execution {execution_id} did not finish: {execution}")


async def test_list_with_category_filter_and_get(api: httpx.AsyncClient) -> None:
    listed = (await api.get(f"{BASE}/templates")).json()
    ids = {t["id"] for t in listed["items"]}
    assert {"fixture_status_check", "fixture_lead_intake"} <= ids
    assert listed["total"] == len(listed["items"]) and "finance" in listed["categories"]
    sales = (await api.get(f"{BASE}/templates", params={"category": "sales"})).json()
    assert sales["items"] and all(t["category"] == "sales" for t in sales["items"])
    assert "fixture_status_check" not in {t["id"] for t in sales["items"]}
    assert "category" in str(problems(await api.get(f"{BASE}/templates?category=fun")))
    one = await api.get(f"{BASE}/templates/fixture_status_check")
    assert one.status_code == 200
    assert one.json()["workflow"]["actions"][0]["type"] == "api_call"
    assert [v["name"] for v in one.json()["variables"]] == ["api", "site_url", "limit", "owners"]
    missing = await api.get(f"{BASE}/templates/no_such_template")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert (await api.get(f"{BASE}/templates/Bad-Id")).status_code == 404


async def test_from_template_stores_a_workflow_that_runs(api: httpx.AsyncClient, http_server):
    base_url, script = http_server
    await connection(api, base_url)
    body = {"template_id": "fixture_status_check", "name": "Shop status",
            "variables": {"api": "status-api", "site_url": "https://shop.example",
                          "owners": ["ops@example.com"], "limit": "2"}}  # fmt: skip
    made = await api.post(f"{BASE}/workflows/from-template", json=body)
    assert made.status_code == 201, made.text
    workflow = made.json()
    assert workflow["name"] == "Shop status" and workflow["is_active"]
    stored = (await api.get(f"{BASE}/workflows/{workflow['id']}")).json()
    assert stored["actions"][0]["config"]["json"]["limit"] == 2
    started = await api.post(f"{BASE}/workflows/{workflow['id']}/execute", json={})
    assert started.status_code in (200, 202), started.text
    done = await wait_done(api, started.json()["id"])
    assert done["status"] == "succeeded", done
    assert json.loads(script.requests[0]["body"])["owners"] == ["ops@example.com"]
    assert script.requests[0]["path"] == "/status"
    uses = (await api.get(f"{BASE}/templates/fixture_status_check")).json()["uses"]
    assert uses == 1


async def test_from_template_missing_and_invalid_variables(api: httpx.AsyncClient, http_server):
    await connection(api, http_server[0])
    before = count("workflow")
    missing = await api.post(
        f"{BASE}/workflows/from-template", json={"template_id": "fixture_status_check"}
    )
    assert problems(missing) == {
        "variables.api": "required",
        "variables.site_url": "required",
        "variables.owners": "required",
    }
    wrong = {"api": "nope", "site_url": "not a url", "owners": "x@", "limit": 0, "extra": 1}
    found = problems(
        await api.post(
            f"{BASE}/workflows/from-template",
            json={"template_id": "fixture_status_check", "variable_values": wrong},
        )
    )
    assert set(found) == {f"variables.{n}" for n in ("api", "site_url", "owners", "limit", "extra")}
    assert "email" in found["variables.owners"] and "at least 1" in found["variables.limit"]
    unknown = await api.post(
        f"{BASE}/workflows/from-template", json={"template_id": "project_nothing"}
    )
    assert unknown.status_code == 404
    assert count("workflow") == before


async def test_save_from_a_workflow_makes_versions(api: httpx.AsyncClient, http_server):
    conn_id = await connection(api, http_server[0])
    definition = {"name": "Nightly ping", "trigger": {"type": "manual"},
                  "actions": [{"id": "ping", "type": "api_call",
                               "config": {"connection": conn_id, "url": "/ping"}}]}  # fmt: skip
    wf = (await api.post(f"{BASE}/workflows", json=definition)).json()["id"]
    body = {"workflow_id": wf, "category": "operations", "icon": "server"}
    first = await api.post(f"{BASE}/templates", json=body)
    assert first.status_code == 201, first.text
    assert (first.json()["id"], first.json()["version"]) == ("nightly_ping", 1)
    second = await api.post(f"{BASE}/templates", json=body)
    assert second.json()["version"] == 2 and second.json()["saved_id"] == first.json()["saved_id"]
    saved = (await api.get(f"{BASE}/templates", params={"origin": "saved"})).json()["items"]
    assert [(t["id"], t["version"], t["builtin"]) for t in saved] == [("nightly_ping", 2, False)]
    by_number = await api.get(f"{BASE}/templates/{first.json()['saved_id']}")
    assert by_number.json()["id"] == "nightly_ping"
    exported = await api.get(f"{BASE}/templates/nightly_ping/export")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    text = exported.text
    assert (
        SECRET_KEY not in text and '"status-api"' in text and f'"connection":{conn_id}' not in text
    )
    document = exported.json()
    assert document["flowdeck_template"] == 1 and "saved_id" not in document
    refused = await api.post(f"{BASE}/templates", json={"workflow_id": 987654})
    assert refused.status_code == 404


async def test_import_malformed_lists_every_problem_and_stores_nothing(api: httpx.AsyncClient):
    document = json.loads((FIXTURES / "fixture_lead_intake.json").read_text())
    document |= {"id": "Bad Id", "category": "fun", "surprise": True}
    document["variables"][0]["type"] = "colour"
    document["workflow"]["actions"][0]["config"]["values"]["x"] = "[[ghost]]"
    found = problems(await api.post(f"{BASE}/templates/import", json=document))
    expected = {"id", "category", "surprise", "variables[0].type"}
    assert expected <= set(found), found
    assert found["workflow.actions[0].config.values.x"] == "[[ghost]] names no variable"
    assert count("workflow_template") == 0
    not_a_template = await api.post(f"{BASE}/templates/import", json={"name": "x"})
    assert "flowdeck_template" in problems(not_a_template)
    good = json.loads((FIXTURES / "fixture_lead_intake.json").read_text())
    good["id"] = "lead_intake_copy"
    imported = await api.post(f"{BASE}/templates/import", json=good)
    assert imported.status_code == 201 and imported.json()["id"] == "lead_intake_copy"
    assert count("workflow_template") == 1


async def test_original_paths_002_and_003(api: httpx.AsyncClient) -> None:
    listed = (await api.get("/api/workflows/templates")).json()
    assert "fixture_lead_intake" in {t["id"] for t in listed["items"]}
    builtin = (await api.get("/api/workflows/templates/built-in")).json()["items"]
    assert builtin and all(t["builtin"] for t in builtin)
    body_002 = {"template_id": "fixture_lead_intake", "workspace_id": 1, "user_id": 1,
                "name": "Leads", "variable_values": {"threshold": 70}}  # fmt: skip
    made = await api.post("/api/workflows/from-template", json=body_002)
    assert made.status_code == 201, made.text
    values = made.json()["actions"][0]["config"]["values"]
    assert values["threshold"] == 70 and values["tier"] == "gold"
    assert made.json()["webhook_url"]
    automation = (await api.get("/api/automation/templates")).json()["items"]
    assert {t["id"] for t in automation} == {t["id"] for t in listed["items"]}
    one = await api.get("/api/automation/templates/fixture_lead_intake")
    assert one.status_code == 200 and one.json()["category"] == "sales"
    used = await api.post("/api/automation/templates/fixture_lead_intake/use")
    assert used.status_code == 201 and used.json()["name"] == "Lead intake"
    bad = await api.post(
        "/api/automation/templates/fixture_lead_intake/use",
        json={"variables": {"tier": "bronze"}},
    )
    assert "gold, silver" in problems(bad)["variables.tier"]
    assert (await api.post("/api/automation/templates/nothing_here/use")).status_code == 404


async def test_project_kickoff_from_002(api: httpx.AsyncClient):
    """002's own example, byte for byte, against the `project_kickoff` built-in."""
    body = {"template_id": "project_kickoff", "workspace_id": 1, "user_id": 1,
            "name": "Project Alpha Kickoff",
            "variable_values": {
                "project_name": "Project Alpha", "project_manager": "john.doe@company.com",
                "team_members": ["alice@company.com", "bob@company.com"]}}  # fmt: skip
    answer = await api.post("/api/workflows/from-template", json=body)
    assert answer.status_code == 201, answer.text
    assert answer.json()["name"] == "Project Alpha Kickoff"
    text = json.dumps(answer.json()["actions"])
    assert "Project Alpha" in text and "alice@company.com" in text


@pytest.fixture
async def viewer(engine: Engine) -> AsyncIterator[httpx.AsyncClient]:
    user = users.create_user(SYSTEM, email="viewer@example.com", role="viewer", password="v" * 12)
    key, _ = api_keys.create_api_key(SYSTEM, user_id=user.id, name="viewer")
    transport = httpx.ASGITransport(app=create_api())
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers=headers
    ) as client:
        yield client


async def test_a_viewer_neither_reads_nor_uses_templates(viewer: httpx.AsyncClient) -> None:
    before = count("workflow")
    for answer in (
        await viewer.get(f"{BASE}/templates"),
        await viewer.get("/api/workflows/templates"),
        await viewer.get(f"{BASE}/templates/fixture_lead_intake"),
        await viewer.post("/api/automation/templates/fixture_lead_intake/use"),
        await viewer.post(f"{BASE}/templates/import", json={"flowdeck_template": 1}),
    ):
        assert answer.status_code == 403, answer.text
    assert count("workflow") == before and count("workflow_template") == 0
