"""In-app notifications of the signed-in user: list, unread count, mark read.

Every function works on the caller's own notifications only; another user's notification is
"not found", exactly like one that does not exist, so ids reveal nothing. Marking read
publishes `notification.read` with the user id and the new unread count, so that every open
browser of that user can update its bell.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from app.core.errors import NotFound, PermissionDenied
from app.db.engine import session_scope
from app.db.models import Notification
from app.db.types import utcnow
from app.engine.bus import bus
from app.services.actor import Actor

NT = Notification.__table__


def _user_id(actor: Actor) -> int:
    if actor.user_id is None:
        raise PermissionDenied("notifications belong to users; this actor is not one")
    return actor.user_id


def to_public(row: Notification) -> dict[str, Any]:
    """A notification as the API and the bell show it."""
    return {
        "id": row.id,
        "title": row.title,
        "body": row.body,
        "severity": row.severity,
        "link": row.link,
        "execution_id": row.execution_id,
        "read": row.read_at is not None,
        "read_at": row.read_at.isoformat() if row.read_at else None,
        "created_at": row.created_at.isoformat(),
    }


def _unread(session: Session, user_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, col(Notification.read_at).is_(None))
    ).one()


def unread_count(actor: Actor) -> int:
    """How many of the caller's notifications are unread (the bell's number)."""
    user_id = _user_id(actor)
    with session_scope() as session:
        return _unread(session, user_id)


def list_notifications(
    actor: Actor, *, unread_only: bool = False, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    """The caller's notifications, newest first, with the total and the unread count."""
    user_id = _user_id(actor)
    where = [Notification.user_id == user_id]
    if unread_only:
        where.append(col(Notification.read_at).is_(None))
    with session_scope() as session:
        total = session.exec(select(func.count()).select_from(Notification).where(*where)).one()
        rows = session.exec(
            select(Notification)
            .where(*where)
            .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
            .limit(limit)
            .offset(offset)
        ).all()
        return {
            "items": [to_public(row) for row in rows],
            "total": total,
            "unread": _unread(session, user_id),
            "limit": limit,
            "offset": offset,
        }


def mark_read(actor: Actor, notification_id: int) -> dict[str, Any]:
    """Mark one of the caller's notifications read (again is fine: the first time is kept)."""
    user_id = _user_id(actor)
    with session_scope() as session:
        row = session.get(Notification, notification_id)
        if row is None or row.user_id != user_id:
            raise NotFound(f"notification {notification_id} does not exist")
        if row.read_at is None:
            row.read_at = utcnow()
            session.add(row)
            session.flush()
        public, unread = to_public(row), _unread(session, user_id)
    bus.publish_nowait("notification.read", user_id=user_id, unread=unread)
    return public


def mark_all_read(actor: Actor) -> dict[str, int]:
    """Mark every unread notification of the caller read; says how many changed."""
    user_id = _user_id(actor)
    with session_scope() as session:
        result = session.execute(
            sa.update(NT)
            .where(NT.c.user_id == user_id, NT.c.read_at.is_(None))
            .values(read_at=utcnow())
        )
        marked = result.rowcount or 0
    bus.publish_nowait("notification.read", user_id=user_id, unread=0)
    return {"marked": marked, "unread": 0}
