"""In-app: one `Notification` row per recipient, for the bell in the header.

Recipients are the users listed in `config.recipients`, or else every active admin and
member (viewers read the status page, they do not run workflows). Each new row is announced as
`notification.created` with its `user_id`, so a browser can update only its own user's bell.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from pydantic import Field
from sqlmodel import col, select

from app.alerts.base import ChannelOptions, ChannelType, SendResult, Target, register
from app.alerts.messages import AlertMessage
from app.core.statuses import Role
from app.db.engine import session_scope
from app.db.models import Notification, User


class InAppOptions(ChannelOptions):
    """Who gets the notification; everyone who works in Flowdeck when left out."""

    recipients: list[int] | None = Field(None, max_length=500)


def recipient_ids(configured: list[int] | None) -> list[int]:
    """Active users among `configured`, or all active admins and members."""
    query = select(User.id).where(col(User.is_active).is_(True))
    if configured:
        query = query.where(col(User.id).in_(configured))
    else:
        query = query.where(col(User.role).in_([Role.ADMIN.value, Role.MEMBER.value]))
    with session_scope() as session:
        return [int(uid) for uid in session.exec(query.order_by(User.id)).all() if uid]


def _store(target: Target, message: AlertMessage) -> list[tuple[int, int]]:
    """Write the rows; (user id, notification id) of each."""
    users = recipient_ids(target.options.get("recipients"))
    body = message.summary if not message.note else f"{message.summary}\n{message.note}"
    if message.error:
        body += f"\nError: {message.error}"
    with session_scope() as session:
        rows = [
            Notification(
                user_id=user_id,
                title=message.title[:300],
                body=body[:5000],
                severity=message.severity,
                link=urlsplit(message.link).path if message.link else None,  # in-app: relative
                execution_id=message.execution_id,
            )
            for user_id in users
        ]
        session.add_all(rows)
        session.flush()
        return [(row.user_id, row.id or 0) for row in rows]


async def send(target: Target, message: AlertMessage) -> SendResult:
    """Write the rows; the dispatcher announces them once the delivery is recorded."""
    created = await asyncio.to_thread(_store, target, message)
    if not created:
        return SendResult.failed("no active recipient: every listed user is inactive or gone")
    events = tuple(
        (
            "notification.created",
            {
                "user_id": user_id,
                "notification_id": notification_id,
                "title": message.title[:300],
                "severity": message.severity,
            },
        )
        for user_id, notification_id in created
    )
    return SendResult(True, events=events)


def check_channel(channel: str, has_connection: bool) -> str | None:
    """In-app alerts have no channel text: recipients are options."""
    if channel:
        return "in-app alerts have no channel; list user ids in config.recipients"
    return None


CHANNEL = register(
    ChannelType(
        name="in_app",
        label="In-app",
        send=send,
        options=InAppOptions,
        check_channel=check_channel,
        description="A notification for each recipient, shown by the bell",
    )
)
