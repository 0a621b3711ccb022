"""Retention benchmark: prune 200,000 old executions with 1,000,000 steps from SQLite.

    python -m bench.retention        (BENCH_OLD=50000 for a shorter run)

Seeds 200,000 finished executions 60-90 days old (5 steps each, one attempt per step) plus
20,000 recent ones across 20 workflows, sets keep_days=30, and runs the prune the scheduler
runs, while a second thread commits one small row every 20 ms through the app's engine (as
the app's writes do). Prints the machine line; every hold of the write lock by the prune
(batches and vacuum steps, from BEGIN IMMEDIATE to the end of the commit): p50, p95, longest
and how many went past 50 ms, with the slowest ones taken apart (time on a CPU, waiting for
one, the commit); and the other writer's waits alone (10 s, no prune) and during the prune.
Also times the preview and the database page's numbers at that size.
"""

from __future__ import annotations

import os
import random
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.fernet import Fernet

_DIR = Path(tempfile.mkdtemp(prefix="flowdeck-retention-"))
os.environ["FLOWDECK_DATA_DIR"] = str(_DIR)
os.environ.setdefault("FLOWDECK_SECRET_KEYS", Fernet.generate_key().decode())

import sqlalchemy as sa  # noqa: E402

from app.db.engine import get_engine  # noqa: E402
from app.db.migrate import upgrade  # noqa: E402
from app.services import retention, retention_prune, workflows  # noqa: E402
from app.services.actor import SYSTEM  # noqa: E402
from bench.reference import machine_line  # noqa: E402

OLD, RECENT, STEPS, WORKFLOWS = (
    int(os.environ.get("BENCH_OLD", "200000")),
    20_000,
    5,
    20,
)


def _executions(ids: list[int]) -> Iterator[tuple]:
    rng = random.Random(16)
    now = datetime.now(UTC).replace(tzinfo=None)
    for n in range(OLD + RECENT):
        days = 90 - 30 * n / OLD if n < OLD else 20 * (OLD + RECENT - n) / RECENT
        at = now - timedelta(days=days)
        yield (rng.choice(ids), "succeeded", "{}", at, at, at + timedelta(seconds=1), STEPS)


def seed() -> float:
    upgrade()
    ids = [
        workflows.create_workflow(
            SYSTEM,
            {
                "name": f"workflow {i:02d}",
                "trigger": {"type": "manual"},
                "actions": [{"id": "a", "type": "transform", "config": {"values": {}}}],
            },
        ).workflow["id"]
        for i in range(WORKFLOWS)
    ]
    t0 = time.perf_counter()
    conn = sqlite3.connect(_DIR / "flowdeck.db")
    conn.execute("PRAGMA synchronous=OFF")
    conn.executemany(
        "INSERT INTO execution (workflow_id, workflow_version, status, trigger_type,"
        " trigger_payload, priority_rank, queued_at, started_at, finished_at, steps_total,"
        " steps_completed)"
        " VALUES (?, 1, ?, 'manual', ?, 1, ?, ?, ?, ?, 0)",
        _executions(ids),
    )
    conn.executemany(
        "INSERT INTO execution_step (execution_id, position, action_id, name, type, status,"
        " input, output, attempts) VALUES (?, ?, ?, ?, 'transform', 'succeeded', ?, ?, 1)",
        (
            (e, p, f"s{p}", f"s{p}", '{"in": 1}', '{"out": "' + "x" * 200 + '"}')
            for e in range(1, OLD + RECENT + 1)
            for p in range(STEPS)
        ),
    )
    conn.execute(
        "INSERT INTO step_attempt (step_id, number, started_at) "
        "SELECT id, 1, '2026-01-01 00:00:00' FROM execution_step"
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    return time.perf_counter() - t0


class Writer(threading.Thread):
    """Another writer, as the app's are: a small row committed through the app's engine (its
    pragmas, busy timeout and pool) every 20 ms; how long each write took, lock wait included."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.waits_ms: list[float] = []

    def run(self) -> None:
        insert = sa.text("INSERT INTO bench_ping (at) VALUES (:at)")
        while not self.stop.is_set():
            t0 = time.perf_counter()
            with get_engine().begin() as conn:
                conn.execute(insert, {"at": t0})
            self.waits_ms.append((time.perf_counter() - t0) * 1000)
            time.sleep(0.02)

    def summary(self) -> str:
        waits = sorted(self.waits_ms)
        if not waits:
            return "no commits"
        p99 = waits[min(len(waits) - 1, int(len(waits) * 0.99))]
        return (
            f"{len(waits)} commits, p50 {waits[len(waits) // 2]:.1f} ms, p99 {p99:.1f} ms,"
            f" longest {waits[-1]:.1f} ms"
        )


def _timed(label: str, call) -> object:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    result = call()
    print(f"  {label:<44} {(time.perf_counter() - t0) * 1000:9.1f} ms")
    return result


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    print(machine_line())
    seconds = seed()
    print(
        f"seeded {OLD + RECENT:,} executions, {(OLD + RECENT) * STEPS:,} steps and attempts"
        f" in {seconds:.1f} s ({_DIR / 'flowdeck.db'})"
    )
    with get_engine().begin() as conn:
        conn.execute(sa.text("CREATE TABLE IF NOT EXISTS bench_ping (at REAL)"))
    with get_engine().connect() as conn:  # the seed's one big write-ahead log, as a running
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # app would have checkpointed
    retention.update_settings(SYSTEM, {"keep_days": 30})
    info = _timed("database page numbers (rows per table)", lambda: retention.database_info(SYSTEM))
    print(f"  database before: {info['size_bytes'] / 1e6:,.0f} MB")  # type: ignore[index]
    preview = _timed(
        "preview (what the next prune removes)", lambda: retention_prune.preview(SYSTEM)
    )
    print(f"  preview says: {preview['executions']:,} executions", flush=True)  # type: ignore[index]
    baseline = Writer()  # the same writer with no prune running: what the machine alone costs
    baseline.start()
    time.sleep(10)
    baseline.stop.set()
    baseline.join()
    print(f"  another writer alone for 10 s: {baseline.summary()}", flush=True)
    writer = Writer()
    writer.start()
    t0 = time.perf_counter()
    result = retention_prune.prune(SYSTEM, reason="schedule")
    total = time.perf_counter() - t0
    writer.stop.set()
    writer.join()
    info = retention.database_info(SYSTEM)
    space = result["space"]
    print(
        f"pruned {result['executions_deleted']:,} executions in {result['batches']:,} batches"
        f" and {space.get('steps', 0):,} vacuum steps ({space.get('freed_pages', 0):,} pages"
        f" freed): {total:.1f} s"
    )
    print(
        f"  write-lock holds ({result['holds']:,}): p50 {result['batch_ms_p50']:.1f} ms,"
        f" p95 {result['batch_ms_p95']:.1f} ms, longest {result['longest_batch_ms']:.1f} ms,"
        f" {result['batches_over_50ms']} over 50 ms (longest vacuum step"
        f" {space.get('longest_step_ms', 0):.1f} ms)"
    )
    print(
        f"  inside them: longest commit {result['longest_commit_ms']:.1f} ms; apart: the prune's"
        f" longest wait for the lock {result['longest_lock_wait_ms']:.1f} ms, longest WAL"
        f" checkpoint {result['longest_checkpoint_ms']:.1f} ms (no write lock held)"
    )
    print(
        "  slowest holds: "
        + ", ".join(
            f"{h['ms']:.1f} ms ({h['what']} {h['size']}: on a CPU {h['cpu_ms']:.1f}, waiting"
            f" for one {h['runqueue_ms']:.1f}, commit {h['commit_ms']:.1f})"
            for h in result["slowest_holds"]
        )
    )
    print(f"  another writer meanwhile: {writer.summary()}")
    print(
        f"  database after: {info['size_bytes'] / 1e6:,.0f} MB (WAL {info['wal_bytes'] / 1e6:,.0f}"
        f" MB), free pages {info['free_pages']}, executions left"
        f" {next(t['rows'] for t in info['tables'] if t['table'] == 'execution'):,}"
    )


if __name__ == "__main__":
    main()
