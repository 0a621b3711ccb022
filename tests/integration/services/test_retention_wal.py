"""The prune's write-ahead log on a real SQLite file: appended to, not rewound after each batch
(a rewind makes the next commit sync the log while it holds the write lock), and still
bounded; and each hold of the write lock timed from the lock, not from the wait for it."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from app.db.engine import get_engine
from app.services.retention_batches import Outcome, WalKeeper, write_batch


def _table() -> None:
    with get_engine().begin() as conn:
        conn.execute(sa.text("CREATE TABLE wal_probe (v INTEGER, pad TEXT)"))


def _work(conn: sa.Connection, ids: list[int]) -> list[int]:
    for i in ids:
        conn.execute(
            sa.text("INSERT INTO wal_probe VALUES (:v, :pad)"), {"v": i, "pad": "x" * 3000}
        )
    return ids


def _log_frames(path: Path) -> int:
    """Frames in the log now (a PASSIVE checkpoint from another connection: it rewinds nothing)."""
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])
    finally:
        conn.close()


def _batches(keeper: WalKeeper | None, path: Path, n: int = 4) -> list[int]:
    outcome, frames = Outcome(), []
    for b in range(n):
        write_batch(_work, [[b * 10 + i for i in range(5)]], outcome, pause_s=0, keeper=keeper)
        frames.append(_log_frames(path))
    return frames


def test_without_a_keeper_every_batch_rewinds_the_log(db: Path) -> None:
    _table()
    frames = _batches(None, db / "flowdeck.db")
    # each batch is checkpointed whole, so the next write starts the log over: after the
    # first (which the table's creation had started), every batch leaves a log of its length
    assert len(set(frames[1:])) == 1 and frames[1] < frames[0], frames


def test_a_keeper_makes_the_batches_append(db: Path) -> None:
    _table()
    with WalKeeper(every_s=0) as keeper:
        frames = _batches(keeper, db / "flowdeck.db")
    assert frames == sorted(frames) and len(set(frames)) == len(frames), frames
    with get_engine().connect() as conn:  # everything written is there
        assert conn.execute(sa.text("SELECT count(*) FROM wal_probe")).scalar() == 20


def test_the_keeper_lets_a_long_log_be_rewound(db: Path) -> None:
    _table()
    with WalKeeper(limit_pages=8, every_s=0) as keeper:
        frames = _batches(keeper, db / "flowdeck.db", n=6)
    # each batch writes more than 8 frames: after one the keeper lets go and the log restarts
    assert any(later < earlier for earlier, later in zip(frames, frames[1:], strict=False)), frames


def test_a_hold_is_timed_from_the_lock_not_from_the_wait(db: Path) -> None:
    _table()
    locked, release = threading.Event(), threading.Event()

    def other_writer() -> None:
        conn = sqlite3.connect(db / "flowdeck.db", isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        locked.set()
        release.wait(5)
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=other_writer)
    thread.start()
    locked.wait(5)
    threading.Timer(0.3, release.set).start()
    outcome = Outcome()
    started = time.perf_counter()
    write_batch(_work, [[1]], outcome, pause_s=0)
    thread.join()
    assert time.perf_counter() - started >= 0.3  # it waited for the other writer ...
    assert outcome.longest_wait_ms >= 250
    assert outcome.hold_ms[0] < outcome.longest_wait_ms  # ... and that is not its hold
