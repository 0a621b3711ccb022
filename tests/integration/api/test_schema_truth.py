"""The published schema and the API agree: each case here was found by Schemathesis'
`negative_data_rejection` (garbage accepted) or `positive_data_acceptance` (a value the schema
allows refused)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.core.ids import MAX_ID
from tests.integration.api.deployed import BASE, FLOW, problems


async def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_value_of_the_wrong_json_type_is_a_422_naming_it(admin: httpx.AsyncClient) -> None:
    wf = await _created(await admin.post(f"{BASE}/workflows", json=FLOW))
    article = await _created(await admin.post(f"{BASE}/articles", json={"title": "T"}))
    cases = [
        ("post", f"{BASE}/articles", {"title": "T", "changeDescription": {}}, "change_description"),
        ("put", f"{BASE}/articles/{article['id']}", {"tags": [None]}, "tags[0]"),
        ("post", f"{BASE}/articles/{article['id']}/publish", {"changeDescription": {}},
         "change_description"),
        ("post", f"{BASE}/versions", {"articleId": article["id"], "changeDescription": {}},
         "change_description"),
        ("post", f"{BASE}/workflows/{wf['id']}/execute", {"triggerType": {}}, "trigger_type"),
        ("post", f"{BASE}/workflows", {**FLOW, "isActive": 0}, "is_active"),
        ("put", f"{BASE}/workflows/{wf['id']}", {"concurrencyLimit": "2"}, "concurrency_limit"),
        ("put", f"{BASE}/workflows/{wf['id']}", {"description": None}, "description"),
        ("put", f"{BASE}/workflows/{wf['id']}",
         {"actions": [{**FLOW["actions"][0], "continueOnError": 1}]},
         "actions[0].continue_on_error"),
    ]  # fmt: skip
    for method, path, body, key in cases:
        found = problems(await admin.request(method, path, json=body))
        assert key in found and found[key].startswith("must be"), (path, body, found)
    stored = (await admin.get(f"{BASE}/articles/{article['id']}")).json()
    assert stored["status"] == "draft" and stored["current_version"] == 1  # nothing was applied


@pytest.mark.parametrize(
    "path", [f"{BASE}/executions", f"{BASE}/changes", "/api/audit/events", "/api/audit/export"]
)
async def test_a_time_is_iso_text_not_a_number(admin: httpx.AsyncClient, path: str) -> None:
    assert "until" in problems(await admin.get(path, params={"until": "0.5"}))
    assert "since" in problems(await admin.get(path, params={"since": "1700000000"}))
    iso = await admin.get(path, params={"since": "2026-01-01T00:00:00Z"})
    assert iso.status_code == 200, iso.text


async def test_what_the_schema_allows_is_accepted(admin: httpx.AsyncClient) -> None:
    wf = await _created(await admin.post(f"{BASE}/workflows", json=FLOW))
    changed = await admin.put(f"{BASE}/workflows/{wf['id']}", json={"name": "wf 2"})
    assert changed.status_code == 200, changed.text
    rollback = {"versionNumber": 1.0, "reason": "back"}  # 1.0 is an integer in JSON Schema
    rolled = await admin.post(f"{BASE}/workflows/{wf['id']}/rollback", json=rollback)
    assert rolled.status_code == 200, rolled.text
    article = await _created(await admin.post(f"{BASE}/articles", json={"title": "T"}))
    revert = await admin.post(f"{BASE}/versions/{article['id']}/revert", json={"versionNumber": 1})
    assert revert.status_code in (200, 409), revert.text


async def test_an_empty_connection_type_is_refused_not_ignored(admin: httpx.AsyncClient) -> None:
    body = {
        "name": "hook",
        "platform": "http",
        "connectionType": "api_key",
        "credentials": {"apiKey": "k" * 16},
        "config": {"baseUrl": "https://example.invalid"},
    }
    created = await _created(await admin.post(f"{BASE}/connections", json=body))
    path = f"{BASE}/connections/{created['id']}"
    for key in ("connectionType", "platform"):  # "" was taken as "keep the stored value"
        assert problems(await admin.put(path, json={key: "", "name": "renamed"}))
    kept = await admin.put(path, json={"connectionType": None, "name": "hook 2"})
    assert kept.status_code == 200 and kept.json()["connection_type"] == "api_key", kept.text


async def test_the_document_states_required_keys_and_exact_bounds(admin: httpx.AsyncClient) -> None:
    doc = (await admin.get("/api/openapi.json")).json()
    schemas = doc["components"]["schemas"]
    create = schemas["WorkflowCreate"]
    assert set(create["required"]) == {"name", "trigger", "actions"}
    assert all(create["properties"][k].get("type") != "null" for k in create["required"])
    assert "anyOf" not in create["properties"]["name"]  # not nullable
    assert schemas["RollbackBody"]["properties"]["versionNumber"]["maximum"] == MAX_ID
    assert schemas["ArticleCreate"]["required"] == ["title"]
    compare = doc["paths"][f"{BASE}/workflows/{{workflow_id}}/versions/compare"]["get"]
    query = {p["name"]: p["required"] for p in compare["parameters"] if p["in"] == "query"}
    assert query == {"a": True, "b": True}
