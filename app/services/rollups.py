"""Rebuild the analytics rollups from the execution rows.

The rollups are kept up to date as runs end (app.engine.rollups_sql, in the run's own
transaction); a rebuild is for repairs (`flowdeck rollups-rebuild`) and tests. Rows from the
UTC day of `since` on are replaced by what the executions still in the database say: a day
whose runs retention has pruned loses its history, so rebuild only days whose runs are kept.
"""

from __future__ import annotations

from datetime import datetime

from app.core.errors import InvalidInput
from app.db.engine import session_scope
from app.engine import rollups_sql
from app.services import audit
from app.services.actor import SYSTEM, Actor


def rebuild(since: datetime | None = None, *, actor: Actor = SYSTEM) -> int:
    """Recompute every rollup from the UTC day of `since` (everything for None) in one
    transaction; returns how many workflow-hours it wrote. Admins only."""
    actor.require_admin()
    if since is not None and since.tzinfo is None:
        raise InvalidInput("since needs a time zone (UTC)")
    day = rollups_sql.floor_day(since) if since is not None else None
    with session_scope() as session:
        conn = session.connection()
        rollups_sql.delete_rollups(conn, day)
        hours = rollups_sql.add_rollups(conn, day)
        audit.record(
            session,
            actor,
            "analytics.rollups_rebuilt",
            target_type="analytics",
            details={"since": day.isoformat() if day else None, "hours": hours},
        )
    return hours
