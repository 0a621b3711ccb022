"""The engine against a real SQLite file and a real HTTP server on loopback."""

from __future__ import annotations

import asyncio

import pytest

from app.core.errors import Conflict
from app.db.engine import session_scope
from app.db.models import Workflow
from app.engine import runtime
from app.engine.runner import Engine
from app.engine.runtime import start_run
from app.services import executions, workflows
from app.services.actor import Actor


def _workflow(member: Actor, actions: list[dict], **extra) -> int:
    data = {"name": "wf", "trigger": {"type": "manual"}, "actions": actions, **extra}
    return workflows.create_workflow(member, data).workflow["id"]


async def _statuses(member: Actor, ids: list[int], expected: list[str]) -> list[str]:
    """The runs' statuses once they are `expected` (starting a run is a task on the loop)."""
    for _ in range(100):
        statuses = [executions.get_execution(member, i)["status"] for i in ids]
        if statuses == expected:
            break
        await asyncio.sleep(0.01)
    return statuses


async def _run(member: Actor, engine: Engine, wf: int, payload: dict | None = None) -> dict:
    started = await executions.execute_workflow(member, wf, payload=payload)
    await engine.drain()
    return executions.get_execution(member, started["id"])


async def test_context_passing_and_conditions(engine: Engine, member: Actor) -> None:
    wf = _workflow(
        member,
        [
            {
                "id": "first",
                "type": "transform",
                "config": {"values": {"n": "{{ trigger.n * 2 }}"}},
            },
            {
                "id": "big",
                "type": "transform",
                "condition": "steps.first.output.n > 100",
                "config": {"values": {"x": 1}},
            },
            {
                "id": "echo",
                "type": "transform",
                "config": {
                    "values": {"text": "{{ trigger.raw }}", "n": "{{ steps.first.output.n }}"}
                },
            },
        ],
    )
    result = await _run(member, engine, wf, {"n": 21, "raw": "{{ 7*7 }}"})
    assert result["status"] == "succeeded"
    steps = {s["action_id"]: s for s in result["steps"]}
    assert steps["first"]["output"] == {"n": 42}
    assert steps["big"]["status"] == "skipped" and "condition" in steps["big"]["skip_reason"]
    assert steps["echo"]["output"] == {"text": "{{ 7*7 }}", "n": 42}
    assert result["steps_completed"] == 3
    counters = workflows.get_workflow(member, wf)
    assert counters["runs"] == 1 and counters["successes"] == 1
    assert counters["last_status"] == "succeeded"


async def test_retries_on_503_then_succeeds(engine: Engine, member: Actor, http_server) -> None:
    url, script = http_server
    script.answers = [(503, {"error": "busy"}), (503, {"error": "busy"}), (200, {"id": 7})]
    wf = _workflow(
        member,
        [
            {
                "id": "fetch",
                "type": "api_call",
                "config": {"url": f"{url}/items"},
                "retry": {"strategy": "exponential", "max_attempts": 3, "delay_s": 0.01},
            }
        ],
    )
    result = await _run(member, engine, wf)
    step = result["steps"][0]
    assert result["status"] == "succeeded"
    assert [a["error"] is None for a in step["attempts"]] == [False, False, True]
    assert step["attempts"][0]["failure_kind"] == "http_5xx"
    assert step["output"]["status"] == 200 and step["output"]["body"] == {"id": 7}
    assert len(script.requests) == 3


async def test_404_does_not_retry_and_fails(engine: Engine, member: Actor, http_server) -> None:
    url, script = http_server
    script.answers = [(404, {"error": "missing"})]
    wf = _workflow(
        member,
        [
            {
                "id": "fetch",
                "type": "api_call",
                "config": {"url": f"{url}/x"},
                "retry": {"strategy": "immediate", "max_attempts": 3},
            },
            {"id": "after", "type": "transform", "config": {"values": {}}},
        ],
    )
    result = await _run(member, engine, wf)
    assert result["status"] == "failed" and result["failed_step"] == "fetch"
    assert len(result["steps"][0]["attempts"]) == 1
    assert result["steps"][1]["status"] == "skipped"
    assert workflows.get_workflow(member, wf)["failures"] == 1


async def test_timeout_fails_the_step(engine: Engine, member: Actor) -> None:
    wf = _workflow(
        member, [{"id": "wait", "type": "delay", "config": {"seconds": 5}, "timeout_s": 0.1}]
    )
    result = await _run(member, engine, wf)
    assert result["status"] == "failed"
    assert "timed out after 0.1 s" in result["steps"][0]["error"]
    assert result["steps"][0]["attempts"][0]["failure_kind"] == "timeout"


async def test_continue_on_error(engine: Engine, member: Actor) -> None:
    wf = _workflow(
        member,
        [
            {
                "id": "bad",
                "type": "transform",
                "config": {"values": {"x": "{{ nope.x }}"}},
                "continue_on_error": True,
            },
            {"id": "good", "type": "transform", "config": {"values": {"y": 1}}},
        ],
    )
    result = await _run(member, engine, wf)
    assert result["status"] == "succeeded"
    assert result["steps"][0]["status"] == "failed" and "nope" in result["steps"][0]["error"]
    assert result["steps"][1]["status"] == "succeeded"


async def test_cancel_mid_delay(engine: Engine, member: Actor) -> None:
    wf = _workflow(
        member,
        [
            {"id": "wait", "type": "delay", "config": {"seconds": 30}},
            {"id": "never", "type": "transform", "config": {"values": {}}},
        ],
    )
    started = await executions.execute_workflow(member, wf)
    await asyncio.sleep(0.1)
    result = await executions.cancel_execution(member, started["id"])
    assert result["status"] == "cancelled"
    assert [s["status"] for s in result["steps"]] == ["cancelled", "cancelled"]
    with pytest.raises(Conflict):
        await executions.cancel_execution(member, started["id"])


async def test_retry_from_failed_step(engine: Engine, member: Actor, http_server) -> None:
    url, script = http_server
    script.answers = [(500, {"error": "down"})]
    wf = _workflow(
        member,
        [
            {"id": "make", "type": "transform", "config": {"values": {"item": "abc"}}},
            {
                "id": "send",
                "type": "api_call",
                "config": {
                    "url": f"{url}/send",
                    "method": "POST",
                    "json": {"item": "{{ steps.make.output.item }}"},
                },
            },
        ],
    )
    failed = await _run(member, engine, wf)
    assert failed["status"] == "failed"
    retried = executions.retry_execution(member, failed["id"])
    await engine.drain()
    result = executions.get_execution(member, retried["id"])
    assert result["status"] == "succeeded" and result["retry_of"] == failed["id"]
    assert result["steps"][0]["input"] == {"reused_from_execution": failed["id"]}
    assert result["steps"][0]["attempts"] == []
    assert script.requests[-1]["body"] == '{"item":"abc"}'


async def test_concurrency_limit_queues_runs(engine: Engine, member: Actor) -> None:
    wf = _workflow(
        member, [{"id": "wait", "type": "delay", "config": {"seconds": 0.2}}], concurrency_limit=1
    )
    first = await executions.execute_workflow(member, wf)
    second = await executions.execute_workflow(member, wf)
    expected = ["running", "queued"]
    assert await _statuses(member, [first["id"], second["id"]], expected) == expected
    await engine.drain()
    done = [executions.get_execution(member, e["id"]) for e in (first, second)]
    assert [d["status"] for d in done] == ["succeeded", "succeeded"]
    assert done[1]["started_at"] >= done[0]["finished_at"]


async def test_progress_is_recorded_as_steps_finish(engine: Engine, member: Actor) -> None:
    wf = _workflow(
        member,
        [
            {"id": "one", "type": "transform", "config": {"values": {"a": 1}}},
            {"id": "wait", "type": "delay", "config": {"seconds": 0.5}},
        ],
    )
    started = await executions.execute_workflow(member, wf)
    await asyncio.sleep(0.2)
    running = executions.get_execution(member, started["id"])
    assert running["status"] == "running"
    assert running["steps_completed"] == 1 and running["steps_total"] == 2
    await engine.drain()
    assert executions.get_execution(member, started["id"])["steps_completed"] == 2


async def test_global_limit_starts_waiting_runs_as_slots_free(member: Actor, db) -> None:
    engine = Engine(max_concurrent=2)
    runtime.install(engine)
    await engine.start()
    try:
        wf = _workflow(
            member,
            [{"id": "wait", "type": "delay", "config": {"seconds": 0.1}}],
            concurrency_limit=10,
        )
        ids = [(await executions.execute_workflow(member, wf))["id"] for _ in range(5)]
        expected = ["running", "running", "queued", "queued", "queued"]
        assert await _statuses(member, ids, expected) == expected
        await engine.drain()
        assert {executions.get_execution(member, i)["status"] for i in ids} == {"succeeded"}
    finally:
        await engine.stop()
        runtime.install(None)


async def test_a_run_submitted_from_another_thread_starts(engine: Engine, member: Actor) -> None:
    """Schedules and thread-pool callers submit off the loop; the engine must still wake."""

    wf = _workflow(member, [{"id": "one", "type": "transform", "config": {"values": {"a": 1}}}])
    with session_scope() as session:
        workflow = session.get(Workflow, wf)
    await _run(member, engine, wf)  # the engine has looked at an empty queue since
    execution_id, created = await asyncio.to_thread(start_run, workflow, trigger_type="manual")
    assert created
    await executions.wait_for_finish(execution_id, 5)
    assert executions.get_execution(member, execution_id)["status"] == "succeeded"


async def test_a_long_step_is_written_running_with_its_input(engine: Engine, member: Actor) -> None:
    """Quick steps go to their end in one write; one still going is marked running."""
    wf = _workflow(member, [{"id": "wait", "type": "delay", "config": {"seconds": 0.4}}])
    started = await executions.execute_workflow(member, wf)
    await asyncio.sleep(0.15)
    step = executions.get_execution(member, started["id"])["steps"][0]
    assert step["status"] == "running"
    assert step["input"] == {"seconds": 0.4} and step["started_at"] is not None
    await engine.drain()
    done = executions.get_execution(member, started["id"])["steps"][0]
    assert done["status"] == "succeeded" and done["input"] == {"seconds": 0.4}
    assert done["started_at"] == step["started_at"]
