"""`on_interrupted: retry | leave` after a real `kill -9` and after a graceful stop.

The child process runs Flowdeck's own start-up (`app.lifespan.startup`) without the web
frontend; the restart runs the same start-up in this process on the same database.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from app.lifespan import startup
from app.services import executions, hooks, workflows
from app.services.actor import SYSTEM
from tests.integration.triggers.conftest import eventually

ROOT = Path(__file__).resolve().parents[3]
# The delay waits 30 s in a first run and not at all in a retry, so a retry can succeed.
ACTIONS = [
    {"id": "greet", "type": "transform", "config": {"values": {"hi": "{{ trigger.body.who }}"}}},
    {
        "id": "wait",
        "type": "delay",
        "config": {"seconds": "{{ 0 if execution.retry_of else 30 }}"},
    },
]
CHILD = textwrap.dedent("""
    import asyncio, json, sys

    from app.db.migrate import upgrade
    from app.lifespan import startup
    from app.services import hooks, workflows
    from app.services.actor import SYSTEM

    async def main() -> None:
        upgrade()
        async with startup():
            out = {}
            for policy in ("retry", "leave"):
                saved = workflows.create_workflow(SYSTEM, {
                    "name": policy, "trigger": {"type": "webhook"},
                    "on_interrupted": policy, "actions": json.loads(sys.argv[1]),
                })
                hook_id = saved.workflow["webhook_url"].rsplit("/", 1)[1]
                delivery = hooks.receive_webhook(
                    hook_id, body=b'{"who": "crash"}',
                    headers={"content-type": "application/json", "Idempotency-Key": policy},
                )
                out[policy] = {"hook": hook_id, "execution": delivery.execution_id}
            print(json.dumps(out), flush=True)
            await asyncio.Event().wait()  # until SIGKILL

    asyncio.run(main())
""")


def _query(data_dir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(data_dir / "flowdeck.db", timeout=10) as conn:
        return conn.execute(sql).fetchall()


def _run_child_until_both_wait(data_dir: Path, tmp_path: Path) -> dict:
    script = tmp_path / "flowdeck_child.py"
    script.write_text(CHILD)
    env = {**os.environ, "FLOWDECK_DATA_DIR": str(data_dir)}
    env.pop("PYTEST_CURRENT_TEST", None)
    child = subprocess.Popen(
        [sys.executable, str(script), json.dumps(ACTIONS)],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    sql = "SELECT count(*) FROM execution_step WHERE action_id = 'wait' AND status = 'running'"
    deadline = time.monotonic() + 60
    try:
        while _query(data_dir, sql) != [(2,)]:
            if child.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the delay steps never ran:\n{child.communicate()[1]}")
            time.sleep(0.05)
        assert child.stdout is not None
        started = json.loads(child.stdout.readline())
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
        child.communicate()
    assert child.returncode == -signal.SIGKILL
    return started


def _retries_of(execution_id: int) -> list[dict]:
    page = executions.list_executions(SYSTEM, executions.ExecutionFilter(limit=200))
    return [e for e in page["items"] if e["retry_of"] == execution_id]


def _replay(hook_id: str, key: str) -> hooks.Delivery:
    return hooks.receive_webhook(
        hook_id, body=b'{"who": "again"}', headers={"Idempotency-Key": key}
    )


async def test_kill_9_then_restart_retries_once_only_where_asked(db: Path, tmp_path: Path) -> None:
    started = await asyncio.to_thread(_run_child_until_both_wait, db, tmp_path)
    retry_run, leave_run = started["retry"]["execution"], started["leave"]["execution"]
    assert _query(db, "SELECT status FROM execution ORDER BY id") == [("running",), ("running",)]

    async with startup():
        await eventually(lambda: len(_retries_of(retry_run)) == 1, within=10)
        (retry,) = _retries_of(retry_run)
        await eventually(
            lambda: executions.get_execution(SYSTEM, retry["id"])["status"] == "succeeded",
            within=10,
        )
        done = executions.get_execution(SYSTEM, retry["id"])
        assert done["trigger_type"] == "webhook" and done["trigger_payload"]["body"] == {
            "who": "crash"
        }
        assert done["steps"][0]["input"] == {"reused_from_execution": retry_run}
        assert executions.get_execution(SYSTEM, retry_run)["status"] == "interrupted"
        assert executions.get_execution(SYSTEM, leave_run)["status"] == "interrupted"
        for dead in (retry_run, leave_run):  # the delay the kill cut short: interrupted
            steps = executions.get_execution(SYSTEM, dead)["steps"]
            assert [s["status"] for s in steps] == ["succeeded", "interrupted"]
        assert _retries_of(leave_run) == []

        # a re-sent delivery gets the interrupted run back, and names its retry
        replay = _replay(started["retry"]["hook"], "retry")
        assert (replay.execution_id, replay.created, replay.status) == (
            retry_run,
            False,
            "interrupted",
        )
        assert replay.retry_execution_id == retry["id"]
        left = _replay(started["leave"]["hook"], "leave")
        assert (left.execution_id, left.status, left.retry_execution_id) == (
            leave_run,
            "interrupted",
            None,
        )

    async with startup():  # another restart retries nothing again
        await asyncio.sleep(0.3)
        assert [e["id"] for e in _retries_of(retry_run)] == [retry["id"]]
        assert _retries_of(leave_run) == []
    audit = _query(
        db, "SELECT actor_type, target_id FROM audit_event WHERE action = 'execution.retried'"
    )
    assert audit == [("system", str(retry_run))]


async def test_a_graceful_stop_queues_one_retry_and_an_automatic_retry_is_not_retried(
    db: Path,
) -> None:
    slow = [{"id": "wait", "type": "delay", "config": {"seconds": 30}}]
    body = {"name": "slow", "trigger": {"type": "webhook"}, "actions": slow}
    saved = workflows.create_workflow(SYSTEM, {**body, "on_interrupted": "retry"})
    hook_id = saved.workflow["webhook_url"].rsplit("/", 1)[1]
    running = "SELECT count(*) FROM execution WHERE status = 'running'"

    async with startup():
        first = hooks.receive_webhook(hook_id, body=b"{}", headers={}).execution_id
        await eventually(lambda: _query(db, running) == [(1,)], within=10)
    # stopped: the run is interrupted and its one retry waits, queued, for the next start
    assert executions.get_execution(SYSTEM, first)["status"] == "interrupted"
    (retry,) = _retries_of(first)
    assert retry["status"] == "queued" and retry["trigger_type"] == "webhook"

    async with startup():
        await eventually(lambda: _query(db, running) == [(1,)], within=10)
    assert executions.get_execution(SYSTEM, retry["id"])["status"] == "interrupted"
    assert _retries_of(retry["id"]) == []  # an automatic retry is not retried again

    async with startup():
        await asyncio.sleep(0.3)
    assert _query(db, "SELECT count(*) FROM execution") == [(2,)]
    assert _query(db, "SELECT status FROM execution ORDER BY id") == [
        ("interrupted",),
        ("interrupted",),
    ]
