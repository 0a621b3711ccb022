"""Retention settings, what the next prune removes, the database's size, and the prune itself.

Settings: the global policy is the `app_setting` row "retention" ({keep_days, keep_last,
keep_data_days}, each an int or null = keep forever); a workflow overrides each value with
its own columns (null = use the global value). The rules of what goes are in
`app.core.retention`; the batched deletes are in `app.services.retention_prune`.

Admins only, for reading as for changing: the page shows every workflow's history size.
Every function here is blocking (callers offload it to a thread).
"""

from __future__ import annotations

import os
from typing import Any

import sqlalchemy as sa

from app.core.errors import Problem, ValidationFailed
from app.core.retention import FIELDS, Policy, parse_policy
from app.db.engine import get_engine, session_scope
from app.db.types import UTCDateTime, utcnow
from app.services import audit
from app.services.actor import Actor

SETTING_KEY = "retention"

APP_SETTING = sa.table(
    "app_setting",
    sa.column("key", sa.String),
    sa.column("value", sa.JSON),
    sa.column("updated_at", UTCDateTime()),
    sa.column("updated_by", sa.Integer),
)
WORKFLOW = sa.table(
    "workflow",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    *(sa.column(name, sa.Integer) for name in FIELDS),
)


# -- settings ------------------------------------------------------------------------------


def load_global(conn: sa.Connection) -> tuple[Policy, dict[str, Any]]:
    """The global policy and when/by whom it was last set (an empty dict: never set)."""
    row = conn.execute(
        sa.select(APP_SETTING.c.value, APP_SETTING.c.updated_at, APP_SETTING.c.updated_by).where(
            APP_SETTING.c.key == SETTING_KEY
        )
    ).first()
    if row is None or not isinstance(row.value, dict):
        return Policy(), {}
    try:
        policy = parse_policy(row.value)
    except ValidationFailed:  # written by hand: keep everything rather than guess
        policy = Policy()
    meta = {
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
        "updated_by": row.updated_by,
    }
    return policy, meta


def workflow_policies(conn: sa.Connection) -> list[tuple[int, str, Policy]]:
    """Every workflow's own values (None: uses the global one)."""
    rows = conn.execute(
        sa.select(WORKFLOW.c.id, WORKFLOW.c.name, *(WORKFLOW.c[n] for n in FIELDS)).order_by(
            WORKFLOW.c.id
        )
    ).all()
    return [(r.id, r.name, Policy(r.keep_days, r.keep_last, r.keep_data_days)) for r in rows]


def read_settings(actor: Actor) -> dict[str, Any]:
    """The global policy, with the workflows that override it."""
    actor.require_admin()
    with get_engine().connect() as conn:
        policy, meta = load_global(conn)
        overrides = [
            {"workflow_id": wid, "name": name, **own.as_dict()}
            for wid, name, own in workflow_policies(conn)
            if any(v is not None for v in own.as_dict().values())
        ]
    return {**policy.as_dict(), **meta, "overrides": overrides}


def global_values(actor: Actor) -> dict[str, int | None]:
    """Just the global values (any signed-in person): the workflow form shows them as the
    placeholders of a workflow's own, blank, fields."""
    del actor  # signed in is enough: three numbers, no workflow's history
    with get_engine().connect() as conn:
        policy, _ = load_global(conn)
    return policy.as_dict()


def update_settings(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Replace the global policy (every field; a missing one is null = keep forever). Audited."""
    actor.require_admin()
    unknown = sorted(set(data) - set(FIELDS))
    policy = parse_policy({k: v for k, v in data.items() if k in FIELDS})
    if unknown:  # the API's body model refuses these first; a UI never sends them
        raise ValidationFailed([Problem(k, "is not a retention setting") for k in unknown])
    now = utcnow()
    with session_scope() as session:
        conn = session.connection()
        before, _ = load_global(conn)
        values = {"value": policy.as_dict(), "updated_at": now, "updated_by": actor.user_id}
        done = conn.execute(
            APP_SETTING.update().where(APP_SETTING.c.key == SETTING_KEY).values(**values)
        )
        if not done.rowcount:
            conn.execute(APP_SETTING.insert().values(key=SETTING_KEY, **values))
        audit.record(
            session,
            actor,
            "retention.settings_changed",
            target_type="settings",
            target_id=SETTING_KEY,
            details={"before": before.as_dict(), "after": policy.as_dict()},
        )
    return read_settings(actor)


# -- the database --------------------------------------------------------------------------


def _sqlite_file(engine: sa.Engine) -> str | None:
    database = engine.url.database
    return database if database and database != ":memory:" else None


def database_info(actor: Actor) -> dict[str, Any]:
    """Size, rows per table, free pages and whether `flowdeck db-compact` is needed."""
    actor.require_admin()
    engine = get_engine()
    tables = sorted(t for t in sa.inspect(engine).get_table_names() if t != "alembic_version")
    info: dict[str, Any] = {"dialect": engine.dialect.name, "checked_at": utcnow().isoformat()}
    with engine.connect() as conn:
        rows = [
            {"table": t, "rows": int(conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar())}
            for t in tables
        ]
        if engine.dialect.name == "sqlite":
            pragma = {
                name: int(conn.exec_driver_sql(f"PRAGMA {name}").scalar() or 0)
                for name in ("page_size", "page_count", "freelist_count", "auto_vacuum")
            }
            path = _sqlite_file(engine)
            files = [p for p in (path, f"{path}-wal") if p and os.path.exists(p)]
            info.update(
                size_bytes=sum(os.path.getsize(p) for p in files),
                file_bytes=os.path.getsize(path) if path and os.path.exists(path) else 0,
                wal_bytes=sum(os.path.getsize(p) for p in files if p.endswith("-wal")),
                page_size=pragma["page_size"],
                pages=pragma["page_count"],
                free_pages=pragma["freelist_count"],
                free_bytes=pragma["freelist_count"] * pragma["page_size"],
                auto_vacuum={0: "none", 1: "full", 2: "incremental"}.get(pragma["auto_vacuum"]),
                compaction_needed=pragma["auto_vacuum"] != 2,
            )
        else:
            size = conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar()
            info.update(
                size_bytes=int(size or 0),
                file_bytes=int(size or 0),
                wal_bytes=0,
                page_size=None,
                pages=None,
                free_pages=None,
                free_bytes=None,
                auto_vacuum="autovacuum",
                compaction_needed=False,
            )
    info["tables"] = sorted(rows, key=lambda r: (-r["rows"], r["table"]))
    return info


AUDIT = sa.table(
    "audit_event",
    sa.column("id", sa.Integer),
    sa.column("at", UTCDateTime()),
    sa.column("actor_label", sa.String),
    sa.column("action", sa.String),
    sa.column("details", sa.JSON),
)


def last_prune(actor: Actor) -> dict[str, Any] | None:
    """The newest `retention.pruned` audit row: when, by whom, what it removed (None: never)."""
    actor.require_admin()
    with get_engine().connect() as conn:
        row = conn.execute(
            sa.select(AUDIT.c.at, AUDIT.c.actor_label, AUDIT.c.details)
            .where(AUDIT.c.action == "retention.pruned")
            .order_by(AUDIT.c.id.desc())
            .limit(1)
        ).first()
    if row is None:
        return None
    details = row.details if isinstance(row.details, dict) else {}
    return {"at": row.at.isoformat() if row.at else None, "by": row.actor_label, **details}


def compact() -> dict[str, Any]:
    """One full VACUUM of a SQLite database, switching it to incremental auto-vacuum.

    Rewrites the whole file: it holds the database for as long as that takes, so it is a
    command run by hand (`flowdeck db-compact`), never a job. A no-op on PostgreSQL.
    """
    engine = get_engine()
    if engine.dialect.name != "sqlite":
        return {"dialect": engine.dialect.name, "compacted": False}
    path = _sqlite_file(engine)
    before = os.path.getsize(path) if path and os.path.exists(path) else 0
    started = utcnow()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("PRAGMA auto_vacuum=INCREMENTAL")
        conn.exec_driver_sql("VACUUM")
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        mode = conn.exec_driver_sql("PRAGMA auto_vacuum").scalar()
    after = os.path.getsize(path) if path and os.path.exists(path) else 0
    return {
        "dialect": "sqlite",
        "compacted": True,
        "auto_vacuum": {0: "none", 1: "full", 2: "incremental"}.get(int(mode or 0)),
        "size_before": before,
        "size_after": after,
        "duration_ms": round((utcnow() - started).total_seconds() * 1000, 1),
    }
