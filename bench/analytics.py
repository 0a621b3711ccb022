"""Run analytics benchmark: 1,000,000 executions and 5,000,000 steps in SQLite; server time of
every analytics service call and route.

    python -m bench.analytics

Seeds the rows with INSERT … SELECT over recursive CTEs (100 workflows of 5 steps, 90 days,
one hot workflow with a tenth of the runs; 85 % succeed, 10 % fail at one step with errors of
a few shapes, the rest are cancelled or interrupted), builds the rollups with the rebuild
(app.services.rollups), then times each service call and each REST route in process (the
route time is the whole ASGI request). Also times the upkeep a finished run adds to its own
transaction. Target: < 200 ms each. The temp database is removed afterwards
(FLOWDECK_BENCH_KEEP=1 keeps it).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.fernet import Fernet

_DIR = Path(tempfile.mkdtemp(prefix="flowdeck-analytics-"))
os.environ["FLOWDECK_DATA_DIR"] = str(_DIR)
os.environ.setdefault("FLOWDECK_SECRET_KEYS", Fernet.generate_key().decode())

import httpx  # noqa: E402

from app.api import create_api  # noqa: E402
from app.db.engine import get_engine  # noqa: E402
from app.db.migrate import upgrade  # noqa: E402
from app.engine import rollups_sql  # noqa: E402
from app.services import analytics, api_keys, rollups, users, workflow_stats  # noqa: E402
from app.services.actor import SYSTEM  # noqa: E402
from bench.reference import machine_line  # noqa: E402

EXECUTIONS = 1_000_000
STEPS_PER_RUN = 5
WORKFLOWS = 100
SPAN_DAYS = 90
HOT = 1  # the first workflow gets a tenth of the runs

_EXECUTIONS_SQL = f"""
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {EXECUTIONS}),
runs AS (
  SELECT n,
    CASE WHEN n % 10 = 0 THEN {HOT} ELSE 1 + abs(random()) % {WORKFLOWS} END AS wf,
    datetime(:start, '+' || (n * {SPAN_DAYS * 86400} / {EXECUTIONS}) || ' seconds') AS at,
    abs(random()) % 100 AS roll,
    abs(random()) % 5000 AS wait_ms
  FROM seq
)
INSERT INTO execution (workflow_id, workflow_version, status, trigger_type, trigger_payload,
  priority_rank, queued_at, started_at, finished_at, duration_ms, steps_completed, steps_total,
  error, failed_step, depth)
SELECT wf, 1,
  CASE WHEN roll < 85 THEN 'succeeded' WHEN roll < 95 THEN 'failed'
       WHEN roll < 98 THEN 'cancelled' ELSE 'interrupted' END,
  'manual', '{{}}', 1,
  strftime('%Y-%m-%d %H:%M:%f000', at, '-' || (wait_ms / 1000.0) || ' seconds'),
  strftime('%Y-%m-%d %H:%M:%S.000000', at),
  strftime('%Y-%m-%d %H:%M:%S.000000', at),
  CASE WHEN roll < 98 THEN 20 + (abs(random()) % 100) * (abs(random()) % 100) END,
  {STEPS_PER_RUN}, {STEPS_PER_RUN},
  CASE WHEN roll >= 85 AND roll < 95 THEN 'step failed'
       WHEN roll >= 98 THEN 'interrupted: Flowdeck stopped while this execution ran' END,
  CASE WHEN roll >= 85 AND roll < 95 THEN 'a' || (n % {STEPS_PER_RUN}) END,
  0
FROM runs
"""
_STEPS_SQL = f"""
WITH RECURSIVE pos(p) AS (SELECT 0 UNION ALL SELECT p + 1 FROM pos WHERE p < {STEPS_PER_RUN - 1})
INSERT INTO execution_step (execution_id, position, action_id, name, type, status, attempts,
  started_at, finished_at, duration_ms, error)
SELECT e.id, pos.p, 'a' || pos.p, 'a' || pos.p, 'api_call',
  CASE WHEN e.failed_step IS NULL THEN
         CASE WHEN e.status = 'succeeded' THEN 'succeeded' ELSE 'cancelled' END
       WHEN 'a' || pos.p = e.failed_step THEN 'failed'
       WHEN 'a' || pos.p < e.failed_step THEN 'succeeded' ELSE 'skipped' END,
  1 + (abs(random()) % 10 = 0),
  e.started_at, e.finished_at,
  CASE WHEN e.status IN ('succeeded', 'failed') THEN 1 + abs(random()) % (200 * (pos.p + 1)) END,
  CASE WHEN 'a' || pos.p = e.failed_step THEN
    CASE e.id % 3
      WHEN 0 THEN 'GET https://api.example.com/items/' || e.id || ' answered 500'
      WHEN 1 THEN 'timeout after ' || (e.id % 60) || ' s calling https://api.example.com/'
      ELSE 'KeyError: ''field_' || (e.id % 7) || '''' END END
FROM execution e CROSS JOIN pos
"""


def seed() -> dict[str, float]:
    upgrade()
    spent: dict[str, float] = {}
    start = (datetime.now(UTC) - timedelta(days=SPAN_DAYS)).strftime("%Y-%m-%d %H:%M:%S")
    conn = sqlite3.connect(_DIR / "flowdeck.db")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.000000")
    actions = ",".join(
        f'{{"id": "a{i}", "type": "transform", "config": {{"values": {{}}}}}}'
        for i in range(STEPS_PER_RUN)
    )
    conn.executemany(
        "INSERT INTO workflow (name, description, workflow_type, priority, concurrency_limit,"
        " is_active, trigger_type, trigger_config, actions, on_interrupted, max_parallel,"
        " version, runs, successes, failures, avg_duration_ms, created_at, updated_at)"
        " VALUES (?, '', 'custom', 'normal', 1, 1, 'manual', '{}', ?, 'leave', 8, 1, 0, 0, 0,"
        " 0, ?, ?)",
        [(f"workflow {i:03d}", f"[{actions}]", now, now) for i in range(WORKFLOWS)],
    )
    t0 = time.perf_counter()
    conn.execute(_EXECUTIONS_SQL, {"start": start})
    conn.commit()
    spent["executions"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    conn.execute(_STEPS_SQL)
    conn.commit()
    spent["steps"] = time.perf_counter() - t0
    conn.close()
    t0 = time.perf_counter()
    spent["hours"] = rollups.rebuild()
    spent["rebuild"] = time.perf_counter() - t0
    conn = sqlite3.connect(_DIR / "flowdeck.db")
    conn.execute("ANALYZE")
    conn.close()
    return spent


def timed(label: str, call: Callable[[], object], runs: int = 7) -> None:
    call()  # warm the connection pool and the page cache
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        call()
        samples.append((time.perf_counter() - t0) * 1000)
    print(f"  {label:<58} p50 {statistics.median(samples):7.1f} ms   max {max(samples):7.1f} ms")


async def timed_route(client: httpx.AsyncClient, path: str, runs: int = 7) -> None:
    async def call() -> None:
        response = await client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:200])

    await call()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - t0) * 1000)
    print(f"  GET {path:<54} p50 {statistics.median(samples):7.1f} ms   max {max(samples):7.1f} ms")


def upkeep_per_run(samples: int = 200) -> None:
    """What adding one finished run (5 steps, one failed) costs its closing transaction."""
    with get_engine().connect() as conn:
        ids = [
            r[0]
            for r in conn.exec_driver_sql(
                "SELECT id FROM execution WHERE status = 'failed' ORDER BY id DESC LIMIT ?",
                (samples,),
            )
        ]
    times = []
    for execution_id in ids:
        with get_engine().connect() as conn:
            transaction = conn.begin()
            t0 = time.perf_counter()
            rollups_sql.record_executions(conn, [execution_id])
            times.append((time.perf_counter() - t0) * 1000)
            transaction.rollback()
    print(
        f"  {'rollup upkeep of one finished run (in its transaction)':<58} "
        f"p50 {statistics.median(times):7.2f} ms   max {max(times):7.2f} ms"
    )


async def routes(hot: int) -> None:
    admin = users.create_user(SYSTEM, email="bench@example.com", role="admin", password="p" * 12)
    key, _ = api_keys.create_api_key(SYSTEM, user_id=admin.id or 0, name="bench")
    transport = httpx.ASGITransport(app=create_api())
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://bench", headers=headers
    ) as client:
        for days in (1, 7, 90):
            await timed_route(client, f"/api/analytics/workflows/overview?days={days}")
            await timed_route(client, f"/api/analytics/workflows/{hot}/performance?days={days}")
        await timed_route(
            client, f"/api/workflow-orchestration/workflows/{hot}/error-stats?days=90"
        )
        await timed_route(
            client, f"/api/workflow-orchestration/workflows/{hot}/actions/a2/errors?days=90"
        )
        await timed_route(client, f"/api/workflow-orchestration/workflows/{hot}/stats")
        await timed_route(client, "/api/workflow-orchestration/stats")


def main() -> None:
    spent = seed()
    print(
        f"seeded {EXECUTIONS:,} executions in {spent['executions']:.1f} s and "
        f"{EXECUTIONS * STEPS_PER_RUN:,} steps in {spent['steps']:.1f} s; rollups rebuilt in "
        f"{spent['rebuild']:.1f} s ({int(spent['hours']):,} workflow-hours) ({_DIR})"
    )
    print(machine_line())
    print("server time (target < 200 ms each):")
    hot, typical = HOT, HOT + 41
    for days in (1, 7, 30, 90):
        timed(f"overview, {days} days", lambda d=days: analytics.overview(SYSTEM, days=d))
    now = datetime.now(UTC)
    timed(
        "overview, custom 366 days",
        lambda: analytics.overview(SYSTEM, start=now - timedelta(days=366), end=now),
    )
    for wf, which in ((hot, "hot"), (typical, "typical")):
        for days in (1, 7, 90):
            timed(
                f"workflow performance, {which} workflow, {days} days",
                lambda w=wf, d=days: analytics.workflow_performance(SYSTEM, w, days=d),
            )
        timed(
            f"error stats, {which} workflow, 90 days",
            lambda w=wf: analytics.error_stats(SYSTEM, w, days=90),
        )
        timed(
            f"action errors, {which} workflow, a2, 90 days",
            lambda w=wf: analytics.action_errors(SYSTEM, w, "a2", days=90),
        )
    timed(
        "workflow stats (/stats of one workflow)",
        lambda: workflow_stats.workflow_stats(SYSTEM, hot),
    )
    timed("global stats (/stats)", lambda: workflow_stats.global_stats(SYSTEM))
    upkeep_per_run()
    print("routes (whole in-process request):")
    asyncio.run(routes(hot))
    get_engine().dispose()
    if os.environ.get("FLOWDECK_BENCH_KEEP") != "1":  # ~1.5 GB
        shutil.rmtree(_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
