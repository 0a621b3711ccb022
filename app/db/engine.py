"""The database engine and sessions, configured once from settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.db.portable import dumps, refuse_nul
from app.db.settings import get_settings


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    # First, so no pragma below fails at once on a file another process is writing.
    cursor.execute("PRAGMA busy_timeout=10000")
    # Only a file with no page yet takes it, so new databases hand freed pages back in steps
    # after a prune (app.services.retention); an existing file switches with `flowdeck
    # db-compact`. Asked of an existing file it waits for the write lock, so it is not asked.
    if cursor.execute("PRAGMA page_count").fetchone()[0] == 0:
        cursor.execute("PRAGMA auto_vacuum=INCREMENTAL")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout. JSON columns are
    written as strict JSON and text with a NUL character is refused, on every database
    (`app.db.portable`)."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 10},
            pool_size=10,
            json_serializer=dumps,
        )
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = sa.create_engine(url, pool_pre_ping=True, json_serializer=dumps)
    sa.event.listen(engine, "before_cursor_execute", refuse_nul)
    return engine


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def check_database() -> str | None:
    """None when the database answers, otherwise a short reason."""
    try:
        with get_engine().connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        return f"database unreachable: {exc.__class__.__name__}"
    return None
