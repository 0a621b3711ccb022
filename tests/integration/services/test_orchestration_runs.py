"""Running orchestrations through the service, with the engine on this loop, a real SQLite file
and a loopback server: the run row and each call row are written as the run goes (readable
live), the counters move once per run, inputs are stored masked, inactive orchestrations and a
viewer are refused (running and reading), a workflow step's run is recorded with its execution."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.errors import Conflict, NotFound, PermissionDenied
from app.core.stats import percentile
from app.core.statuses import Role
from app.engine.runner import Engine
from app.engine.runtime import EngineNotRunning
from app.services import orchestration_runs, orchestrations
from app.services.actor import Actor
from app.services.orchestration_views import RunFilter, get_run, list_runs
from tests.integration.engine.orchestration_server import Answer, Api, serve

VIEWER = Actor(kind="user", user_id=None, email="viewer@example.com", role=Role.VIEWER)


@pytest.fixture
def remote() -> Iterator[Api]:
    with serve() as server:
        yield server


def _pipeline(url: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": "sign in, then list",
        "mode": "pipeline",
        "calls": [
            {
                "id": "login",
                "method": "POST",
                "url": f"{url}/login",
                "body": {"user": "{{ inputs.user }}"},
                "extract": {"session": "sid"},
            },
            {"id": "items", "url": f"{url}/items?sid={{{{ calls.login.session }}}}"},
        ],
        **extra,
    }


async def _create(actor: Actor, data: dict[str, Any]) -> int:
    return (await asyncio.to_thread(orchestrations.create_orchestration, actor, data))["id"]


async def test_a_run_by_hand_is_recorded_call_by_call_and_counted(
    engine: Engine, member: Actor, remote: Api
) -> None:
    remote.script("/login", Answer(body={"sid": "s-42"}))
    oid = await _create(member, _pipeline(remote.url))

    run = await orchestration_runs.start_run(
        member, oid, {"user": "ada", "password": "hunter2!"}, wait_s=10
    )

    assert run["status"] == "succeeded", run
    assert run["trigger"] == "api" and run["created_by"] == member.user_id
    assert run["inputs"] == {"user": "ada", "password": "[redacted]"}
    assert run["calls_total"] == run["calls_done"] == 2
    login, items = run["calls"]
    assert (login["id"], login["status"], login["status_code"]) == ("login", "succeeded", 200)
    assert login["extracted"] == {"session": "s-42"} and len(login["attempts"]) == 1
    assert items["position"] == 1 and items["request"] is not None
    assert remote.seen("/items")[0].query == {"sid": ["s-42"]}
    assert items["start_ms"] >= login["start_ms"] + login["duration_ms"] - 1

    shown = await asyncio.to_thread(orchestrations.get_orchestration, member, oid)
    assert (shown["runs"], shown["successes"], shown["failures"]) == (1, 1, 0)
    assert shown["success_rate"] == 1.0 and shown["last_run_id"] == run["id"]
    assert shown["last_status"] == "succeeded"
    assert shown["avg_ms"] == pytest.approx(run["duration_ms"], abs=0.01)
    assert shown["p95_ms"] == pytest.approx(run["duration_ms"], abs=0.01)


async def test_the_run_is_readable_while_it_runs(
    engine: Engine, member: Actor, remote: Api
) -> None:
    remote.script("/items", Answer(delay_s=0.6))
    oid = await _create(member, _pipeline(remote.url))

    started = await orchestration_runs.start_run(member, oid, {"user": "ada"})
    assert started["status"] == "running"
    seen: set[tuple[str, str]] = set()
    async with asyncio.timeout(10):
        while True:
            run = await asyncio.to_thread(get_run, member, started["id"])
            seen |= {(c["id"], c["status"]) for c in run["calls"]}
            if run["status"] != "running":
                break
            await asyncio.sleep(0.02)
    assert ("items", "running") in seen and ("login", "succeeded") in seen
    assert run["status"] == "succeeded" and run["calls_done"] == 2


async def test_failures_and_counters_over_several_runs(
    engine: Engine, member: Actor, remote: Api
) -> None:
    remote.script("/login", Answer(status=503), Answer(body={"sid": "1"}), Answer(delay_s=0.2))
    oid = await _create(member, _pipeline(remote.url))

    who = {"user": "ada"}
    failed = await orchestration_runs.start_run(member, oid, who, wait_s=10)
    assert failed["status"] == "failed" and "answered 503" in failed["error"]
    assert [c["status"] for c in failed["calls"]] == ["failed", "skipped"]
    ok = await orchestration_runs.start_run(member, oid, who, trigger="manual", wait_s=10)
    slow = await orchestration_runs.start_run(member, oid, who, wait_s=10)
    assert ok["status"] == slow["status"] == "succeeded", (ok["error"], slow["error"])

    shown = await asyncio.to_thread(orchestrations.get_orchestration, member, oid)
    assert (shown["runs"], shown["successes"], shown["failures"]) == (3, 2, 1)
    durations = [failed["duration_ms"], ok["duration_ms"], slow["duration_ms"]]
    assert shown["avg_ms"] == pytest.approx(sum(durations) / 3, abs=0.01)
    assert shown["p95_ms"] == pytest.approx(percentile(durations, 95), abs=0.01)
    assert shown["p95_ms"] > 150  # the slow run weighs in

    page = await asyncio.to_thread(list_runs, member, oid, RunFilter(limit=2))
    assert [r["id"] for r in page["items"]] == [slow["id"], ok["id"]]
    rest = await asyncio.to_thread(list_runs, member, oid, RunFilter(cursor=page["next_cursor"]))
    assert [r["id"] for r in rest["items"]] == [failed["id"]] and rest["next_cursor"] is None
    manual = await asyncio.to_thread(list_runs, member, oid, RunFilter(trigger="manual"))
    assert [r["id"] for r in manual["items"]] == [ok["id"]]


async def test_inactive_orchestrations_and_viewers_do_not_run(
    engine: Engine, member: Actor, remote: Api
) -> None:
    oid = await _create(member, _pipeline(remote.url, isActive=False))
    with pytest.raises(Conflict, match="inactive"):
        await orchestration_runs.start_run(member, oid, {"user": "ada"})
    with pytest.raises(PermissionDenied):
        await orchestration_runs.start_run(VIEWER, oid, {})
    with pytest.raises(PermissionDenied):  # definitions hold URLs: members read, as workflows
        await asyncio.to_thread(orchestrations.get_orchestration, VIEWER, oid)
    with pytest.raises(PermissionDenied):
        await asyncio.to_thread(list_runs, VIEWER, oid, RunFilter())
    assert remote.requests == []


async def test_a_workflow_steps_run_is_recorded_with_its_execution(
    engine: Engine, member: Actor, remote: Api
) -> None:
    oid = await _create(member, _pipeline(remote.url))

    run_id, record = await orchestration_runs.record_run(
        oid, {"user": "bob"}, trigger="workflow", execution_id=77
    )

    assert record.status == "succeeded"
    run = await asyncio.to_thread(get_run, member, run_id)
    assert (run["trigger"], run["execution_id"], run["created_by"]) == ("workflow", 77, None)
    assert [c["status"] for c in run["calls"]] == ["succeeded", "succeeded"]
    assert orchestration_runs.finish_run(run_id, record) is False  # ends once, counted once
    shown = await asyncio.to_thread(orchestrations.get_orchestration, member, oid)
    assert shown["runs"] == 1


async def test_cancelling_a_run_cancels_its_calls(
    engine: Engine, member: Actor, remote: Api
) -> None:
    remote.script("/login", Answer(delay_s=5))
    oid = await _create(member, _pipeline(remote.url))
    started = await orchestration_runs.start_run(member, oid, {"user": "ada"})
    async with asyncio.timeout(5):
        while True:
            if remote.requests:
                break
            await asyncio.sleep(0.01)

    run = await orchestration_runs.cancel_run(member, started["id"])

    assert run["status"] == "cancelled"
    assert [c["status"] for c in run["calls"]] == ["cancelled", "cancelled"]
    with pytest.raises(Conflict):
        await orchestration_runs.cancel_run(member, started["id"])
    shown = await asyncio.to_thread(orchestrations.get_orchestration, member, oid)
    assert (shown["failures"], shown["last_status"]) == (1, "cancelled")


async def _first_request(remote: Api) -> None:
    async with asyncio.timeout(5):
        while True:
            if remote.requests:
                return
            await asyncio.sleep(0.01)


async def test_stopping_flowdeck_ends_the_runs_going_on_as_cancelled(
    engine: Engine, member: Actor, remote: Api
) -> None:
    remote.script("/login", Answer(delay_s=5))
    oid = await _create(member, _pipeline(remote.url))
    started = await orchestration_runs.start_run(member, oid, {"user": "ada"})
    await _first_request(remote)

    assert await orchestration_runs.stop_runs() == [started["id"]]

    run = await asyncio.to_thread(get_run, member, started["id"])
    assert run["status"] == "cancelled" and run["error"] == "Flowdeck stopped during the run"
    assert await orchestration_runs.stop_runs() == []


async def test_deleting_an_orchestration_while_it_runs_ends_quietly(
    engine: Engine, member: Actor, remote: Api
) -> None:
    remote.script("/login", Answer(delay_s=0.3))
    oid = await _create(member, _pipeline(remote.url))
    running = asyncio.create_task(orchestration_runs.record_run(oid, {"user": "ada"}))
    await _first_request(remote)

    await asyncio.to_thread(orchestrations.delete_orchestration, member, oid)
    run_id, record = await running

    assert record.status == "succeeded"  # the calls went on; nothing is left to record
    with pytest.raises(NotFound):
        await asyncio.to_thread(get_run, member, run_id)


async def test_without_an_engine_a_run_by_hand_is_refused(db: Path, member: Actor) -> None:
    oid = await _create(member, _pipeline("https://api.example.com"))
    with pytest.raises(EngineNotRunning):
        await orchestration_runs.start_run(member, oid, {"user": "ada"})


async def test_the_app_stopping_ends_a_run_by_hand(db: Path, member: Actor, remote: Api) -> None:
    from app.lifespan import startup

    remote.script("/login", Answer(delay_s=5))
    oid = await _create(member, _pipeline(remote.url))
    async with startup():
        started = await orchestration_runs.start_run(member, oid, {"user": "ada"})
        await _first_request(remote)

    run = await asyncio.to_thread(get_run, member, started["id"])
    assert run["status"] == "cancelled" and run["error"] == "Flowdeck stopped during the run"
