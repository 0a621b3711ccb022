"""The request bodies of the original documents 002, 003 and 004, sent byte for byte through the
REST API (texts and placeholders in `original_requests`). 004's version bodies do what they say;
002's and 003's come from other products: what maps is accepted (a schedule, `input_data`,
002's Customer Onboarding, translated: test_original_002_onboarding), what does not is a 422
that says what Flowdeck calls it instead."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from app.engine.runner import Engine
from tests.integration.api import original_requests as doc
from tests.integration.api.test_original_examples import BASE, created, send


def _definition(step: str) -> dict[str, Any]:
    actions = [{"id": step, "type": "transform", "config": {"values": {"step": step}}}]
    return {"name": "Digest", "trigger": {"type": "manual"}, "actions": actions}


async def test_004_versions_rollbacks_and_compare(api: httpx.AsyncClient) -> None:
    wf = (await created(api, "/workflows", _definition("v1")))["id"]
    path = f"/workflows/{wf}/versions"
    for number in range(2, 8):  # versions 2 … 7, each from the original's body
        text = doc.NEW_VERSION if number % 2 else doc.NEW_VERSION_JS
        body = doc.fill(text, workflow_data=_definition(f"v{number}"))
        response = await send(api, "POST", path, body)
        assert response.status_code == 201, response.text
        version = response.json()
        assert version["version_number"] == number
        assert version["change_description"].endswith("notification action")
        assert version["definition"]["actions"][0]["id"] == f"v{number}"
    same = await send(api, "POST", path, doc.fill(doc.NEW_VERSION, workflow_data=_definition("v7")))
    assert same.status_code == 409 and "already matches" in same.json()["error"]["message"]
    history = (await api.get(f"{BASE}{path}", params={"limit": 50})).json()
    assert [v["version_number"] for v in history["items"]] == [7, 6, 5, 4, 3, 2, 1]
    five = (await api.get(f"{BASE}{path}/5")).json()
    assert five["definition"]["actions"][0]["id"] == "v5"
    compared = await api.get(f"{BASE}{path}/compare", params={"version_a": 5, "version_b": 7})
    assert compared.status_code == 200 and compared.json()["summary"], compared.text

    rollback = f"/workflows/{wf}/rollback"
    done = await send(api, "POST", rollback, doc.fill(doc.ROLLBACK))
    assert done.status_code == 200, done.text
    version = done.json()["version"]
    assert (version["version_number"], version["restored_from"]) == (8, 5)
    assert version["reason"] == "Previous version had bugs"
    current = (await api.get(f"{BASE}/workflows/{wf}")).json()
    assert current["actions"][0]["id"] == "v5" and current["version"] == 8
    again = await send(api, "POST", rollback, doc.fill(doc.ROLLBACK_JS))
    assert again.status_code == 409  # it already is version 5: nothing to restore
    await api.put(f"{BASE}/workflows/{wf}", json=_definition("v9"))
    again = await send(api, "POST", rollback, doc.fill(doc.ROLLBACK_JS))
    assert again.status_code == 200, again.text
    assert again.json()["version"]["reason"] == "Version 6 caused production errors"
    changes = (await api.get(f"{BASE}/changes", params={"days": 30})).json()
    assert changes["total_changes"] == 10


async def test_002_customer_onboarding_mixed_with_flowdeck_keys_says_what_they_are_called(
    api: httpx.AsyncClient,
) -> None:
    """002's body as written is translated (test_original_002_onboarding); mixed with
    Flowdeck's own `actions` it is neither shape, and the problems say where `steps` go."""
    mixed = json.loads(doc.fill(doc.CUSTOMER_ONBOARDING)) | {"actions": []}
    response = await api.post(f"{BASE}/workflows", json=mixed)
    assert response.status_code == 422, response.text
    problems = {p["path"]: p["message"] for p in response.json()["error"]["details"]}
    assert "actions" in problems["steps"] and "trigger" in problems["triggers"]
    assert (await api.get(f"{BASE}/workflows")).json()["total"] == 0


async def test_002_weekly_schedule_at_9_in_new_york(api: httpx.AsyncClient) -> None:
    wf = (await created(api, "/workflows", _definition("report")))["id"]
    response = await send(api, "PUT", f"/workflows/{wf}", doc.fill(doc.WEEKLY_SCHEDULE))
    assert response.status_code == 200, response.text
    nxt = datetime.fromisoformat(response.json()["next_run_at"]).astimezone(
        ZoneInfo("America/New_York")
    )
    assert (nxt.weekday(), nxt.hour, nxt.minute) == (0, 9, 0)  # a Monday, 09:00 New York


async def test_003_incident_workflow_and_its_input_data(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    response = await send(api, "POST", "/workflows", doc.fill(doc.INCIDENT_WORKFLOW))
    assert response.status_code == 422, response.text
    paths = {p["path"] for p in response.json()["error"]["details"]}
    assert {"trigger", "actions"} <= paths  # a Flowdeck workflow is created whole

    wf = (await created(api, "/workflows", _definition("triage")))["id"]
    node = await send(api, "POST", f"/workflows/{wf}/nodes", doc.fill(doc.ADD_NODE))
    assert node.status_code == 404, node.text  # steps come with the definition (PUT), not alone
    assert node.json()["error"]["message"].endswith(f"/workflows/{wf}/nodes")
    started = await send(api, "POST", f"/workflows/{wf}/execute", doc.fill(doc.INCIDENT_EXECUTE))
    assert started.status_code == 202, started.text
    assert started.json()["trigger_payload"] == {"incident_id": "INC-12345", "severity": "critical"}
    await engine.drain()
    run = (await api.get(f"{BASE}/executions/{started.json()['id']}")).json()
    assert run["status"] == "succeeded"
