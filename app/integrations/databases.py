"""Running one parameterised statement through a `database` connection (blocking: call it in a
thread).

SQLite: the file must be under `FLOWDECK_SQLITE_ROOTS` and not Flowdeck's own database (also
not through a hard link); it is opened `mode=ro` with `PRAGMA query_only` unless the step
writes (`mode=rw`: never creates a file), and an authorizer refuses ATTACH/DETACH (which
`VACUUM INTO` uses too) and setting a PRAGMA, so a query cannot reach another file or lift the
read-only switch. A progress handler stops it at its deadline.

PostgreSQL and MySQL: the host goes through the outbound address guard (`resolve_checked_sync`)
and the connection is pinned to a checked address; reads run in a read-only transaction.
Their drivers are optional: without one the step says which to install.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app.core.errors import IntegrationError
from app.core.sql_access import database_kind, rows_output, sqlite_file_problem
from app.db.settings import get_settings
from app.integrations.guard import resolve_checked_sync

_DENIED = {sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH}
_DRIVERS = {"postgresql": "psycopg (postgresql+psycopg://)", "mysql": "pymysql (mysql+pymysql://)"}


class DatabaseError(IntegrationError):
    """The database refused or failed the statement, or may not be reached."""

    code = "database_error"
    status = 400


def own_database_files() -> list[Path]:
    """Flowdeck's own database file(s), resolved."""
    settings = get_settings()
    found = [settings.data_dir / "flowdeck.db"]
    if settings.is_sqlite and (name := make_url(settings.database_url).database):
        found.append(Path(name))
    return [p.expanduser().resolve() for p in found]


def sqlite_file(database: str | None) -> Path:
    """The allowed SQLite file a URL names; `DatabaseError` saying why not otherwise."""
    if not database or database == ":memory:" or database.startswith("file:"):
        raise DatabaseError("give a SQLite file path: sqlite:////absolute/path/file.db")
    try:
        path = Path(database).expanduser().resolve(strict=True)
    except (OSError, RuntimeError):
        raise DatabaseError(f"SQLite file {database} does not exist") from None
    own = own_database_files()
    problem = sqlite_file_problem(path, get_settings().sqlite_roots, own)
    if problem is None and any(o.exists() and os.path.samefile(path, o) for o in own):
        problem = "that is Flowdeck's own database"
    if problem:
        raise DatabaseError(f"SQLite file refused: {problem}")
    return path


def _authorize(action: int, arg1: str | None, arg2: str | None, *_: Any) -> int:
    """No ATTACH/DETACH (nor VACUUM INTO, which attaches); PRAGMAs only read, never set."""
    if action in _DENIED or (action == sqlite3.SQLITE_PRAGMA and arg2 is not None):
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def _sqlite_connect(path: Path, write: bool, deadline: float) -> sqlite3.Connection:
    conn = sqlite3.connect(
        f"{path.as_uri()}?mode={'rw' if write else 'ro'}",
        uri=True,
        timeout=5,
        check_same_thread=False,
    )
    if not write:
        conn.execute("PRAGMA query_only = ON")
    conn.set_authorizer(_authorize)
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    return conn


def _network_engine(url: sa.URL, kind: str) -> sa.Engine:
    host = url.host or ""
    port = url.port or (5432 if kind == "postgresql" else 3306)
    addresses = resolve_checked_sync(host, port)
    args: dict[str, Any] = {}
    if kind == "postgresql":
        args["hostaddr"] = addresses[0]  # libpq keeps `host` for TLS names
    else:
        url = url.set(host=addresses[0])
    try:
        return sa.create_engine(url, poolclass=NullPool, connect_args=args)
    except ModuleNotFoundError as exc:
        missing = f"no {kind} driver installed ({exc.name}): install {_DRIVERS[kind]}"
        raise DatabaseError(missing) from None


@contextmanager
def _connection(url_text: str, write: bool, deadline: float) -> Iterator[sa.Connection]:
    try:
        kind = database_kind(url_text)
        url = make_url(url_text)
    except (ValueError, sa.exc.ArgumentError) as exc:
        raise DatabaseError(f"credentials.url {exc}") from None
    if kind == "sqlite":
        path = sqlite_file(url.database)
        engine = sa.create_engine(
            "sqlite://", creator=lambda: _sqlite_connect(path, write, deadline), poolclass=NullPool
        )
    else:
        engine = _network_engine(url, kind)
    try:
        with engine.connect() as conn:
            if not write and kind == "postgresql":
                conn = conn.execution_options(postgresql_readonly=True)
            elif not write and kind == "mysql":
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            yield conn
    finally:
        engine.dispose()


def run_statement(
    url: str,
    query: str,
    params: dict[str, Any],
    *,
    write: bool,
    max_rows: int,
    timeout_s: float,
) -> dict[str, Any]:
    """Run `query` with `params` bound; rows (at most `max_rows`) or the changed row count."""
    deadline = time.monotonic() + timeout_s
    try:
        with _connection(url, write, deadline) as conn:
            result = conn.execute(sa.text(query), params)
            if result.returns_rows:
                rows = result.fetchmany(max_rows + 1)
                output = rows_output(list(result.keys()), rows, max_rows)
            else:
                output = {"row_count": result.rowcount, "rows": [], "columns": []}
            if write:
                conn.commit()
            return output
    except sa.exc.StatementError as exc:
        raise DatabaseError(_explain(exc, write, timeout_s)) from None


def _explain(exc: sa.exc.StatementError, write: bool, timeout_s: float) -> str:
    text = str(exc.orig) if exc.orig is not None else str(exc).split("\n")[0]
    lowered = text.lower()
    if not write and ("readonly" in lowered or "read-only" in lowered or "read only" in lowered):
        return f"{text}: the step is read-only (set write: true to change data)"
    if "interrupted" in lowered:
        return f"the query ran past its {timeout_s:g} s"
    if "not authorized" in lowered or "authorization denied" in lowered:
        return f"{text}: ATTACH, DETACH, VACUUM INTO and setting a PRAGMA are not allowed"
    return text[:2000]


def check(url: str) -> tuple[bool, str]:
    """A connection check: `SELECT 1` read-only."""
    try:
        run_statement(url, "SELECT 1", {}, write=False, max_rows=1, timeout_s=10)
    except (IntegrationError, sa.exc.SQLAlchemyError, OSError) as exc:
        message = exc.message if isinstance(exc, IntegrationError) else str(exc).split("\n")[0]
        return False, message
    return True, f"{database_kind(url)} database answered"
