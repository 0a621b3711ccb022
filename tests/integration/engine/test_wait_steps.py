"""`wait` steps on the real engine and its wait clock, and `POST /api/hooks/resume/<token>`
called over HTTP (the API client), on a real SQLite file."""

from __future__ import annotations

import time

import httpx
import pytest

from app.api import create_api
from app.db.settings import get_settings
from app.engine import runtime
from app.engine.runner import Engine
from tests.integration.engine.wait_helpers import (
    create,
    detail,
    path_of,
    start,
    status_is,
    steps,
    until,
)


@pytest.fixture
async def stranger(engine: Engine) -> httpx.AsyncClient:
    """A client with no API key: the resume token is the only credential."""
    transport = httpx.ASGITransport(app=create_api())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def _after(step_id: str, values: dict) -> dict:
    return {"id": step_id, "type": "transform", "config": {"values": values}}


async def test_a_timer_waits_without_a_task_then_resumes_by_itself(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    wf = await create(
        api,
        "timer",
        [
            {"id": "pause", "type": "wait", "config": {"seconds": 1.5}},
            _after("after", {"waited": "{{ steps.pause.output.waited_s }}"}),
        ],
    )
    began = time.monotonic()
    execution_id = await start(api, wf)
    waiting = await until(api, execution_id, status_is("waiting"), limit_s=5)
    # The waiting run holds no task: the engine has nothing running or queued.
    drained = time.monotonic()
    await engine.drain(limit_s=5)
    assert time.monotonic() - drained < 0.5
    [wait] = waiting["waits"]
    assert wait["kind"] == "timer" and wait["status"] == "pending"
    assert wait["resume_at"] and wait["resume_url"] is None
    assert steps(waiting)["pause"]["status"] == "waiting"
    assert steps(waiting)["after"]["status"] == "pending"

    done = await until(api, execution_id, status_is("succeeded", "failed"), limit_s=15)
    elapsed = time.monotonic() - began
    assert done["status"] == "succeeded", done
    output = steps(done)["pause"]["output"]
    assert set(output) == {"resumed_at", "waited_s"}
    assert 1.4 <= output["waited_s"] < 10 and elapsed >= 1.4
    assert steps(done)["after"]["output"] == {"waited": output["waited_s"]}
    assert done["waits"][0]["status"] == "done"


async def test_an_until_in_the_past_does_not_wait(api: httpx.AsyncClient, engine: Engine) -> None:
    wf = await create(
        api,
        "past",
        [{"id": "pause", "type": "wait", "config": {"until": "{{ trigger.at }}"}}],
    )
    execution_id = await start(api, wf, {"at": "2001-01-01T00:00:00+00:00"})
    done = await until(api, execution_id, status_is("succeeded", "failed"), limit_s=10)
    assert done["status"] == "succeeded" and done["waits"] == []
    assert steps(done)["pause"]["output"]["waited_s"] == 0


async def test_a_webhook_wait_resumes_with_the_body_of_the_call(
    api: httpx.AsyncClient, stranger: httpx.AsyncClient
) -> None:
    wf = await create(
        api,
        "hook",
        [
            {"id": "callback", "type": "wait", "config": {"webhook": True, "timeout_s": 600}},
            _after("use", {"answer": "{{ steps.callback.output.answer }}"}),
        ],
    )
    execution_id = await start(api, wf)
    waiting = await until(api, execution_id, status_is("waiting"), limit_s=5)
    [wait] = waiting["waits"]
    assert wait["kind"] == "webhook" and wait["details"]["timeout_s"] == 600
    assert wait["resume_at"] is not None  # its deadline
    url = path_of(wait["resume_url"])
    assert url.startswith("/api/hooks/resume/")

    not_json = await stranger.post(url, content=b"{nope", headers={"content-type": "text/plain"})
    assert not_json.status_code == 422, not_json.text
    assert not_json.json()["error"]["details"][0]["path"] == "body"
    forged = await stranger.post(url[:-1] + ("0" if url[-1] != "0" else "1"), json={})
    assert forged.status_code == 404
    assert (await stranger.post("/api/hooks/resume/12.abc", json={})).status_code == 404
    assert (await detail(api, execution_id))["status"] == "waiting"  # none of them counted

    resumed = await stranger.post(url, json={"answer": 42})
    assert resumed.status_code == 200, resumed.text
    assert resumed.json() == {
        "execution_id": execution_id,
        "wait_id": wait["id"],
        "action_id": "callback",
        "status": "resumed",
    }
    done = await until(api, execution_id, status_is("succeeded", "failed"), limit_s=10)
    assert done["status"] == "succeeded", done
    assert steps(done)["callback"]["output"] == {"answer": 42}
    assert steps(done)["use"]["output"] == {"answer": 42}
    assert done["waits"][0]["resume_url"] is None  # not pending any more: no URL shown

    again = await stranger.post(url, json={"answer": 43})
    assert again.status_code == 409
    assert "not waiting for this call any more" in again.json()["error"]["message"]
    assert steps(await detail(api, execution_id))["callback"]["output"] == {"answer": 42}


async def test_a_webhook_wait_past_its_deadline_fails_the_step(
    api: httpx.AsyncClient, stranger: httpx.AsyncClient
) -> None:
    wf = await create(
        api,
        "deadline",
        [{"id": "callback", "type": "wait", "config": {"webhook": True, "timeout_s": 2}}],
    )
    execution_id = await start(api, wf)
    waiting = await until(api, execution_id, status_is("waiting"), limit_s=5)
    url = path_of(waiting["waits"][0]["resume_url"])
    done = await until(api, execution_id, status_is("succeeded", "failed"), limit_s=15)
    assert done["status"] == "failed"
    assert "no call to the resume URL before the deadline" in steps(done)["callback"]["error"]
    assert (await stranger.post(url, json={})).status_code == 409


async def test_cancelling_a_waiting_run_ends_its_wait(
    api: httpx.AsyncClient, stranger: httpx.AsyncClient
) -> None:
    wf = await create(
        api, "cancel", [{"id": "callback", "type": "wait", "config": {"webhook": True}}]
    )
    execution_id = await start(api, wf)
    waiting = await until(api, execution_id, status_is("waiting"), limit_s=5)
    url = path_of(waiting["waits"][0]["resume_url"])
    response = await api.post(f"/api/workflow-orchestration/executions/{execution_id}/cancel")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    assert (await stranger.post(url, json={"late": True})).status_code == 409
    seen = await detail(api, execution_id)
    assert seen["status"] == "cancelled" and steps(seen)["callback"]["output"] is None


async def test_a_webhook_wait_outlives_a_restart_of_the_engine(
    api: httpx.AsyncClient, stranger: httpx.AsyncClient, engine: Engine
) -> None:
    wf = await create(
        api,
        "restart",
        [
            {"id": "callback", "type": "wait", "config": {"webhook": True}},
            _after("use", {"answer": "{{ steps.callback.output.answer }}"}),
        ],
    )
    execution_id = await start(api, wf)
    waiting = await until(api, execution_id, status_is("waiting"), limit_s=5)
    url = path_of(waiting["waits"][0]["resume_url"])
    await engine.stop()
    again = Engine(max_concurrent=8)
    runtime.install(again)
    try:
        assert await again.start() == []  # nothing interrupted: a waiting run holds nothing
        assert (await detail(api, execution_id))["status"] == "waiting"
        assert (await stranger.post(url, json={"answer": "after"})).status_code == 200
        done = await until(api, execution_id, status_is("succeeded", "failed"), limit_s=10)
        assert done["status"] == "succeeded", done
        assert steps(done)["use"]["output"] == {"answer": "after"}
    finally:
        await again.stop()
        runtime.install(engine)


async def test_a_resume_body_over_the_limit_is_refused(
    api: httpx.AsyncClient, stranger: httpx.AsyncClient
) -> None:
    wf = await create(api, "big", [{"id": "callback", "type": "wait", "config": {"webhook": True}}])
    execution_id = await start(api, wf)
    waiting = await until(api, execution_id, status_is("waiting"), limit_s=5)
    url = path_of(waiting["waits"][0]["resume_url"])
    limit = get_settings().webhook_max_body_bytes
    response = await stranger.post(url, json={"blob": "x" * limit})
    assert response.status_code == 413
    assert (await detail(api, execution_id))["status"] == "waiting"
