"""How fast this machine is right now, printed next to every benchmark's numbers.

The benchmark machines are shared virtual machines whose speed changes from minute to
minute (the same code measures up to twice as slow at a busy moment). Two yardsticks that
do not depend on Flowdeck make a result comparable with another run: a pure-Python loop and
a plain SQLite commit in WAL mode (the issue's reference is ~20 µs).
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path


def python_loop_ms(n: int = 1_000_000) -> float:
    started = time.perf_counter()
    total = 0
    for i in range(n):
        total += i * i
    return (time.perf_counter() - started) * 1000


def sqlite_commit_us(n: int = 1000) -> float:
    with tempfile.TemporaryDirectory() as folder:
        conn = sqlite3.connect(Path(folder) / "ref.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE t (a INTEGER)")
        started = time.perf_counter()
        for i in range(n):
            conn.execute("BEGIN")
            conn.execute("INSERT INTO t VALUES (?)", (i,))
            conn.execute("COMMIT")
        elapsed = time.perf_counter() - started
        conn.close()
    return elapsed / n * 1_000_000


def machine_line() -> str:
    loop = min(python_loop_ms() for _ in range(3))
    commit = min(sqlite_commit_us() for _ in range(3))
    return (
        f"machine now: 1M-step Python loop {loop:.0f} ms, SQLite WAL commit {commit:.0f} µs "
        "(compare runs made at similar values)"
    )


if __name__ == "__main__":
    print(machine_line())
