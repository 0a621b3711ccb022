"""Which database errors are worth trying the transaction again for, and how long to wait
between tries. Pure: `app.db.retry` runs the transaction.

Only errors that say "another transaction got in the way, nothing of yours was kept":
- PostgreSQL `40P01` (deadlock detected) and `40001` (serialization failure);
- SQLite `SQLITE_BUSY_SNAPSHOT`: a transaction that read first and then wanted to write while
  another writer had committed since its read; waiting (the busy timeout) cannot help it,
  starting again can.
Anything else (a constraint, a plain "database is locked" after the busy timeout, a lost
connection) is not retried here: its caller decides.
"""

from __future__ import annotations

RETRY_CODES = frozenset({"40P01", "40001", "SQLITE_BUSY_SNAPSHOT"})
MAX_TRIES = 4
BASE_DELAY_S = 0.02


def is_retryable(code: str | None) -> bool:
    """Whether an error with this SQLSTATE (PostgreSQL) or error name (SQLite) is retried."""
    return code in RETRY_CODES


def retry_delay(failed_tries: int, jitter: float) -> float | None:
    """Seconds to wait after `failed_tries` failed tries (1, 2, …) before the next, or None
    when the transaction is not tried again. `jitter` in [0, 1) spreads the waiters apart."""
    if failed_tries >= MAX_TRIES:
        return None
    return BASE_DELAY_S * (2 ** (failed_tries - 1)) * (1 + jitter)
