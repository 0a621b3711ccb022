"""Steps that wait hold nothing; runs pause, resume, and survive a stop of the engine.

Real engine, real SQLite file, the real `wait` and `delay` actions; the wait clock wakes timers
by itself. "Holds nothing" is read from the engine: no task for the run while it waits.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import sqlalchemy as sa

from app.db.engine import get_engine
from app.db.types import utcnow
from app.engine import runtime, wait_clock, waits
from app.engine.runner import Engine
from app.services import executions, workflows
from app.services.actor import Actor


def _workflow(member: Actor, actions: list[dict], **extra) -> int:
    data = {"name": "waits", "trigger": {"type": "manual"}, "actions": actions, **extra}
    return workflows.create_workflow(member, data).workflow["id"]


async def _start(member: Actor, wf: int) -> int:
    return (await executions.execute_workflow(member, wf))["id"]


def _detail(member: Actor, execution_id: int) -> dict:
    return executions.get_execution(member, execution_id)


def _steps(detail: dict) -> dict[str, dict]:
    return {step["action_id"]: step for step in detail["steps"]}


async def _until(member: Actor, execution_id: int, *statuses: str, limit_s: float = 10) -> dict:
    deadline = time.monotonic() + limit_s
    while True:
        detail = await asyncio.to_thread(_detail, member, execution_id)
        if detail["status"] in statuses:
            return detail
        assert time.monotonic() < deadline, f"still {detail['status']}, wanted {statuses}"
        await asyncio.sleep(0.05)


def _wait_rows(execution_id: int) -> list[dict]:
    with get_engine().connect() as conn:
        rows = conn.execute(
            sa.text("SELECT kind, status FROM step_wait WHERE execution_id = :e"),
            {"e": execution_id},
        )
        return [dict(row._mapping) for row in rows]


TIMER_CHAIN = [
    {"id": "before", "type": "transform", "config": {"values": {"n": 1}}},
    {"id": "pause", "type": "wait", "config": {"seconds": 0.6}},
    {
        "id": "after",
        "type": "transform",
        "config": {"values": {"n": "{{ steps.before.output.n }}"}},
    },
]


async def test_a_timer_wait_holds_no_task_and_the_clock_resumes_the_run(
    engine: Engine, member: Actor
) -> None:
    execution_id = await _start(member, _workflow(member, TIMER_CHAIN))
    waiting = await _until(member, execution_id, "waiting")
    assert execution_id not in engine._tasks  # nothing held while it waits
    steps = _steps(waiting)
    assert steps["before"]["status"] == "succeeded"
    assert steps["pause"]["status"] == "waiting"
    assert steps["after"]["status"] == "pending"

    done = await _until(member, execution_id, "succeeded", "failed")
    assert done["status"] == "succeeded", done["error"]
    steps = _steps(done)
    assert steps["pause"]["output"]["waited_s"] >= 0.5
    assert steps["after"]["output"] == {"n": 1}  # rendered from the stored step output
    assert done["steps_completed"] == 3
    assert done["started_at"] == waiting["started_at"]  # the first start is kept
    assert _wait_rows(execution_id) == [{"kind": "timer", "status": "done"}]


async def test_a_branch_goes_on_while_another_step_waits(engine: Engine, member: Actor) -> None:
    actions = [
        {"id": "slow", "type": "delay", "depends_on": [], "config": {"seconds": 0.4}},
        {"id": "hold", "type": "wait", "depends_on": [], "config": {"webhook": True}},
        {"id": "next", "type": "transform", "depends_on": ["slow"], "config": {"values": {}}},
        {
            "id": "join",
            "type": "merge",
            "depends_on": ["next", "hold"],
            "config": {"mode": "object"},
        },
    ]
    execution_id = await _start(member, _workflow(member, actions))
    waiting = await _until(member, execution_id, "waiting")
    steps = _steps(waiting)
    assert steps["slow"]["status"] == steps["next"]["status"] == "succeeded"
    assert steps["hold"]["status"] == "waiting" and steps["join"]["status"] == "pending"

    (wait,) = [w for w in waits.waits_of(execution_id) if w["kind"] == "webhook"]
    assert await asyncio.to_thread(waits.resolve, wait["id"], output={"ok": "yes"})
    assert not await asyncio.to_thread(waits.resolve, wait["id"], output={"again": 1})
    done = await _until(member, execution_id, "succeeded", "failed")
    assert done["status"] == "succeeded", done["error"]
    assert _steps(done)["join"]["output"]["hold"] == {"ok": "yes"}
    assert done["steps_completed"] == 4


async def test_a_wait_resolved_while_the_run_goes_on_is_taken_in_at_once(
    engine: Engine, member: Actor
) -> None:
    actions = [
        {"id": "hold", "type": "wait", "depends_on": [], "config": {"webhook": True}},
        {"id": "slow", "type": "delay", "depends_on": [], "config": {"seconds": 1.0}},
        {"id": "use", "type": "transform", "depends_on": ["hold"], "config": {"values": {}}},
    ]
    execution_id = await _start(member, _workflow(member, actions))
    deadline = time.monotonic() + 5
    while not (pending := [w for w in waits.waits_of(execution_id) if w["status"] == "pending"]):
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)
    assert await asyncio.to_thread(waits.resolve, pending[0]["id"], output={"go": True})
    # `use` runs while `slow` is still going: the run never went `waiting`.
    while _steps(_detail(member, execution_id)).get("use", {}).get("status") != "succeeded":
        assert _steps(_detail(member, execution_id))["slow"]["status"] != "succeeded"
        await asyncio.sleep(0.02)
    done = await _until(member, execution_id, "succeeded", "failed")
    assert done["status"] == "succeeded"


async def test_pause_lets_the_running_step_finish_then_resume_goes_on(
    engine: Engine, member: Actor
) -> None:
    actions = [
        # long enough that the pause lands while it runs, even on a loaded machine
        {"id": "first", "type": "delay", "config": {"seconds": 2}},
        {"id": "second", "type": "transform", "config": {"values": {"x": 2}}},
    ]
    execution_id = await _start(member, _workflow(member, actions))
    deadline = time.monotonic() + 10
    while (
        _steps(await asyncio.to_thread(_detail, member, execution_id))
        .get("first", {})
        .get("status")
        != "running"
    ):
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)
    assert await engine.pause(execution_id) == "pausing"
    paused = await _until(member, execution_id, "paused")
    assert execution_id not in engine._tasks
    steps = _steps(paused)
    assert steps["first"]["status"] == "succeeded" and steps["second"]["status"] == "pending"

    assert await engine.resume(execution_id) == "resumed"
    done = await _until(member, execution_id, "succeeded", "failed")
    assert done["status"] == "succeeded" and done["steps_completed"] == 2
    assert _steps(done)["second"]["output"] == {"x": 2}


async def test_a_pause_asked_as_soon_as_the_run_is_claimed_is_kept(
    engine: Engine, member: Actor
) -> None:
    """The run is `running` before its walk is built: a pause then must not be refused."""
    actions = [
        {"id": "first", "type": "delay", "config": {"seconds": 0.5}},
        {"id": "only", "type": "transform", "config": {"values": {"x": 1}}},
    ]
    execution_id = await _start(member, _workflow(member, actions))
    deadline = time.monotonic() + 10
    while execution_id not in engine._tasks:
        assert time.monotonic() < deadline
        await asyncio.sleep(0)
    assert await engine.pause(execution_id) == "pausing"
    paused = await _until(member, execution_id, "paused", "succeeded")
    assert paused["status"] == "paused" and _steps(paused)["only"]["status"] == "pending"
    assert await engine.resume(execution_id) == "resumed"
    done = await _until(member, execution_id, "succeeded", "failed")
    assert done["status"] == "succeeded" and _steps(done)["only"]["output"] == {"x": 1}


async def test_a_waiting_run_is_paused_resumed_and_cancelled(engine: Engine, member: Actor) -> None:
    actions = [{"id": "hold", "type": "wait", "config": {"webhook": True}}]
    execution_id = await _start(member, _workflow(member, actions))
    await _until(member, execution_id, "waiting")
    assert await engine.pause(execution_id) == "paused"
    assert (await _until(member, execution_id, "paused"))["status"] == "paused"
    assert await engine.resume(execution_id) == "resumed"
    await _until(member, execution_id, "waiting")  # back through the queue, still waiting

    assert await engine.cancel(execution_id) == "cancelled"
    done = await _until(member, execution_id, "cancelled")
    assert _steps(done)["hold"]["status"] == "cancelled"
    assert _wait_rows(execution_id) == [{"kind": "webhook", "status": "cancelled"}]


async def test_a_stop_interrupts_running_steps_and_leaves_waiting_runs_waiting(
    engine: Engine, member: Actor
) -> None:
    busy = await _start(
        member, _workflow(member, [{"id": "long", "type": "delay", "config": {"seconds": 30}}])
    )
    held = await _start(
        member,
        _workflow(
            member,
            [
                # long enough to be seen waiting, and still waiting at the stop, under load
                {"id": "nap", "type": "wait", "config": {"seconds": 4}},
                {"id": "end", "type": "transform", "config": {"values": {}}},
            ],
        ),
    )
    await _until(member, held, "waiting")
    await _until(member, busy, "running")
    await asyncio.sleep(0.1)  # the delay step is under way
    await engine.stop()

    stopped = _detail(member, busy)
    assert stopped["status"] == "interrupted"
    assert _steps(stopped)["long"]["status"] == "interrupted"
    assert _detail(member, held)["status"] == "waiting"

    again = Engine(max_concurrent=8)
    runtime.install(again)
    try:
        await again.start()
        assert _detail(member, held)["status"] == "waiting"  # a restart does not touch it
        done = await _until(member, held, "succeeded", "failed")
        assert done["status"] == "succeeded"
        assert _steps(done)["end"]["status"] == "succeeded"
    finally:
        await again.stop()
        runtime.install(engine)


async def test_a_resolved_wait_announces_its_step_end(engine: Engine, member: Actor) -> None:
    seen: list[dict] = []

    def on_step(event) -> None:
        seen.append(dict(event.data))

    engine.events.subscribe("step.finished", on_step)
    try:
        actions = [{"id": "hold", "type": "wait", "config": {"webhook": True}}]
        execution_id = await _start(member, _workflow(member, actions))
        await _until(member, execution_id, "waiting")
        (wait,) = waits.waits_of(execution_id)
        assert await asyncio.to_thread(waits.resolve, wait["id"], error="gave up")
        failed = await _until(member, execution_id, "failed")
        assert _steps(failed)["hold"]["error"] == "gave up"
        await asyncio.sleep(0.05)
        ends = [e for e in seen if e["execution_id"] == execution_id]
        assert [(e["action_id"], e["status"]) for e in ends] == [("hold", "failed")]
        assert ends[0]["workflow_id"] == failed["workflow_id"]
    finally:
        engine.events.unsubscribe(on_step)


async def test_recovery_cancels_the_waits_of_a_run_a_dead_process_left_running(
    engine: Engine, member: Actor
) -> None:
    actions = [
        {"id": "hold", "type": "wait", "depends_on": [], "config": {"webhook": True}},
        {"id": "long", "type": "delay", "depends_on": [], "config": {"seconds": 30}},
    ]
    execution_id = await _start(member, _workflow(member, actions))
    deadline = time.monotonic() + 5
    while _steps(_detail(member, execution_id)).get("hold", {}).get("status") != "waiting":
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)

    # A new process starts while the old one's run is still `running` in the database: the
    # recovery a restart after a crash does.
    after_crash = Engine(max_concurrent=8)
    assert await after_crash.start() == [execution_id]
    try:
        detail = _detail(member, execution_id)
        assert detail["status"] == "interrupted"
        steps = _steps(detail)
        assert steps["hold"]["status"] == "cancelled"
        assert _wait_rows(execution_id) == [{"kind": "webhook", "status": "cancelled"}]
        (wait,) = waits.waits_of(execution_id)
        assert not await asyncio.to_thread(waits.resolve, wait["id"], output={})
    finally:
        await after_crash.stop()


async def test_a_cancelled_run_is_retried_from_where_it_stopped(
    engine: Engine, member: Actor
) -> None:
    actions = [
        {"id": "first", "type": "transform", "config": {"values": {"n": 1}}},
        {"id": "hold", "type": "wait", "config": {"webhook": True}},
    ]
    execution_id = await _start(member, _workflow(member, actions))
    await _until(member, execution_id, "waiting")
    await engine.cancel(execution_id)
    await _until(member, execution_id, "cancelled")

    retry = await asyncio.to_thread(executions.request_retry, member, execution_id)
    assert retry.created
    again = await _until(member, retry.execution["id"], "waiting")
    steps = _steps(again)
    assert steps["first"]["input"] == {"reused_from_execution": execution_id}
    assert steps["hold"]["status"] == "waiting"


async def test_recovery_leaves_no_for_each_item_pending(engine: Engine, member: Actor) -> None:
    inner = {"type": "delay", "config": {"seconds": 30}}
    actions = [
        {
            "id": "each",
            "type": "for_each",
            "config": {"items": [1, 2, 3], "step": inner, "concurrency": 1},
        }
    ]
    execution_id = await _start(member, _workflow(member, actions))
    await _until(member, execution_id, "running")

    def items() -> list[str]:
        with get_engine().connect() as conn:
            return list(
                conn.execute(
                    sa.text(
                        "SELECT i.status FROM step_item i JOIN execution_step s"
                        " ON s.id = i.step_id WHERE s.execution_id = :e ORDER BY i.position"
                    ),
                    {"e": execution_id},
                ).scalars()
            )

    deadline = time.monotonic() + 5
    while len(items()) < 3:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)
    after_crash = Engine(max_concurrent=8)
    assert await after_crash.start() == [execution_id]
    try:
        assert items() == ["cancelled"] * 3
    finally:
        await after_crash.stop()


async def test_a_due_wait_whose_step_ended_otherwise_is_set_aside(
    engine: Engine, member: Actor
) -> None:
    """The clock must not find the same wait due forever (it would spin)."""
    actions = [{"id": "nap", "type": "wait", "config": {"seconds": 600}}]
    execution_id = await _start(member, _workflow(member, actions))
    await _until(member, execution_id, "waiting")
    with get_engine().begin() as conn:  # the step ended some other way; the wait stayed
        conn.execute(
            sa.text("UPDATE execution_step SET status = 'cancelled' WHERE execution_id = :e"),
            {"e": execution_id},
        )
    later = utcnow() + timedelta(seconds=601)
    assert await asyncio.to_thread(wait_clock.wake_due, later) == 0
    assert _wait_rows(execution_id) == [{"kind": "timer", "status": "cancelled"}]
    assert await asyncio.to_thread(wait_clock.wake_due, later) == 0
