"""Retention benchmark: prune 200,000 old executions with 1,000,000 steps from SQLite.

    python -m bench.retention

Seeds 200,000 finished executions 60-90 days old (5 steps each, one attempt per step) plus
20,000 recent ones across 20 workflows, sets keep_days=30, and runs the prune the scheduler
runs. Prints the longest batch (target < 50 ms: the longest the prune holds the write lock
at a time), the total, the space handed back, and, measured from a second thread writing one
small row every 20 ms throughout, the longest any other writer waited for the lock. Also
times the preview and the database page's numbers at that size.
"""

from __future__ import annotations

import os
import random
import sqlite3
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
    """Another writer (as the engine is): one small committed row every 20 ms; longest wait."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.longest_ms = 0.0
        self.writes = 0

    def run(self) -> None:
        conn = sqlite3.connect(_DIR / "flowdeck.db", timeout=30, isolation_level=None)
        conn.execute("CREATE TABLE IF NOT EXISTS bench_ping (at REAL)")
        while not self.stop.is_set():
            t0 = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO bench_ping VALUES (?)", (t0,))
            conn.execute("COMMIT")
            self.longest_ms = max(self.longest_ms, (time.perf_counter() - t0) * 1000)
            self.writes += 1
            time.sleep(0.02)
        conn.close()


def _timed(label: str, call) -> object:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    result = call()
    print(f"  {label:<44} {(time.perf_counter() - t0) * 1000:9.1f} ms")
    return result


def main() -> None:
    print(machine_line(), flush=True)
    seconds = seed()
    print(
        f"seeded {OLD + RECENT:,} executions, {(OLD + RECENT) * STEPS:,} steps and attempts"
        f" in {seconds:.1f} s ({_DIR / 'flowdeck.db'})"
    )
    retention.update_settings(SYSTEM, {"keep_days": 30})
    info = _timed("database page numbers (rows per table)", lambda: retention.database_info(SYSTEM))
    print(f"  database before: {info['size_bytes'] / 1e6:,.0f} MB")  # type: ignore[index]
    preview = _timed(
        "preview (what the next prune removes)", lambda: retention_prune.preview(SYSTEM)
    )
    print(f"  preview says: {preview['executions']:,} executions")  # type: ignore[index]
    baseline = Writer()  # the same writer with no prune running: what the disk alone costs
    baseline.start()
    time.sleep(10)
    baseline.stop.set()
    baseline.join()
    print(
        f"  the writer alone for 10 s: {baseline.writes} commits, longest wait"
        f" {baseline.longest_ms:.1f} ms"
    )
    writer = Writer()
    writer.start()
    t0 = time.perf_counter()
    result = retention_prune.prune(SYSTEM, reason="schedule")
    total = time.perf_counter() - t0
    writer.stop.set()
    writer.join()
    info = retention.database_info(SYSTEM)
    print(
        f"pruned {result['executions_deleted']:,} executions in {result['batches']:,} batches:"
        f" total {total:.1f} s (batches {result['duration_ms'] / 1000:.1f} s incl. pauses,"
        f" space {result['space'].get('steps', 0)} vacuum steps, longest"
        f" {result['space'].get('longest_step_ms', 0)} ms)"
    )
    print(
        f"  longest batch: {result['longest_batch_ms']:.1f} ms (target < 50 ms),"
        f" p95 {result['batch_ms_p95']:.1f} ms, {result['batches_over_50ms']} over 50 ms;"
        f" longest WAL checkpoint after a batch"
        f" {result['longest_checkpoint_ms']:.1f} ms (no write lock held)"
    )
    print(
        f"  another writer meanwhile: {writer.writes} commits, longest wait"
        f" {writer.longest_ms:.1f} ms"
    )
    print(
        f"  database after: {info['size_bytes'] / 1e6:,.0f} MB, free pages {info['free_pages']},"
        f" executions left {next(t['rows'] for t in info['tables'] if t['table'] == 'execution'):,}"
    )


if __name__ == "__main__":
    main()
