"""The prune's writes: short transactions whose hold on the write lock is bounded, a gap after
each one that a waiting writer really gets, and freed pages handed back in timed steps.

How the prune keeps the app's wait for the write lock well under the 50 ms the issue allows:
- What is timed is the hold: each transaction starts with `BEGIN IMMEDIATE` (the write lock,
  which the prune may wait for: that wait blocks nobody and is reported apart) and the clock
  runs from the lock to the end of the commit.
- Size by cost: a batch is a number of rows (an execution with its steps, attempts and
  items), learned from the last hold (`next_batch_size`, aiming at `TARGET_S`), so a run with
  a thousand for_each items counts as what it is.
- Bound: a batch runs as chunks inside one transaction, and before each further chunk
  `batch_may_continue` checks that it, and the commit (guessed from recent commits), would
  still end within `BUDGET_S`; what is left goes back to the queue for the next transaction.
- Gap: after each hold the lock is left free for `pause_after(held)`: longer than the sleep
  a writer that waited through that hold is in (SQLite's busy handler sleeps 1, 2, 5, 10,
  15, 20 ms ... between tries), and at least as long as the hold. With 10 ms gaps the prune
  took the lock back between a sleeping writer's tries, and one waited 197 ms behind
  transactions of at most 140 ms.
- Checkpoint apart: SQLite's automatic WAL checkpoint runs in the committing connection right
  after its commit; on the prune's connection it is turned off and run as a PASSIVE
  checkpoint after each commit, timed on its own (it holds no write lock), so the write-ahead
  log stays short and the app's own commits do not inherit the prune's checkpointing.
- Vacuum: `PRAGMA incremental_vacuum` runs one page per step inside a timed transaction
  (bounded the same way), never as one statement that moves pages for as long as it likes.
"""

from __future__ import annotations

import heapq
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from app.core.retention import (
    batch_may_continue,
    chunk_by_weight,
    commit_estimate,
    next_batch_size,
    pause_after,
    take_by_weight,
)
from app.db.engine import get_engine

#: Aim of each hold, the bound past which no chunk is added, the least gap after a hold.
TARGET_S = 0.010
BUDGET_S = 0.025
PAUSE_S = 0.005
PAUSE_MAX_S = 0.100
CHUNKS = 4
#: Rows per batch (an execution weighs 1 + its steps and attempts + its items).
ROWS_LOW, ROWS_HIGH, ROWS_FIRST = 10, 50_000, 200
#: Vacuum: pages per step (learned), and pages per chunk between two looks at the clock.
PAGES_LOW, PAGES_HIGH, PAGES_FIRST, PAGES_CHUNK = 8, 4096, 64, 8
#: The write-ahead log is let be rewound once it holds this many frames (32 MB of 4 KB pages).
WAL_LIMIT_PAGES = 8192
#: The prune copies the log into the database this often (each copy syncs both files).
CHECKPOINT_S = 1.0
#: SQLite's default `wal_autocheckpoint`, put back on the pooled connection after a batch.
AUTOCHECKPOINT_PAGES = 1000

Work = Callable[[sa.Connection, list[int]], list[int]]


@dataclass(order=True, frozen=True)
class Hold:
    """One hold of the write lock: its time, what it did (rows, data, vacuum) and how much
    (rows or pages), the commit's part of it, and how long the prune waited for the lock."""

    ms: float
    what: str
    size: int
    commit_ms: float
    wait_ms: float
    #: Of `ms`, how long this thread waited for a CPU (Linux schedstat; -1: not known). The
    #: rest of a long hold past its run time was the thread blocked (disk, page writeback).
    runqueue_ms: float = -1.0
    cpu_ms: float = -1.0


SLOWEST = 8


@dataclass
class Outcome:
    executions: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    data: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    batches: int = 0
    vacuum_steps: int = 0
    #: Every hold of the write lock (ms): delete/empty batches and vacuum steps alike.
    hold_ms: list[float] = field(default_factory=list)
    longest_wait_ms: float = 0.0
    longest_commit_ms: float = 0.0
    longest_checkpoint_ms: float = 0.0
    longest_wal_frames: int = 0
    commit_guess_s: float = 0.0
    #: The slowest holds, for finding where a long one came from (bench/retention.py).
    slowest: list[Hold] = field(default_factory=list)

    def held(
        self,
        ms: float,
        wait_ms: float,
        commit_ms: float,
        what: str,
        size: int,
        sched: tuple[float, float] | None = None,
    ) -> None:
        self.hold_ms.append(round(ms, 2))
        cpu, queued = sched or (-1.0, -1.0)
        hold = Hold(round(ms, 2), what, size, round(commit_ms, 2), round(wait_ms, 2), queued, cpu)
        if len(self.slowest) < SLOWEST:
            heapq.heappush(self.slowest, hold)
        elif hold.ms > self.slowest[0].ms:
            heapq.heapreplace(self.slowest, hold)
        self.longest_wait_ms = max(self.longest_wait_ms, wait_ms)
        self.longest_commit_ms = max(self.longest_commit_ms, commit_ms)
        self.commit_guess_s = commit_estimate(self.commit_guess_s, commit_ms / 1000)

    @property
    def longest_batch_ms(self) -> float:
        return max(self.hold_ms, default=0.0)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.hold_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0

    def over(self, ms: float) -> int:
        return sum(1 for held in self.hold_ms if held > ms)


def _sched() -> tuple[int, int] | None:
    """This thread's time on a CPU and waiting for one so far (ns), where Linux tells it."""
    try:
        with open("/proc/thread-self/schedstat") as f:
            run, wait, _ = f.read().split()
        return int(run), int(wait)
    except (OSError, ValueError):
        return None


def _sched_ms(before: tuple[int, int] | None) -> tuple[float, float] | None:
    after = _sched()
    if before is None or after is None:
        return None
    return round((after[0] - before[0]) / 1e6, 2), round((after[1] - before[1]) / 1e6, 2)


def _raw(conn: sa.Connection) -> Any:
    return conn.connection.dbapi_connection


class WalKeeper:
    """Keeps SQLite's write-ahead log from being rewound after every batch (no fsync in a hold).

    A writer that finds the log wholly copied into the database rewinds it, and the first
    commit after a rewind syncs the log's new header to disk while it holds the write lock
    (so that a power cut cannot mix old and new frames). Checkpointed after every batch, the
    log was rewound by every next commit: each batch's commit held the lock through an fsync,
    which a busy disk stretches to 100 ms and more. Measured on this machine: 2-5 ms median
    commits and seconds at worst with a rewind, 0.1-0.3 ms without.

    SQLite rewinds only when no reader is using the log, so this keeps one read transaction
    open on its own connection, renewed right before each checkpoint (its snapshot is the
    newest, so the checkpoint still copies every frame and the database file stays current):
    the batches and the app's commits append instead of rewinding. Past `limit_pages` frames
    it lets go for one round, so the log is rewound once (one sync) and stays about that size.

    The prune checkpoints every `every_s`, not after each batch (a checkpoint syncs the log
    and the file: on a busy disk that is most of a batch's time). Between two, an app commit's
    automatic checkpoint finds nothing it may copy (nothing before the kept snapshot is left),
    so the app never does the prune's copying either.
    """

    def __init__(self, limit_pages: int = WAL_LIMIT_PAGES, every_s: float = CHECKPOINT_S) -> None:
        self.limit_pages, self.every_s = limit_pages, every_s
        self.conn: sa.Connection | None = None
        self.hold = True
        self.last = 0.0

    def __enter__(self) -> WalKeeper:
        engine = get_engine()
        if engine.dialect.name == "sqlite":
            self.conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.conn is not None:
            self._end()  # let go: the next write may rewind the log
            _raw(self.conn).execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.conn.close()
            self.conn = None

    def due(self) -> bool:
        """Whether the next checkpoint is due (the first one is)."""
        return time.monotonic() - self.last >= self.every_s

    def _end(self) -> None:
        if self.conn is not None and _raw(self.conn).in_transaction:
            _raw(self.conn).execute("COMMIT")

    def renew(self) -> None:
        """After a commit: read from the newest snapshot (unless letting the log rewind)."""
        if self.conn is None:
            return
        self._end()
        if self.hold:
            raw = _raw(self.conn)
            raw.execute("BEGIN")
            raw.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()

    def checkpointed(self, log_frames: int) -> None:
        """After the checkpoint: a log this long is let go of, to be rewound by the next write."""
        self.hold = log_frames < self.limit_pages
        self.last = time.monotonic()


def _checkpoint(conn: sa.Connection, outcome: Outcome, keeper: WalKeeper | None) -> None:
    """Renew the keeper's snapshot, then copy the log into the database (no write lock held).
    With a keeper, only when one is due."""
    if keeper is not None:
        if not keeper.due():
            return
        keeper.renew()
    started = time.perf_counter()
    row = _raw(conn).execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    ms = (time.perf_counter() - started) * 1000
    outcome.longest_checkpoint_ms = max(outcome.longest_checkpoint_ms, ms)
    frames = int(row[1]) if row and row[1] is not None and row[1] >= 0 else 0
    outcome.longest_wal_frames = max(outcome.longest_wal_frames, frames)
    if keeper is not None:
        keeper.checkpointed(frames)


def _rest(held_s: float, committed_at: float, pause_s: float) -> None:
    """Leave the lock free for `pause_after(held)` counted from the commit (the checkpoint in
    between holds no write lock, so it counts as part of the gap)."""
    if pause_s <= 0:
        return
    gap = pause_after(held_s, floor_s=pause_s, ceiling_s=max(pause_s, PAUSE_MAX_S))
    left = gap - (time.perf_counter() - committed_at)
    if left > 0:
        time.sleep(left)


def write_batch(
    work: Work,
    chunks: list[list[int]],
    outcome: Outcome,
    *,
    budget_s: float = BUDGET_S,
    pause_s: float = PAUSE_S,
    what: str = "rows",
    weights: list[int] | None = None,
    keeper: WalKeeper | None = None,
) -> tuple[list[int], int, float]:
    """Run `work` over the chunks in one transaction, stopping before the budget.

    Returns the ids `work` acted on, how many chunks were run (the rest go next time) and how
    long the write lock was held (seconds, from the lock to the end of the commit).
    """
    done: list[int] = []
    consumed = 0
    with get_engine().connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            _raw(conn).execute("PRAGMA wal_autocheckpoint=0")
        try:
            asked = time.perf_counter()
            with conn.begin():
                if sqlite:  # take the write lock now, so the hold is timed from it
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                locked = time.perf_counter()
                sched = _sched()
                last = 0.0
                for n, chunk in enumerate(chunks):
                    elapsed = time.perf_counter() - locked
                    if not batch_may_continue(
                        elapsed, n, last, budget_s=budget_s, commit_s=outcome.commit_guess_s
                    ):
                        break
                    chunk_started = time.perf_counter()
                    done += work(conn, chunk)
                    consumed += 1
                    last = time.perf_counter() - chunk_started
                committing = time.perf_counter()
            committed = time.perf_counter()
            held = committed - locked
            size = sum(weights[:consumed]) if weights else sum(map(len, chunks[:consumed]))
            outcome.held(
                held * 1000,
                (locked - asked) * 1000,
                (committed - committing) * 1000,
                what,
                size,
                _sched_ms(sched),
            )
            if sqlite:
                _checkpoint(conn, outcome, keeper)
        finally:
            if sqlite:
                _raw(conn).execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
    outcome.batches += 1
    _rest(held, committed, pause_s)
    return done, consumed, held


@dataclass
class Queued:
    execution_id: int
    workflow_id: int
    weight: int


class Batcher:
    """Queues the sweep's decisions per kind and writes them in bounded, adaptive batches."""

    def __init__(
        self,
        work: dict[str, Work],
        outcome: Outcome,
        *,
        target_s: float,
        pause_s: float,
        keeper: WalKeeper | None = None,
    ) -> None:
        self.work, self.outcome, self.keeper = work, outcome, keeper
        self.target_s, self.pause_s = target_s, pause_s
        self.budget_s = max(BUDGET_S, target_s * 2.5)
        self.rows = {kind: ROWS_FIRST for kind in work}  # rows per batch, learned per kind
        self.pending: dict[str, list[Queued]] = {kind: [] for kind in work}
        self.queued_rows = {kind: 0 for kind in work}

    def add(self, kind: str, execution_id: int, workflow_id: int, weight: int = 1) -> bool:
        """Queue one decision; True when a batch of that kind is due."""
        self.pending[kind].append(Queued(execution_id, workflow_id, max(1, weight)))
        self.queued_rows[kind] += max(1, weight)
        return self.queued_rows[kind] >= self.rows[kind]

    def flush(self, kind: str, *, all_of_it: bool = False) -> None:
        """Write one batch (or, at the end, batches until nothing of `kind` is left)."""
        while self.pending[kind]:
            queue = self.pending[kind]
            take = take_by_weight([q.weight for q in queue], self.rows[kind])
            batch = queue[:take]
            lengths = chunk_by_weight([q.weight for q in batch], max(1, self.rows[kind] // CHUNKS))
            chunks, at = [], 0
            for length in lengths:
                chunks.append([q.execution_id for q in batch[at : at + length]])
                at += length
            chunk_rows, at = [], 0
            for length in lengths:
                chunk_rows.append(sum(q.weight for q in batch[at : at + length]))
                at += length
            done, ran, held = write_batch(
                self.work[kind],
                chunks,
                self.outcome,
                budget_s=self.budget_s,
                pause_s=self.pause_s,
                what=kind,
                weights=chunk_rows,
                keeper=self.keeper,
            )
            written = batch[: sum(len(c) for c in chunks[:ran])]
            self.pending[kind] = queue[len(written) :]
            rows = sum(q.weight for q in written)
            self.queued_rows[kind] -= rows
            workflow_of = {q.execution_id: q.workflow_id for q in written}
            counts = self.outcome.executions if kind == "rows" else self.outcome.data
            for i in done:
                counts[workflow_of[i]] += 1
            self.rows[kind] = next_batch_size(
                rows, held, target_s=self.target_s, low=ROWS_LOW, high=ROWS_HIGH
            )
            if not all_of_it:
                return


def _vacuum_step(conn: sa.Connection, pages: int, outcome: Outcome, budget_s: float) -> int:
    """Free up to `pages` pages in one transaction, stopping before the budget; pages freed."""
    raw = _raw(conn)
    asked = time.perf_counter()
    raw.execute("BEGIN IMMEDIATE")
    locked = time.perf_counter()
    sched = _sched()
    freed = chunks = 0
    last = 0.0
    try:
        while freed < pages:
            elapsed = time.perf_counter() - locked
            if not batch_may_continue(
                elapsed, chunks, last, budget_s=budget_s, commit_s=outcome.commit_guess_s
            ):
                break
            chunk_started = time.perf_counter()
            for _ in range(min(PAGES_CHUNK, pages - freed)):
                # one page per statement step: the clock is read between chunks of pages
                raw.execute("PRAGMA incremental_vacuum(1)")
                freed += 1
            chunks += 1
            last = time.perf_counter() - chunk_started
        committing = time.perf_counter()
        raw.execute("COMMIT")
    except BaseException:
        raw.execute("ROLLBACK")
        raise
    committed = time.perf_counter()
    outcome.held(
        (committed - locked) * 1000,
        (locked - asked) * 1000,
        (committed - committing) * 1000,
        "vacuum",
        freed,
        _sched_ms(sched),
    )
    outcome.vacuum_steps += 1
    return freed


def _free_pages(conn: sa.Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA freelist_count").scalar() or 0)


def reclaim_space(
    outcome: Outcome | None = None,
    *,
    target_s: float = TARGET_S,
    pause_s: float = PAUSE_S,
    keeper: WalKeeper | None = None,
) -> dict[str, Any]:
    """Hand free pages back to the file in timed steps (SQLite in incremental auto-vacuum)."""
    outcome = outcome if outcome is not None else Outcome()
    engine = get_engine()
    if engine.dialect.name != "sqlite":
        return {"freed_pages": 0, "steps": 0, "longest_step_ms": 0.0, "skipped": "postgresql"}
    freed_total = 0
    before_steps, before_holds = outcome.vacuum_steps, len(outcome.hold_ms)
    pages = PAGES_FIRST
    budget_s = max(BUDGET_S, target_s * 2.5)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if conn.exec_driver_sql("PRAGMA auto_vacuum").scalar() != 2:
            return {"freed_pages": 0, "steps": 0, "longest_step_ms": 0.0, "skipped": "compact"}
        raw = _raw(conn)
        raw.execute("PRAGMA wal_autocheckpoint=0")
        try:
            free = _free_pages(conn)
            while free > 0:
                freed = _vacuum_step(conn, min(pages, free), outcome, budget_s)
                freed_total += freed
                held_s = outcome.hold_ms[-1] / 1000
                committed = time.perf_counter()
                _checkpoint(conn, outcome, keeper)
                pages = next_batch_size(
                    freed, held_s, target_s=target_s, low=PAGES_LOW, high=PAGES_HIGH
                )
                _rest(held_s, committed, pause_s)
                free, was = _free_pages(conn), free
                if free >= was:  # nothing handed back: stop rather than spin
                    break
        finally:
            raw.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
    steps = outcome.hold_ms[before_holds:]
    return {
        "freed_pages": freed_total,
        "steps": outcome.vacuum_steps - before_steps,
        "longest_step_ms": round(max(steps, default=0.0), 2),
    }
