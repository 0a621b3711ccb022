"""`kill -9` of a real Flowdeck process in the middle of an orchestration run, then a restart.

The child runs Flowdeck's own start-up (`app.lifespan.startup`, no web frontend) and starts a
run by hand of two calls to a loopback server: the first answers at once, the second after
30 s. Killed while the second call waits, the child leaves the run `running`; the next
start-up on the same SQLite file ends it `failed` as interrupted, the waiting call cancelled,
the finished one kept, counted once.
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

from app.lifespan import startup
from app.services.actor import SYSTEM
from app.services.orchestration_recording import INTERRUPTED_ERROR
from app.services.orchestration_views import get_run
from tests.integration.engine.orchestration_server import Answer, serve

ROOT = Path(__file__).resolve().parents[3]
CHILD = textwrap.dedent("""
    import asyncio
    import sys

    from app.db.migrate import upgrade
    from app.lifespan import startup
    from app.services import orchestration_runs, orchestrations
    from app.services.actor import SYSTEM

    async def main(url: str) -> None:
        upgrade()
        async with startup():
            saved = orchestrations.create_orchestration(SYSTEM, {
                "name": "crash me",
                "mode": "sequential",
                "timeout_s": 120,
                "calls": [{"id": "fast", "url": url + "/fast"},
                          {"id": "slow", "url": url + "/slow"}],
            })
            run = await orchestration_runs.start_run(SYSTEM, saved["id"], {}, trigger="manual")
            print(run["id"], flush=True)
            await asyncio.Event().wait()  # until SIGKILL

    asyncio.run(main(sys.argv[1]))
""")


def _query(data_dir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(data_dir / "flowdeck.db", timeout=10) as conn:
        return conn.execute(sql).fetchall()


def _start_child(data_dir: Path, tmp_path: Path, url: str) -> subprocess.Popen[str]:
    script = tmp_path / "flowdeck_child.py"
    script.write_text(CHILD)
    env = {**os.environ, "FLOWDECK_DATA_DIR": str(data_dir)}
    env.pop("PYTEST_CURRENT_TEST", None)
    return subprocess.Popen(
        [sys.executable, str(script), url],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_until_slow_call_runs(child: subprocess.Popen[str], data_dir: Path) -> int:
    deadline = time.monotonic() + 60
    sql = "SELECT run_id FROM orchestration_call WHERE call_id = 'slow' AND status = 'running'"
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise AssertionError(f"the child process ended early:\n{child.communicate()[1]}")
        if rows := _query(data_dir, sql):
            return rows[0][0]
        time.sleep(0.05)
    child.kill()
    raise AssertionError(f"the slow call never started:\n{child.communicate()[1]}")


async def test_kill_9_mid_orchestration_run_then_restart(db: Path, tmp_path: Path) -> None:
    with serve() as remote:
        remote.script("/slow", Answer(delay_s=30))
        child = _start_child(db, tmp_path, remote.url)
        run_id = await asyncio.to_thread(_wait_until_slow_call_runs, child, db)
        os.kill(child.pid, signal.SIGKILL)
        assert await asyncio.to_thread(child.wait, 10) == -signal.SIGKILL
        child.communicate()
        sql = f"SELECT status FROM orchestration_run WHERE id = {run_id}"
        assert _query(db, sql) == [("running",)]

        async with startup():
            run = await asyncio.to_thread(get_run, SYSTEM, run_id)
        assert run["status"] == "failed" and run["error"] == INTERRUPTED_ERROR
        assert {c["id"]: c["status"] for c in run["calls"]} == {
            "fast": "succeeded",
            "slow": "cancelled",
        }
        counted = _query(db, "SELECT runs, successes, failures, last_status FROM orchestration")
        assert counted == [(1, 0, 1, "failed")]
