"""The notification bell: unread count and the newest notifications, live per user.

Each of a user's tabs joins the feed `user<id>` (see `app.ui.feeds`); when the in-app alert
channel creates a notification (or one is read), the bus event names the user and only that
user's bell is recomputed and pushed to their tabs.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypedDict

import reflex as rx
from starlette.concurrency import run_in_threadpool

from app.core.dates import when_text
from app.core.errors import AuthenticationFailed, FlowdeckError
from app.core.statuses import Role
from app.engine.bus import Event, bus
from app.services import approvals, notifications
from app.services.actor import Actor
from app.ui.feeds import feeds, signed_in, tab_token
from app.ui.feeds import push as feeds_push
from app.ui.states.session import SessionState

log = logging.getLogger("flowdeck.bell")


class NotificationItem(TypedDict):
    id: int
    title: str
    severity: str
    link: str
    read: bool
    at: str


def _snapshot(actor: Actor) -> tuple[int, list[NotificationItem]]:
    page = notifications.list_notifications(actor, limit=8)
    return page["unread"], [
        NotificationItem(
            id=n["id"],
            title=n["title"],
            severity=n["severity"],
            link=n["link"] or "",
            read=n["read"],
            at=when_text(n["created_at"], "second"),
        )
        for n in page["items"]
    ]


def _approvals_waiting(user_id: int | None) -> int:
    """Pending approvals this person may decide (shown in the bell and the navigation)."""
    return approvals.pending_count_of_user(user_id) if user_id else 0


class LiveBell(rx.State):
    unread: int = 0
    items: list[NotificationItem] = []
    approvals: int = 0

    @rx.event
    async def link(self) -> Any:
        session = await self.get_state(SessionState)
        try:
            actor = await session._actor()
        except AuthenticationFailed:
            return None
        feeds.join(f"user{actor.user_id}", tab_token(self))
        self.unread, self.items = await run_in_threadpool(_snapshot, actor)
        self.approvals = await run_in_threadpool(_approvals_waiting, actor.user_id)
        return None

    @rx.event
    async def mark_all_read(self) -> Any:
        session = await self.get_state(SessionState)
        try:
            actor = await session._actor()
            await run_in_threadpool(notifications.mark_all_read, actor)
        except FlowdeckError as exc:
            return rx.toast.error(exc.message)
        return None


@asynccontextmanager
async def bell_push(app: rx.App) -> AsyncIterator[None]:
    """Lifespan task: recompute one user's bell when their notifications change."""

    async def push(user_id: int) -> None:
        actor = Actor(kind="user", user_id=user_id, email="", role=Role.VIEWER)
        unread, items = await run_in_threadpool(_snapshot, actor)
        waiting = await run_in_threadpool(_approvals_waiting, user_id)

        def fill(bell: LiveBell) -> None:
            bell.unread, bell.items, bell.approvals = unread, items, waiting

        await feeds_push(app, f"user{user_id}", LiveBell, fill, signed_in(*Role, user_id=user_id))

    async def on_event(event: Event) -> None:
        user_id = event.data.get("user_id")
        if isinstance(user_id, int):
            try:
                await push(user_id)
            except Exception:
                log.exception("bell push for user %s failed", user_id)

    bus.subscribe("notification.", on_event)
    try:
        yield
    finally:
        bus.unsubscribe(on_event)


def bell() -> rx.Component:
    """The bell in the admin header; its menu lists the newest notifications."""
    # The button itself opens the menu (one tab stop, named with the unread count); the
    # count's badge sits over it, outside the button.
    menu = rx.popover.root(
        rx.popover.trigger(
            rx.icon_button(
                rx.icon("bell", size=16),
                variant="ghost",
                aria_label=rx.cond(
                    LiveBell.unread > 0,
                    "Notifications, " + LiveBell.unread.to_string() + " unread",
                    "Notifications",
                ),
                data_testid="bell",
            )
        ),
        rx.popover.content(
            rx.vstack(
                rx.hstack(
                    rx.text("Notifications", weight="bold"),
                    rx.spacer(),
                    rx.button(
                        "Mark all read", size="1", variant="ghost", on_click=LiveBell.mark_all_read
                    ),
                    width="100%",
                    align="center",
                ),
                rx.cond(
                    LiveBell.approvals > 0,
                    rx.link(
                        rx.hstack(
                            rx.icon("circle-check", size=14),
                            rx.text("Approvals waiting for you", size="2"),
                            rx.spacer(),
                            rx.badge(LiveBell.approvals, color_scheme="violet", radius="full"),
                            align="center",
                            width="100%",
                        ),
                        href="/admin/approvals",
                        underline="none",
                        width="100%",
                        data_testid="bell-approvals",
                    ),
                ),
                rx.cond(
                    LiveBell.items.length() > 0,
                    rx.foreach(
                        LiveBell.items,
                        lambda n: rx.link(
                            rx.hstack(
                                rx.cond(
                                    n["read"],
                                    rx.box(width="8px"),
                                    rx.box(
                                        width="8px",
                                        height="8px",
                                        border_radius="50%",
                                        background=rx.color("accent", 9),
                                    ),
                                ),
                                rx.text(
                                    n["title"],
                                    size="2",
                                    weight=rx.cond(n["read"], "regular", "medium"),
                                ),
                                rx.spacer(),
                                rx.text(n["at"], size="1", color=rx.color("gray", 11)),
                                align="center",
                                width="100%",
                            ),
                            href=n["link"],
                            underline="none",
                            width="100%",
                        ),
                    ),
                    rx.text(
                        "Nothing yet. In-app alerts appear here.",
                        size="2",
                        color=rx.color("gray", 11),
                    ),
                ),
                spacing="2",
                width="320px",
            ),
        ),
    )
    return rx.box(
        menu,
        rx.cond(
            LiveBell.unread > 0,
            rx.badge(
                LiveBell.unread,
                color_scheme="red",
                variant="solid",
                radius="full",
                size="1",
                position="absolute",
                top="-6px",
                right="-8px",
                pointer_events="none",
                aria_hidden="true",  # the button's name says it
                data_testid="bell-count",
            ),
        ),
        position="relative",
        display="inline-flex",
        on_mount=LiveBell.link,
    )
