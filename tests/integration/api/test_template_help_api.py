"""Template help over REST against a real SQLite file, the engine and a loopback API: pin a
sample payload, list a step's paths from the last run, test one step (no run recorded, audited,
side effects confirmed first), and a broken template's named error."""

from __future__ import annotations

import json

import httpx
from sqlmodel import col, func, select

from app.api import create_api
from app.db.engine import session_scope
from app.db.models import AuditEvent, Execution
from app.engine.runner import Engine
from app.services import api_keys, executions, workflows
from app.services.actor import SYSTEM, Actor
from app.services.users import create_user

WO = "/api/workflow-orchestration/workflows"
LINE = "{{ trigger.name }} in {{ steps.fetch.output.body.city }}"


def _workflow(member: Actor, url: str) -> int:
    actions = [
        {"id": "fetch", "type": "api_call", "config": {"url": f"{url}/weather"}},
        {
            "id": "shape",
            "type": "transform",
            "config": {"values": {"line": LINE}},
        },
        {"id": "post", "type": "api_call",
         "config": {"method": "POST", "url": f"{url}/hook", "json": {"n": "{{ trigger.n }}"}}},
    ]  # fmt: skip
    data = {"name": "Weather", "trigger": {"type": "manual"}, "actions": actions}
    return workflows.create_workflow(member, data).workflow["id"]


def _count(model, *where) -> int:
    with session_scope() as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()


def _audits(action: str) -> list[dict]:
    with session_scope() as s:
        rows = s.exec(select(AuditEvent).where(AuditEvent.action == action)).all()
        return [dict(r.details or {}) for r in rows]


async def test_pin_read_and_clear_a_sample_payload(api: httpx.AsyncClient, member: Actor) -> None:
    wf = _workflow(member, "http://127.0.0.1:9")
    path = f"{WO}/{wf}/sample-payload"
    empty = (await api.get(path)).json()
    assert empty == {"workflow_id": wf, "sample_payload": None, "last_run_payload": None}
    sample = {"name": "Ada", "n": 3, "order": {"id": 7, "lines": [{"sku": "x"}]}}
    response = await api.put(path, json={"payload": sample})
    assert response.status_code == 200, response.text
    assert response.json()["sample_payload"] == sample
    assert (await api.get(path)).json()["sample_payload"] == sample
    assert workflows.get_workflow(member, wf)["version"] == 1  # not a new version
    assert _audits("workflow.sample_pinned") == [{"keys": 3, "bytes": len(json.dumps(sample))}]
    for bad in ({"payload": [1]}, {"payload": "x"}, {}, {"payload": {"a": "x" * 70_000}}):
        response = await api.put(path, json=bad)
        assert response.status_code == 422, (bad, response.text)
    assert (await api.put(path, json={"payload": {"d": _deep(40)}})).status_code == 422
    assert (await api.delete(path)).status_code == 204
    assert (await api.get(path)).json()["sample_payload"] is None
    assert len(_audits("workflow.sample_cleared")) == 1
    assert (await api.put(f"{WO}/999/sample-payload", json={"payload": {}})).status_code == 404


def _deep(levels: int) -> dict:
    value: dict = {}
    for _ in range(levels):
        value = {"a": value}
    return value


async def test_paths_come_from_the_last_run_then_the_pin(
    api: httpx.AsyncClient, engine: Engine, member: Actor, http_server
) -> None:
    url, script = http_server
    script.answers = [(200, {"city": "Oslo", "api_token": "tok-123456"})]
    wf = _workflow(member, url)
    started = await executions.execute_workflow(member, wf, payload={"name": "Ada", "n": 1})
    await engine.drain()
    body = (await api.get(f"{WO}/{wf}/steps/shape/paths")).json()
    assert body["source"] == "last_run" and body["execution_id"] == started["id"]
    rows = {row["path"]: row for row in body["paths"]}
    assert rows["trigger.name"]["preview"] == '"Ada"'
    assert rows["steps.fetch.output.body.city"]["preview"] == '"Oslo"'
    assert rows["steps.fetch.output.body.api_token"]["preview"] == "[redacted]"
    assert "tok-123456" not in str(body)
    assert not any(p.startswith("steps.shape") or p.startswith("steps.post") for p in rows)
    first = (await api.get(f"{WO}/{wf}/steps/fetch/paths")).json()
    assert not any(r["path"].startswith("steps.") for r in first["paths"])
    await api.put(f"{WO}/{wf}/sample-payload", json={"payload": {"city_id": 5}})
    pinned = (await api.get(f"{WO}/{wf}/steps/shape/paths")).json()
    paths = [r["path"] for r in pinned["paths"]]
    assert (
        pinned["source"] == "pinned" and "trigger.city_id" in paths and "trigger.name" not in paths
    )
    assert "steps.fetch.output.body.city" in paths


async def test_test_step_runs_one_step_without_a_run(
    api: httpx.AsyncClient, engine: Engine, member: Actor, http_server
) -> None:
    url, script = http_server
    script.answers = [(200, {"city": "Oslo"})]
    wf = _workflow(member, url)
    await executions.execute_workflow(member, wf, payload={"name": "Ada", "n": 1})
    await engine.drain()
    runs = _count(Execution, Execution.workflow_id == wf)
    await api.put(f"{WO}/{wf}/sample-payload", json={"payload": {"name": "Grace", "n": 2}})

    response = await api.post(f"{WO}/{wf}/steps/shape/test")
    assert response.status_code == 200, response.text
    trial = response.json()
    assert trial["status"] == "succeeded" and trial["source"] == "pinned"
    assert trial["rendered"] == {"values": {"line": "Grace in Oslo"}}
    assert trial["output"] == {"line": "Grace in Oslo"}
    assert _count(Execution, Execution.workflow_id == wf) == runs  # no run recorded
    tested = {"step_id": "shape", "type": "transform", "status": "succeeded", "confirmed": False}
    assert _audits("workflow.step_tested")[-1] == tested

    sent = len(script.requests)
    refused = await api.post(f"{WO}/{wf}/steps/post/test", json={})
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "confirmation_required"
    assert "sends a POST request" in refused.json()["error"]["message"]
    assert len(script.requests) == sent  # nothing was sent
    confirmed = await api.post(f"{WO}/{wf}/steps/post/test", json={"confirm": True})
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "succeeded"
    assert script.requests[-1]["method"] == "POST" and json.loads(script.requests[-1]["body"]) == {
        "n": 2
    }
    assert _count(Execution, Execution.workflow_id == wf) == runs


async def test_a_broken_template_is_named_and_odd_steps_are_refused(
    api: httpx.AsyncClient, engine: Engine, member: Actor
) -> None:
    actions = [
        {"id": "a", "type": "transform", "config": {"values": {"x": "{{ trigger.order.id }}"}}},
        {"id": "pause", "type": "wait", "config": {"seconds": 5}},
    ]
    data = {"name": "Orders", "trigger": {"type": "manual"}, "actions": actions}
    wf = workflows.create_workflow(member, data).workflow["id"]
    await api.put(f"{WO}/{wf}/sample-payload", json={"payload": {"order": {"number": 7}}})
    trial = (await api.post(f"{WO}/{wf}/steps/a/test")).json()
    assert trial["status"] == "failed" and trial["output"] is None
    assert "undefined 'id' in config.values.x of step 'a'" in trial["error"]
    assert "trigger.order has no 'id'; it has 'number'" in trial["error"]
    wait = await api.post(f"{WO}/{wf}/steps/pause/test")
    assert wait.status_code == 409 and "cannot be tested on its own" in wait.text
    assert (await api.post(f"{WO}/{wf}/steps/nope/test")).status_code == 404
    assert (await api.post(f"{WO}/{wf}/steps/{'x' * 65}/test")).status_code == 422


async def test_a_viewer_may_not(db, engine: Engine, member: Actor) -> None:
    wf = _workflow(member, "http://127.0.0.1:9")
    user = create_user(SYSTEM, email="viewer@example.com", role="viewer", password="v" * 12)
    key, _ = api_keys.create_api_key(SYSTEM, user_id=user.id or 0, name="tests")
    transport = httpx.ASGITransport(app=create_api())
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as c:
        assert (await c.put(f"{WO}/{wf}/sample-payload", json={"payload": {}})).status_code == 403
        assert (await c.get(f"{WO}/{wf}/steps/shape/paths")).status_code == 403
        assert (await c.post(f"{WO}/{wf}/steps/shape/test")).status_code == 403
    assert _count(AuditEvent, col(AuditEvent.action).like("workflow.step%")) == 0
