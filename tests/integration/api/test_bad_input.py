"""Bad input answers 4xx, never 500: each case here was a 500 found by Schemathesis.

Ids and offsets of 2^63 and more (SQLite holds signed 64-bit integers), a step `type` that is
an object or a list, connection `credentials` or `config` that are not objects.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integration.api.deployed import BASE, FLOW, problems

HUGE = 2**63  # one more than SQLite's largest integer


@pytest.mark.parametrize(
    "path",
    [
        f"{BASE}/workflows/{HUGE}",
        f"{BASE}/workflows/{HUGE}/stats",
        f"{BASE}/workflows/{HUGE}/versions",
        f"{BASE}/workflows/1/versions/{HUGE}",
        f"{BASE}/executions/{HUGE}",
        f"{BASE}/articles/{HUGE}",
        f"{BASE}/versions/{HUGE}",
        f"{BASE}/connections/{HUGE}",
        f"{BASE}/alerts/{HUGE}",
        f"{BASE}/alerts/{HUGE}/deliveries",
    ],
)
async def test_an_id_past_64_bits_in_a_path_is_a_422(admin: httpx.AsyncClient, path: str) -> None:
    response = await admin.get(path)
    found = problems(response)
    assert len(found) == 1 and "less than or equal to 9223372036854775807" in str(found)


async def test_ids_past_64_bits_on_post_and_delete_routes_are_422(
    admin: httpx.AsyncClient,
) -> None:
    for method, path in [
        ("POST", f"{BASE}/workflows/{HUGE}/execute"),
        ("POST", f"{BASE}/workflows/{HUGE}/pause"),
        ("DELETE", f"{BASE}/workflows/{HUGE}"),
        ("POST", f"{BASE}/executions/{HUGE}/cancel"),
        ("POST", f"{BASE}/executions/{HUGE}/retry"),
        ("POST", f"{BASE}/articles/{HUGE}/publish"),
        ("POST", f"{BASE}/connections/{HUGE}/verify"),
        ("POST", f"{BASE}/alerts/{HUGE}/test"),
        ("POST", f"/api/notifications/{HUGE}/read"),
    ]:
        response = await admin.request(method, path)
        assert response.status_code == 422, (method, path, response.text)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        (f"{BASE}/workflows?offset={HUGE}", "offset"),
        (f"{BASE}/articles?offset={HUGE}", "offset"),
        (f"{BASE}/workflows/1/versions?offset={HUGE}", "offset"),
        (f"{BASE}/alerts/1/deliveries?offset={HUGE}", "offset"),
        (f"/api/notifications?offset={HUGE}", "offset"),
        (f"{BASE}/executions?workflow_id={HUGE}", "workflow_id"),
        (f"{BASE}/alerts?workflow_id={HUGE}", "workflow_id"),
        (f"/api/audit/events?cursor={HUGE}", "cursor"),
    ],
)
async def test_a_query_integer_past_its_bound_is_a_422(
    admin: httpx.AsyncClient, path: str, name: str
) -> None:
    assert list(problems(await admin.get(path))) == [name]


async def test_body_ids_past_64_bits_are_422(admin: httpx.AsyncClient) -> None:
    alert = {"workflowId": HUGE, "alertType": "in_app", "events": ["workflow_fail"]}
    assert "workflow_id" in problems(await admin.post(f"{BASE}/alerts", json=alert))
    telegram = {
        "alertType": "telegram",
        "channel": "-100123",
        "connectionId": HUGE,
        "events": ["workflow_fail"],
    }
    assert "connection_id" in problems(await admin.post(f"{BASE}/alerts", json=telegram))
    version = {"articleId": HUGE, "changeDescription": "checkpoint"}
    assert "articleId" in problems(await admin.post(f"{BASE}/versions", json=version))

    created = await admin.post(f"{BASE}/workflows", json=FLOW)
    assert created.status_code == 201, created.text
    rollback = {"version_number": HUGE, "reason": "undo"}
    wf = created.json()["id"]
    response = await admin.post(f"{BASE}/workflows/{wf}/rollback", json=rollback)
    assert "version_number" in problems(response)

    for days in (10**9, HUGE):
        prune = await admin.post("/api/audit/prune", json={"older_than_days": days})
        assert "older_than_days" in problems(prune)


@pytest.mark.parametrize("step_type", [{"a": 1}, ["transform"], [], {}])
async def test_a_step_type_that_is_not_text_is_a_422(
    admin: httpx.AsyncClient, step_type: Any
) -> None:
    body = {**FLOW, "actions": [{"id": "calc", "type": step_type, "config": {}}]}
    found = problems(await admin.post(f"{BASE}/workflows", json=body))
    assert "actions[0].type" in found


@pytest.mark.parametrize("half", ["credentials", "config"])
@pytest.mark.parametrize("value", [["token"], "token", 7, True])
async def test_credentials_or_config_that_is_not_an_object_is_a_422(
    admin: httpx.AsyncClient, half: str, value: Any
) -> None:
    body = {"name": "api", "platform": "http", "connectionType": "api_key", half: value}
    assert problems(await admin.post(f"{BASE}/connections", json=body))[half] == (
        "must be an object"
    )

    good = {
        **body,
        "name": f"api {half} {value!r}",
        "credentials": {"apiKey": "k" * 16},
        "config": {"baseUrl": "https://example.invalid"},
    }
    created = await admin.post(f"{BASE}/connections", json=good)
    assert created.status_code == 201, created.text
    path = f"{BASE}/connections/{created.json()['id']}"
    assert problems(await admin.put(path, json={half: value}))[half] == "must be an object"


async def test_what_the_schema_refuses_is_refused(admin: httpx.AsyncClient) -> None:
    """Values outside the published schema are 422, as the document says (not ignored)."""
    assert "status" in problems(await admin.get(f"{BASE}/articles?status=bogus"))
    assert "a" in problems(await admin.get(f"{BASE}/versions/1/compare?a=&b=1"))
    article = await admin.post(f"{BASE}/articles", json={"title": "T", "body": "b"})
    assert article.status_code == 201, article.text
    version = {"articleId": article.json()["id"], "metadata": [None, None]}
    assert problems(await admin.post(f"{BASE}/versions", json=version)) == {
        "metadata": "must be an object"
    }
