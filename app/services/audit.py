"""Writing the append-only audit trail. Rows are only ever inserted here."""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel import Session

from app.core.redact import redact
from app.db.models import AuditEvent
from app.services.actor import Actor

log = logging.getLogger("flowdeck.audit")


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
) -> AuditEvent:
    """Add one audit row to `session` (committed with the change it describes)."""
    event = AuditEvent(
        actor_type=actor.kind if actor else "anonymous",
        actor_id=actor.user_id if actor else None,
        actor_label=actor.label if actor else "",
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        ip=ip or (actor.ip if actor else None),
        user_agent=(user_agent or (actor.user_agent if actor else None) or "")[:300] or None,
        details=redact(details or {}),
    )
    session.add(event)
    log.info("audit %s by %s on %s:%s", action, event.actor_label, target_type, target_id)
    return event
