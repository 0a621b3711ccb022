"""Listing benchmark: 1,000,000 executions in SQLite; server time of the first page and cards.

    python -m bench.list

Seeds one million executions over 30 days across 50 workflows (plain executemany, as fast
as SQLite takes it), then times what the Executions tab and the stats cards ask for.
Target: under 100 ms each (the Workflows tab's page with its run strips: well under 200 ms).
"""

from __future__ import annotations

import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.fernet import Fernet

_DIR = Path(tempfile.mkdtemp(prefix="flowdeck-list-"))
os.environ["FLOWDECK_DATA_DIR"] = str(_DIR)
os.environ.setdefault("FLOWDECK_SECRET_KEYS", Fernet.generate_key().decode())

from app.db.migrate import upgrade  # noqa: E402
from app.services import executions, status, workflows  # noqa: E402
from app.services.actor import SYSTEM  # noqa: E402
from app.services.command_search import search  # noqa: E402
from app.services.run_history import run_strips  # noqa: E402
from app.services.workflow_stats import global_stats, workflow_stats  # noqa: E402

ROWS = 1_000_000
WORKFLOWS = 50
STATUSES = ["succeeded"] * 85 + ["failed"] * 12 + ["cancelled"] * 2 + ["interrupted"]
ERRORS = [
    "step fetch failed: HTTP 503 from https://api.example.com/orders after 3 attempts",
    "step load failed: timeout after 30 s talking to the warehouse",
    "step parse failed: template error: undefined 'city' of step 'parse'",
]


def _rows(workflow_ids: list[int]) -> Iterator[tuple]:
    rng = random.Random(7)
    start = datetime.now(UTC) - timedelta(days=30)
    step = timedelta(days=30) / ROWS
    for n in range(ROWS):
        at = (start + step * n).replace(tzinfo=None)
        duration = rng.uniform(5, 5000)
        status = rng.choice(STATUSES)
        yield (
            rng.choice(workflow_ids),
            1,
            status,
            "manual",
            "{}",
            1,
            at,
            at,
            at + timedelta(milliseconds=duration),
            duration,
            3,
            3,
            rng.choice(ERRORS) if status == "failed" else None,
        )


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
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.executemany(
        "INSERT INTO execution (workflow_id, workflow_version, status, trigger_type, "
        "trigger_payload, priority_rank, queued_at, started_at, finished_at, duration_ms, "
        "steps_completed, steps_total, error) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        _rows(ids),
    )
    # The counters the engine keeps up to date as runs finish.
    conn.execute(
        "UPDATE workflow SET runs = (SELECT count(*) FROM execution e WHERE e.workflow_id = "
        "workflow.id), successes = (SELECT count(*) FROM execution e WHERE e.workflow_id = "
        "workflow.id AND e.status = 'succeeded')"
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    return time.perf_counter() - t0


def timed(label: str, call: Callable[[], object], runs: int = 7) -> None:
    call()  # warm the connection pool and statement caches
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        call()
        samples.append((time.perf_counter() - t0) * 1000)
    print(f"  {label:<52} median {statistics.median(samples):7.1f} ms   max {max(samples):7.1f} ms")


def _list_page(size: int) -> None:
    """What the Workflows tab asks for: a page of workflows, then their strips (one query)."""
    rows, _ = workflows.list_workflows(SYSTEM, workflows.WorkflowFilter(limit=size))
    strips = run_strips(SYSTEM, [r["id"] for r in rows])
    assert sum(len(s) for s in strips.values()) == 30 * size


def machine_speed() -> str:
    """How fast the machine is now: a 1M-step Python loop (≈ 52 ms on a quiet minute)."""
    t0 = time.perf_counter()
    for _ in range(1_000_000):
        pass
    return f"{(time.perf_counter() - t0) * 1000:.0f} ms"


def main() -> None:
    seconds = seed()
    print(f"seeded {ROWS:,} executions in {seconds:.1f} s ({_DIR / 'flowdeck.db'})")
    page = executions.list_executions(SYSTEM, executions.ExecutionFilter(limit=50))
    cursor = page["next_cursor"]
    print(f"server time (target < 100 ms each; 1M-step loop now {machine_speed()}):")
    timed(
        "executions list, first page (50)",
        lambda: executions.list_executions(SYSTEM, executions.ExecutionFilter(limit=50)),
    )
    timed(
        "executions list, second page (cursor)",
        lambda: executions.list_executions(
            SYSTEM, executions.ExecutionFilter(limit=50, cursor=cursor)
        ),
    )
    timed(
        "executions list, filtered by workflow",
        lambda: executions.list_executions(
            SYSTEM, executions.ExecutionFilter(workflow_id=7, limit=50)
        ),
    )
    timed(
        "executions list, filtered by status=failed",
        lambda: executions.list_executions(
            SYSTEM, executions.ExecutionFilter(status="failed", limit=50)
        ),
    )
    timed("workflow list page (20) with run strips (30 each)", lambda: _list_page(20))
    timed("workflow list, 50 rows with run strips (30 each)", lambda: _list_page(50))
    timed("run strips alone, 50 workflows", lambda: run_strips(SYSTEM, range(1, 51)))
    timed("command palette: run #500000", lambda: search(SYSTEM, "#500000", entries=[]))
    timed("command palette: 'workflow 4' (names)", lambda: search(SYSTEM, "workflow 4", entries=[]))
    timed(
        "command palette: 'warehouse' (errors of the newest 20k)",
        lambda: search(SYSTEM, "warehouse", entries=[]),
    )
    timed(
        "command palette: 'no such text' (reads all 20k)",
        lambda: search(SYSTEM, "no such text", entries=[]),
    )
    timed("stats cards (global_stats)", lambda: global_stats(SYSTEM))
    timed("one workflow's stats", lambda: workflow_stats(SYSTEM, 7))
    timed("status widget snapshot", status.current_snapshot)


if __name__ == "__main__":
    main()
