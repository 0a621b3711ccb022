"""Run a short transaction again when the database says another one got in its way (a
deadlock, a serialization failure; see `app.core.db_retry`), a bounded number of times.

The function given must be a whole transaction (it opens and commits its own), so a try
that failed left nothing behind. It runs on the caller's thread and waits there: call it
from a worker thread, never on the event loop.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

from app.core.db_retry import is_retryable, retry_delay

log = logging.getLogger("flowdeck.db")
T = TypeVar("T")


def error_code(exc: DBAPIError) -> str | None:
    """The driver's code for `exc`: PostgreSQL's SQLSTATE or SQLite's error name."""
    orig = exc.orig
    for name in ("sqlstate", "pgcode", "sqlite_errorname"):
        code = getattr(orig, name, None)
        if isinstance(code, str):
            return code
    return None


def with_retry(transaction: Callable[[], T], *, what: str = "transaction") -> T:
    """`transaction()`, tried again after a deadlock or serialization failure."""
    tries = 0
    while True:
        try:
            return transaction()
        except DBAPIError as exc:
            tries += 1
            code = error_code(exc)
            delay = retry_delay(tries, random.random()) if is_retryable(code) else None
            if delay is None:
                raise
            log.warning("%s: %s on try %d, trying again in %.3f s", what, code, tries, delay)
            time.sleep(delay)
