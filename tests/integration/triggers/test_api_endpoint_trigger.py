"""The `api_endpoint` trigger over the REST API: `POST /api/run/<slug>` with an API key runs the
workflow with the body as its payload and answers with the step outputs, 202 past the timeout,
502 when the run failed; slugs are checked and unique; the body is bounded."""

from __future__ import annotations

import httpx
import pytest

from app.engine.runner import Engine
from app.services import api_keys
from app.services.actor import SYSTEM
from app.services.users import create_user
from tests.integration.api.deployed import BASE, problems


def _endpoint(slug: str, actions: list[dict], **config) -> dict:
    return {
        "name": f"endpoint {slug}",
        "trigger": {"type": "api_endpoint", "config": {"slug": slug, **config}},
        "actions": actions,
    }


GREET = [
    {"id": "greet", "type": "transform", "config": {"values": {"text": "Hi {{ trigger.name }}"}}},
    {"id": "count", "type": "transform", "config": {"values": {"n": "{{ trigger.n + 1 }}"}}},
]


async def _create(api: httpx.AsyncClient, data: dict) -> dict:
    response = await api.post(f"{BASE}/workflows", json=data)
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_call_runs_the_workflow_and_answers_with_its_outputs(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    created = await _create(api, _endpoint("greet", GREET))
    assert created["endpoint_url"].endswith("/api/run/greet")
    assert created["trigger_summary"] == "API endpoint POST /api/run/greet"
    response = await api.post("/api/run/greet", json={"name": "Ada", "n": 41})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "succeeded"
    assert body["outputs"] == {"greet": {"text": "Hi Ada"}, "count": {"n": 42}}
    run = (await api.get(f"{BASE}/executions/{body['execution_id']}")).json()
    assert run["trigger_type"] == "api_endpoint"
    assert run["trigger_payload"] == {"name": "Ada", "n": 41}


async def test_bodies_that_are_not_objects_and_bodies_that_are_not_json(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    echo = [{"id": "echo", "type": "transform", "config": {"values": {"got": "{{ trigger }}"}}}]
    await _create(api, _endpoint("echo", echo))
    listed = await api.post("/api/run/echo", json=[1, 2])
    assert listed.status_code == 200
    assert listed.json()["outputs"]["echo"]["got"] == {"body": [1, 2]}
    empty = await api.post("/api/run/echo")
    assert empty.status_code == 200 and empty.json()["outputs"]["echo"]["got"] == {}
    broken = await api.post(
        "/api/run/echo", content=b"{nope", headers={"Content-Type": "text/plain"}
    )
    assert broken.status_code == 400
    assert broken.json()["error"]["message"].startswith("the body is not JSON")
    huge = await api.post("/api/run/echo", content=b"x" * (1024 * 1024 + 1))
    assert huge.status_code == 413


async def test_a_run_still_going_after_the_timeout_is_answered_202(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    slow = [{"id": "wait", "type": "delay", "config": {"seconds": 2.5}}]
    await _create(api, _endpoint("slow", slow, timeout_s=1))
    response = await api.post("/api/run/slow", json={})
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "running"
    assert body["status_url"] == f"{BASE}/executions/{body['execution_id']}"
    await engine.drain()
    later = await api.get(body["status_url"])
    assert later.json()["status"] == "succeeded"


async def test_a_failed_run_is_a_502_with_its_error_and_outputs(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    failing = [
        {"id": "ok", "type": "transform", "config": {"values": {"a": 1}}},
        {"id": "bad", "type": "transform", "config": {"values": {"b": "{{ trigger.missing.x }}"}}},
    ]
    await _create(api, _endpoint("fails", failing))
    response = await api.post("/api/run/fails", json={})
    assert response.status_code == 502, response.text
    error = response.json()["error"]
    assert error["code"] == "execution_failed" and error["message"].startswith("step bad failed")
    assert error["details"]["status"] == "failed" and error["details"]["failed_step"] == "bad"
    assert error["details"]["outputs"]["ok"] == {"a": 1}


async def test_who_may_call_and_which_endpoints_answer(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    created = await _create(api, _endpoint("guarded", GREET))
    anonymous = await api.post("/api/run/guarded", json={}, headers={"Authorization": ""})
    assert anonymous.status_code == 401
    viewer = create_user(SYSTEM, email="v@example.com", role="viewer", password="v" * 12)
    key, _ = api_keys.create_api_key(SYSTEM, user_id=viewer.id or 0, name="v")
    refused = await api.post(
        "/api/run/guarded", json={}, headers={"Authorization": f"Bearer {key}"}
    )
    assert refused.status_code == 403
    assert (await api.post("/api/run/nobody-here", json={})).status_code == 404
    assert (await api.post("/api/run/Bad_Slug", json={})).status_code == 422
    paused = await api.put(f"{BASE}/workflows/{created['id']}", json={"is_active": False})
    assert paused.status_code == 200, paused.text
    assert (await api.post("/api/run/guarded", json={"name": "x", "n": 1})).status_code == 404


async def test_slugs_are_checked_and_unique(api: httpx.AsyncClient, engine: Engine) -> None:
    first = await _create(api, _endpoint("orders", GREET))
    taken = await api.post(f"{BASE}/workflows", json=_endpoint("orders", GREET))
    message = f'"orders" is taken by workflow "{first["name"]}"; choose another slug'
    assert problems(taken) == {"trigger.config.slug": message}
    bad = await api.post(f"{BASE}/workflows", json=_endpoint("Orders Now", GREET, timeout_s=0))
    found = problems(bad)
    assert set(found) == {"trigger.config.slug", "trigger.config.timeout_s"}
    # the workflow keeps its slug when saved again, and frees it when its trigger changes
    again = await api.put(f"{BASE}/workflows/{first['id']}", json={"description": "same slug"})
    assert again.status_code == 200, again.text
    manual = await api.put(f"{BASE}/workflows/{first['id']}", json={"trigger": {"type": "manual"}})
    assert manual.status_code == 200 and manual.json()["endpoint_url"] is None
    await _create(api, _endpoint("orders", GREET))


@pytest.mark.parametrize("base", [BASE, "/api/automation"])
async def test_the_catalog_lists_the_endpoint_trigger(api: httpx.AsyncClient, base: str) -> None:
    types = {t["type"]: t for t in (await api.get(f"{base}/trigger-types")).json()}
    fields = {f["name"]: f for f in types["api_endpoint"]["fields"]}
    assert fields["slug"]["required"] and fields["slug"]["bounds"]["pattern"]
    assert fields["timeout_s"]["bounds"] == {"minimum": 1, "maximum": 300}
    assert types["api_endpoint"]["description"].startswith("An authenticated endpoint")
