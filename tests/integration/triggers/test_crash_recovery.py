"""`kill -9` of a real Flowdeck process mid-execution, then a restart on the same database.

The child process runs Flowdeck's own start-up (`app.lifespan.startup`: engine, clock, event
listeners) without the web frontend, which is slow to build and shared by other tests.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from app.engine import runtime
from app.engine.runner import Engine
from app.services import executions
from app.services.actor import SYSTEM
from tests.integration.triggers.conftest import eventually

ROOT = Path(__file__).resolve().parents[3]
CHILD = textwrap.dedent("""
    import asyncio

    from app.db.migrate import upgrade
    from app.lifespan import startup
    from app.services import executions, workflows
    from app.services.actor import SYSTEM

    async def main() -> None:
        upgrade()
        async with startup():
            saved = workflows.create_workflow(SYSTEM, {
                "name": "crash me",
                "trigger": {"type": "manual"},
                "actions": [
                    {"id": "greet", "type": "transform",
                     "config": {"values": {"greeting": "hello {{ trigger.name }}"}}},
                    {"id": "wait", "type": "delay", "config": {"seconds": 30}},
                ],
            })
            run = await executions.execute_workflow(
                SYSTEM, saved.workflow["id"], payload={"name": "crash"})
            print(run["id"], flush=True)
            await asyncio.Event().wait()  # until SIGKILL

    asyncio.run(main())
""")


def _query(data_dir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(data_dir / "flowdeck.db", timeout=10) as conn:
        return conn.execute(sql).fetchall()


def _statuses(execution_id: int) -> list[str]:
    return [step["status"] for step in executions.get_execution(SYSTEM, execution_id)["steps"]]


def _start_child(data_dir: Path, tmp_path: Path) -> subprocess.Popen[str]:
    script = tmp_path / "flowdeck_child.py"
    script.write_text(CHILD)
    env = {**os.environ, "FLOWDECK_DATA_DIR": str(data_dir)}
    env.pop("PYTEST_CURRENT_TEST", None)
    return subprocess.Popen(
        [sys.executable, str(script)],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_until_delay_runs(child: subprocess.Popen[str], data_dir: Path) -> int:
    deadline = time.monotonic() + 60
    sql = "SELECT execution_id FROM execution_step WHERE action_id = 'wait' AND status = 'running'"
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise AssertionError(f"the child process ended early:\n{child.communicate()[1]}")
        if rows := _query(data_dir, sql):
            return rows[0][0]
        time.sleep(0.05)
    child.kill()
    raise AssertionError(f"the delay step never started:\n{child.communicate()[1]}")


async def test_kill_9_mid_execution_then_restart(db: Path, tmp_path: Path) -> None:
    child = _start_child(db, tmp_path)
    execution_id = await asyncio.to_thread(_wait_until_delay_runs, child, db)
    os.kill(child.pid, signal.SIGKILL)
    assert await asyncio.to_thread(child.wait, 10) == -signal.SIGKILL
    child.communicate()
    assert _query(db, f"SELECT status FROM execution WHERE id = {execution_id}") == [("running",)]

    engine = Engine(max_concurrent=4)
    runtime.install(engine)
    try:
        assert await engine.start() == [execution_id]
        dead = executions.get_execution(SYSTEM, execution_id)
        assert dead["status"] == "interrupted" and "interrupted" in dead["error"]
        greet, wait = dead["steps"]
        assert greet["status"] == "succeeded"
        assert greet["output"] == {"greeting": "hello crash"}
        # one status for one cause: the step the crash cut short is interrupted, not failed
        assert wait["status"] == "interrupted" and "interrupted" in wait["error"]
        # the crash-interrupted run counts as a run, as one interrupted by a clean stop does
        assert _query(
            db,
            f"SELECT runs, successes, failures, last_status FROM workflow "
            f"WHERE id = {dead['workflow_id']}",
        ) == [(1, 0, 0, "interrupted")]

        retry = executions.retry_execution(SYSTEM, execution_id)
        assert retry["retry_of"] == execution_id
        # the retry starts again at the interrupted delay step, reusing the finished one
        await eventually(lambda: _statuses(retry["id"]) == ["succeeded", "running"], within=5)
        again = executions.get_execution(SYSTEM, retry["id"])
        assert again["steps"][0]["input"] == {"reused_from_execution": execution_id}
        assert again["steps"][0]["output"] == {"greeting": "hello crash"}
        assert again["trigger_payload"] == {"name": "crash"}
        cancelled = await executions.cancel_execution(SYSTEM, retry["id"])
        assert cancelled["status"] == "cancelled"
    finally:
        await engine.stop()
        runtime.install(None)
