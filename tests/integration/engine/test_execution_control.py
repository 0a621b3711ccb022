"""Pause, resume, cancel and retry over REST (one endpoint each, and `…/control`), on the
real engine: a pause mid-run lets the running step finish and starts nothing new; a resume
goes on from there; an action that does not apply is a 409; a viewer is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from app.api import create_api
from app.engine.runner import Engine
from app.services import api_keys, audit_query
from app.services.actor import SYSTEM, Actor
from app.services.users import create_user
from tests.integration.engine.wait_helpers import BASE, create, detail, start, status_is, steps
from tests.integration.engine.wait_helpers import until as until_state

ENDED = status_is("succeeded", "failed", "cancelled")
# Long enough that a loaded machine still sees the step running and pauses before it ends.
SLOW_S = 2.5


@pytest.fixture
async def viewer(engine: Engine) -> AsyncIterator[httpx.AsyncClient]:
    user = create_user(SYSTEM, email="viewer@example.com", role="viewer", password="v" * 12)
    key, _ = api_keys.create_api_key(SYSTEM, user_id=user.id or 0, name="tests")
    transport = httpx.ASGITransport(app=create_api())
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers=headers
    ) as client:
        yield client


def _slow_then_after(seconds: float = 1.0) -> list[dict]:
    return [
        {"id": "slow", "type": "delay", "config": {"seconds": seconds}},
        {"id": "after", "type": "transform", "config": {"values": {"done": True}}},
    ]


def _hook_wait() -> list[dict]:
    return [{"id": "callback", "type": "wait", "config": {"webhook": True}}]


async def _post(api: httpx.AsyncClient, execution_id: int, action: str) -> httpx.Response:
    return await api.post(f"{BASE}/executions/{execution_id}/{action}")


async def _control(api: httpx.AsyncClient, execution_id: int, body: object) -> httpx.Response:
    return await api.post(f"{BASE}/executions/{execution_id}/control", json=body)


def _slow_is_running(seen: dict) -> bool:
    # No step rows yet while the run is queued.
    return steps(seen).get("slow", {}).get("status") == "running"


async def test_pause_mid_run_lets_the_running_step_finish_then_resume_goes_on(
    api: httpx.AsyncClient, member: Actor
) -> None:
    wf = await create(api, "slow", _slow_then_after(SLOW_S))
    execution_id = await start(api, wf)
    await until_state(api, execution_id, _slow_is_running, limit_s=5)

    response = await _post(api, execution_id, "pause")
    assert response.status_code == 200, response.text
    assert response.json()["status"] in ("running", "paused")  # running: its step finishes
    paused = await until_state(api, execution_id, status_is("paused", "succeeded", "failed"))
    assert paused["status"] == "paused"
    assert steps(paused)["slow"]["status"] == "succeeded"  # it was not cut short
    assert steps(paused)["after"]["status"] == "pending"  # and nothing new started
    again = await _post(api, execution_id, "pause")
    assert again.status_code == 409
    assert "only running or waiting executions can be paused" in again.json()["error"]["message"]

    response = await _post(api, execution_id, "resume")
    assert response.status_code == 200, response.text
    done = await until_state(api, execution_id, ENDED)
    assert done["status"] == "succeeded", done
    assert steps(done)["after"]["output"] == {"done": True}
    assert (await _post(api, execution_id, "resume")).status_code == 409
    succeeded_retry = await _control(api, execution_id, {"action": "retry"})
    assert succeeded_retry.status_code == 409, succeeded_retry.text

    flt = audit_query.AuditFilter(target_type="execution", target_id=str(execution_id))
    trail = audit_query.list_events(SYSTEM, flt)["items"]
    assert {"execution.paused", "execution.resumed"} <= {event["action"] for event in trail}
    assert {event["actor_label"] for event in trail} == {member.email + " (API key 1)"}


async def test_a_waiting_run_pauses_at_once_and_resumes_to_wait_again(
    api: httpx.AsyncClient,
) -> None:
    wf = await create(api, "hook", _hook_wait())
    execution_id = await start(api, wf)
    await until_state(api, execution_id, status_is("waiting"), limit_s=5)

    response = await _control(api, execution_id, {"action": "pause"})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "paused"
    response = await _control(api, execution_id, {"action": "resume"})
    assert response.status_code == 200, response.text
    back = await until_state(api, execution_id, status_is("waiting"), limit_s=5)
    assert back["waits"][0]["status"] == "pending" and back["waits"][0]["resume_url"]

    response = await _control(api, execution_id, {"action": "cancel"})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    for action in ("pause", "resume", "cancel"):
        refused = await _control(api, execution_id, {"action": action})
        assert refused.status_code == 409, (action, refused.text)
        assert refused.json()["error"]["message"]
    retried = await _control(api, execution_id, {"action": "retry"})  # a cancelled run may be
    assert retried.status_code == 202, retried.text
    assert retried.json()["retry_of"] == execution_id


async def test_control_retry_starts_one_retry_of_a_failed_run(api: httpx.AsyncClient) -> None:
    wf = await create(
        api,
        "fails",
        [{"id": "boom", "type": "transform", "config": {"values": {"x": "{{ 1 / 0 }}"}}}],
    )
    execution_id = await start(api, wf)
    assert (await until_state(api, execution_id, ENDED))["status"] == "failed"
    first = await _control(api, execution_id, {"action": "retry"})
    assert first.status_code == 202, first.text
    assert first.json()["retry_of"] == execution_id
    second = await _control(api, execution_id, {"action": "retry"})
    # Either the same unfinished retry (200), or — if it already failed — a new one (202).
    assert second.status_code in (200, 202)
    if second.status_code == 200:
        assert second.json()["id"] == first.json()["id"]


async def test_control_refuses_a_bad_action_and_an_unknown_execution(
    api: httpx.AsyncClient,
) -> None:
    for body in ({"action": "explode"}, {}, {"action": None}):
        response = await _control(api, 1, body)
        assert response.status_code == 422, (body, response.text)
        [problem] = response.json()["error"]["details"]
        assert problem["path"] == "action"
    missing = await _control(api, 987_654, {"action": "pause"})
    assert missing.status_code == 404
    assert (await _post(api, 987_654, "resume")).status_code == 404


async def test_a_viewer_may_not_control_runs(
    api: httpx.AsyncClient, viewer: httpx.AsyncClient
) -> None:
    wf = await create(api, "hook", _hook_wait())
    execution_id = await start(api, wf)
    await until_state(api, execution_id, status_is("waiting"), limit_s=5)
    for action in ("pause", "resume", "cancel", "retry"):
        assert (await _post(viewer, execution_id, action)).status_code == 403, action
        response = await _control(viewer, execution_id, {"action": action})
        assert response.status_code == 403, action
    assert (await detail(api, execution_id))["status"] == "waiting"


async def test_a_resume_while_the_pause_waits_for_its_step_cancels_the_pause(
    api: httpx.AsyncClient,
) -> None:
    wf = await create(api, "slow", _slow_then_after(SLOW_S))
    execution_id = await start(api, wf)
    await until_state(api, execution_id, _slow_is_running, limit_s=5)
    not_paused = await _post(api, execution_id, "resume")
    assert not_paused.status_code == 409
    assert not_paused.json()["error"]["message"] == f"execution {execution_id} is not paused"

    assert (await _post(api, execution_id, "pause")).json()["status"] == "running"
    response = await _post(api, execution_id, "resume")
    assert response.status_code == 200, response.text
    done = await until_state(api, execution_id, status_is("succeeded", "failed", "paused"))
    assert done["status"] == "succeeded"
