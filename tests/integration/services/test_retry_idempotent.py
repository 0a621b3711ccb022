"""Retrying the same execution twice gives one retry while it is unfinished (service and REST),
also for two requests at the same moment from two threads."""

from __future__ import annotations

import asyncio
import threading

import httpx
import sqlalchemy as sa

from app.db.engine import get_engine
from app.engine.runner import Engine
from app.services import executions, workflows
from app.services.actor import Actor
from app.services.executions import Retry
from tests.integration.triggers.conftest import eventually

BASE = "/api/workflow-orchestration"


def slow_retry(wait: str = "trigger.retry_wait_s") -> list[dict]:
    """Fails at once in the original run; in a retry the same step waits (then succeeds)."""
    return [
        {"id": "make", "type": "transform", "config": {"values": {"item": "abc"}}},
        {
            "id": "wait",
            "type": "delay",
            "config": {"seconds": f"{{{{ {wait} if execution.retry_of else 'no' }}}}"},
        },
    ]


SLOW_RETRY = slow_retry()


async def _failed_run(member: Actor, engine: Engine, retry_wait_s: float = 30) -> int:
    saved = workflows.create_workflow(
        member, {"name": "flaky", "trigger": {"type": "manual"}, "actions": SLOW_RETRY}
    )
    started = await executions.execute_workflow(
        member, saved.workflow["id"], payload={"retry_wait_s": retry_wait_s}
    )
    await engine.drain()
    failed = executions.get_execution(member, started["id"])
    assert failed["status"] == "failed" and failed["failed_step"] == "wait"
    return failed["id"]


async def _cancel_once_waiting(member: Actor, execution_id: int) -> None:
    """Cancel a retry once its `wait` step runs (the engine has picked it up)."""

    def waiting() -> bool:
        steps = executions.get_execution(member, execution_id)["steps"]
        return [s["status"] for s in steps] == ["succeeded", "running"]

    await eventually(waiting, within=10)
    cancelled = await executions.cancel_execution(member, execution_id)
    assert cancelled["status"] == "cancelled"


def _retries_of(execution_id: int) -> list[int]:
    with get_engine().connect() as conn:
        return list(
            conn.execute(
                sa.text("SELECT id FROM execution WHERE retry_of = :id ORDER BY id"),
                {"id": execution_id},
            ).scalars()
        )


async def test_a_second_retry_returns_the_first_until_it_finishes(
    engine: Engine, member: Actor
) -> None:
    failed = await _failed_run(member, engine)
    first = executions.request_retry(member, failed)
    assert first.created and first.execution["retry_of"] == failed
    again = executions.request_retry(member, failed)
    assert not again.created and again.execution["id"] == first.execution["id"]
    assert _retries_of(failed) == [first.execution["id"]]

    await _cancel_once_waiting(member, first.execution["id"])  # now it is finished
    second = executions.request_retry(member, failed)
    assert second.created and second.execution["id"] != first.execution["id"]
    assert _retries_of(failed) == [first.execution["id"], second.execution["id"]]
    await _cancel_once_waiting(member, second.execution["id"])


async def test_two_retries_at_the_same_moment_make_one(engine: Engine, member: Actor) -> None:
    failed = await _failed_run(member, engine)
    gate = threading.Barrier(2)

    def retry() -> Retry:
        gate.wait(5)
        return executions.request_retry(member, failed)

    both = await asyncio.gather(asyncio.to_thread(retry), asyncio.to_thread(retry))
    assert sorted(r.created for r in both) == [False, True]
    assert both[0].execution["id"] == both[1].execution["id"]
    assert _retries_of(failed) == [both[0].execution["id"]]
    await _cancel_once_waiting(member, both[0].execution["id"])


async def test_a_finished_retry_allows_a_new_one_and_reuses_outputs(
    engine: Engine, member: Actor
) -> None:
    failed = await _failed_run(member, engine, retry_wait_s=0)
    first = executions.request_retry(member, failed)
    await engine.drain()
    done = executions.get_execution(member, first.execution["id"])
    assert done["status"] == "succeeded"
    assert done["steps"][0]["input"] == {"reused_from_execution": failed}
    later = executions.request_retry(member, failed)
    assert later.created and later.execution["id"] != done["id"]
    await engine.drain()


async def test_rest_answers_202_for_a_new_retry_and_200_for_the_running_one(
    engine: Engine, member: Actor, api: httpx.AsyncClient
) -> None:
    failed = await _failed_run(member, engine)
    url = f"{BASE}/executions/{failed}/retry"
    first, second = await asyncio.gather(api.post(url), api.post(url))
    assert sorted([first.status_code, second.status_code]) == [200, 202], first.text
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["retry_of"] == failed
    third = await api.post(url)
    assert third.status_code == 200 and third.json()["id"] == first.json()["id"]
    assert _retries_of(failed) == [first.json()["id"]]
    await _cancel_once_waiting(member, first.json()["id"])
    fourth = await api.post(url)
    assert fourth.status_code == 202 and fourth.json()["id"] != first.json()["id"]
    await _cancel_once_waiting(member, fourth.json()["id"])


async def test_a_replayed_webhook_names_the_retry_of_its_failed_run(
    engine: Engine, member: Actor, api: httpx.AsyncClient
) -> None:
    actions = slow_retry("trigger.body.retry_wait_s")
    body = {"name": "hooked", "trigger": {"type": "webhook"}, "actions": actions}
    hook = workflows.create_workflow(member, body).workflow["webhook_url"].rsplit("/", 1)[1]
    send = {"json": {"retry_wait_s": 30}, "headers": {"Idempotency-Key": "delivery-1"}}
    first = await api.post(f"/api/hooks/{hook}", **send)
    assert first.status_code == 202 and "retry_execution_id" not in first.json()
    failed = first.json()["execution_id"]
    await engine.drain()
    replay = await api.post(f"/api/hooks/{hook}", **send)
    assert replay.status_code == 200
    assert replay.json() == {"execution_id": failed, "status": "failed", "duplicate": True}

    retry = await api.post(f"{BASE}/executions/{failed}/retry")
    assert retry.status_code == 202
    replay = await api.post(f"/api/hooks/{hook}", **send)
    assert replay.status_code == 200 and replay.json() == {
        "execution_id": failed,
        "status": "failed",
        "duplicate": True,
        "retry_execution_id": retry.json()["id"],
    }
    await _cancel_once_waiting(member, retry.json()["id"])
