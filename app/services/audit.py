"""Writing the append-only audit trail. Rows are only ever inserted here."""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel import Session

from app.core.redact import redact
from app.db.models import AuditEvent
from app.db.types import utcnow
from app.services.actor import Actor

log = logging.getLogger("flowdeck.audit")
# A Core insert on the session's transaction: committed (or rolled back) with the change it
# describes, without the ORM's unit of work (a run by hand writes one of these every time).
_INSERT = AuditEvent.__table__.insert()  # type: ignore[attr-defined]


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    *,
    target_type: str | None = None,
    target_id: int | str | None = None,
    details: dict[str, Any] | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
) -> None:
    """Add one audit row to `session`'s transaction (committed with the change it describes)."""
    label = actor.label if actor else ""
    session.connection().execute(
        _INSERT,
        {
            "at": utcnow(),
            "actor_type": actor.kind if actor else "anonymous",
            "actor_id": actor.user_id if actor else None,
            "actor_label": label,
            "action": action,
            "target_type": target_type,
            "target_id": None if target_id is None else str(target_id),
            "ip": ip or (actor.ip if actor else None),
            "user_agent": (user_agent or (actor.user_agent if actor else None) or "")[:300] or None,
            "details": redact(details or {}),
        },
    )
    log.info("audit %s by %s on %s:%s", action, label, target_type, target_id)
