"""The prune's writes: short transactions whose length is bounded, and freed pages handed back.

How a write stays under the 50 ms the issue allows (the longest the app waits for the lock):
- Size: each batch is sized from the last one's measured time (`next_batch_size`, aiming at
  `target_s`), so a steady state takes about 15 ms per transaction.
- Bound: a batch runs as a few chunks inside one transaction, and before each further chunk
  `batch_may_continue` checks that it would still commit within `budget_s` (30 ms); what is
  left goes back to the queue for the next transaction. A slow moment (cold pages, a busy
  CPU) ends the transaction early instead of stretching it.
- Checkpoint apart: SQLite's automatic WAL checkpoint runs in the committing connection right
  after its commit; on the prune's connection it is turned off for the batch and run as a
  PASSIVE checkpoint after the commit, timed on its own (it holds no write lock: other writers
  go on meanwhile), so the batch time is the lock time.
- The thread sleeps `pause_s` between batches so the engine's writes get the lock in between.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from app.core.retention import batch_may_continue, next_batch_size
from app.db.engine import get_engine

TARGET_S = 0.015
BUDGET_S = 0.030
PAUSE_S = 0.01
CHUNKS = 4
BATCH_LOW, BATCH_HIGH, BATCH_FIRST = 5, 2000, 50
#: SQLite's default `wal_autocheckpoint`, put back on the pooled connection after a batch.
AUTOCHECKPOINT_PAGES = 1000

Work = Callable[[sa.Connection, list[int]], list[int]]


@dataclass
class Outcome:
    executions: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    data: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    batches: int = 0
    longest_batch_ms: float = 0.0
    batch_ms_total: float = 0.0
    longest_checkpoint_ms: float = 0.0
    #: Each batch's time (ms): the prune reports its p95 and how many went past 50 ms.
    batch_ms: list[float] = field(default_factory=list)


def _raw(conn: sa.Connection) -> Any:
    return conn.connection.dbapi_connection


def write_batch(
    work: Work, ids: list[int], outcome: Outcome, *, budget_s: float = BUDGET_S
) -> tuple[list[int], int, float]:
    """Run `work` over `ids` in chunks in one transaction, stopping before the budget.

    Returns the ids `work` acted on, how many of `ids` were consumed (the rest go next time)
    and the transaction's time in seconds (first statement to commit).
    """
    size = max(1, -(-len(ids) // CHUNKS))
    chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
    done: list[int] = []
    consumed = 0
    with get_engine().connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            _raw(conn).execute("PRAGMA wal_autocheckpoint=0")
        try:
            started = time.perf_counter()
            last = 0.0
            with conn.begin():
                for n, chunk in enumerate(chunks):
                    elapsed = time.perf_counter() - started
                    if not batch_may_continue(elapsed, n, last, budget_s=budget_s):
                        break
                    chunk_started = time.perf_counter()
                    done += work(conn, chunk)
                    consumed += len(chunk)
                    last = time.perf_counter() - chunk_started
            elapsed = time.perf_counter() - started
            if sqlite:
                checkpoint_started = time.perf_counter()
                _raw(conn).execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                checkpoint_ms = (time.perf_counter() - checkpoint_started) * 1000
                outcome.longest_checkpoint_ms = max(outcome.longest_checkpoint_ms, checkpoint_ms)
        finally:
            if sqlite:
                _raw(conn).execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
    ms = elapsed * 1000
    outcome.batches += 1
    outcome.batch_ms_total += ms
    outcome.longest_batch_ms = max(outcome.longest_batch_ms, ms)
    outcome.batch_ms.append(round(ms, 2))
    return done, consumed, elapsed


class Batcher:
    """Queues the sweep's decisions per kind and writes them in bounded, adaptive batches."""

    def __init__(
        self, work: dict[str, Work], outcome: Outcome, *, target_s: float, pause_s: float
    ) -> None:
        self.work, self.outcome = work, outcome
        self.target_s, self.pause_s = target_s, pause_s
        self.budget_s = max(BUDGET_S, target_s * 1.6)
        # emptying data writes less per execution than deleting it: start larger
        self.size = {kind: BATCH_FIRST * (1 if kind == "rows" else 4) for kind in work}
        self.pending: dict[str, list[tuple[int, int]]] = {kind: [] for kind in work}

    def add(self, kind: str, execution_id: int, workflow_id: int) -> bool:
        """Queue one decision; True when a batch of that kind is due."""
        self.pending[kind].append((execution_id, workflow_id))
        return len(self.pending[kind]) >= self.size[kind]

    def flush(self, kind: str, *, all_of_it: bool = False) -> None:
        """Write one batch (or, at the end, batches until nothing of `kind` is left)."""
        while self.pending[kind]:
            batch = self.pending[kind][: self.size[kind]]
            ids = [i for i, _ in batch]
            workflow_of = dict(batch)
            done, consumed, elapsed = write_batch(
                self.work[kind], ids, self.outcome, budget_s=self.budget_s
            )
            self.pending[kind] = self.pending[kind][consumed:]
            counts = self.outcome.executions if kind == "rows" else self.outcome.data
            for i in done:
                counts[workflow_of[i]] += 1
            self.size[kind] = next_batch_size(
                consumed, elapsed, target_s=self.target_s, low=BATCH_LOW, high=BATCH_HIGH
            )
            time.sleep(self.pause_s)
            if not all_of_it:
                return


def reclaim_space(*, target_s: float = TARGET_S, pause_s: float = PAUSE_S) -> dict[str, Any]:
    """Hand free pages back to the file in timed steps (SQLite in incremental auto-vacuum)."""
    engine = get_engine()
    if engine.dialect.name != "sqlite":
        return {"freed_pages": 0, "steps": 0, "longest_step_ms": 0.0, "skipped": "postgresql"}
    freed = steps = 0
    longest = 0.0
    pages = 64
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if conn.exec_driver_sql("PRAGMA auto_vacuum").scalar() != 2:
            return {"freed_pages": 0, "steps": 0, "longest_step_ms": 0.0, "skipped": "compact"}
        raw = _raw(conn)
        while (free := int(conn.exec_driver_sql("PRAGMA freelist_count").scalar() or 0)) > 0:
            started = time.perf_counter()
            # executescript steps the pragma to its end (execute() frees a single page)
            raw.executescript(f"PRAGMA incremental_vacuum({pages})")
            elapsed = time.perf_counter() - started
            freed += min(pages, free)
            steps += 1
            longest = max(longest, elapsed * 1000)
            pages = next_batch_size(pages, elapsed, target_s=target_s, low=16, high=1024)
            time.sleep(pause_s)
    return {"freed_pages": freed, "steps": steps, "longest_step_ms": round(longest, 2)}
