"""Telling approvers that an approval waits for them: the bell, and optionally an alert channel.

On the bus event `step.waiting` of kind `approval`, every named approver (active users whose
email or role is listed; never viewers) gets an in-app notification that links to the inbox.
When the step names an alert (`notify_alert_id`), that alert's channel (Slack, Telegram,
email, webhook) also gets the message with an Approve and a Reject link per approver (signed,
one-time: see `app.services.approval_links`), through the alert dispatcher's delivery code
(recorded, retried). The stored copy of that delivery has the links masked: a link decides as
its approver, so it must not be readable in the alert's delivery history.

Runs on the loop only as tasks that await threads; one `ApprovalNotices` per process, started
and stopped by the app's lifespan (or a test).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from sqlmodel import col, select

from app.alerts.delivery import DEFAULT_POLICY
from app.alerts.messages import AlertMessage
from app.alerts.records import Job, insert_delivery
from app.alerts.sending import deliver
from app.db.engine import session_scope
from app.db.models import Alert, Approval, Notification, StepWait, User, Workflow
from app.db.settings import get_settings
from app.db.types import utcnow
from app.engine.bus import Event, EventBus, bus
from app.services.approval_links import link_url
from app.services.approvals import approver_user_ids

log = logging.getLogger("flowdeck.approvals")
INBOX_PATH = "/admin/approvals"
#: At most this many approvers get their own pair of links in one channel message.
MAX_LINKED_APPROVERS = 10
MASK = "(link sent, not stored)"


def _facts(row: Approval, workflow_name: str) -> list[tuple[str, str]]:
    facts = [("Workflow", workflow_name), ("Step", row.action_id)]
    facts.append(("Execution", str(row.execution_id)))
    if row.deadline is not None:
        then = "approved" if row.on_timeout == "approve" else "rejected"
        facts.append(("Deadline", f"{row.deadline.isoformat()} (then {then})"))
    return facts


def store_notifications(approval_id: int) -> list[tuple[int, int]]:
    """One in-app notification per approver; (user id, notification id) of each."""
    with session_scope() as session:
        row = session.get(Approval, approval_id)
        if row is None or row.status != "pending":
            return []
        workflow = session.get(Workflow, row.workflow_id)
        title = f"Approval needed: {workflow.name if workflow else row.action_id}"[:300]
        users = approver_user_ids(row.approvers or [])
        notes = [
            Notification(
                user_id=user_id,
                title=title,
                body=row.message[:5000],
                severity="warning",
                link=INBOX_PATH,
                execution_id=row.execution_id,
            )
            for user_id in users
        ]
        session.add_all(notes)
        session.flush()
        return [(n.user_id, n.id or 0) for n in notes]


def _alert_of(session: Any, approval: Approval) -> int | None:
    wait = session.exec(select(StepWait).where(StepWait.step_id == approval.step_id)).first()
    alert_id = (wait.details or {}).get("notify_alert_id") if wait is not None else None
    return alert_id if isinstance(alert_id, int) else None


def plan_link_message(approval_id: int) -> Job | None:
    """The delivery of the approval's message with its links, if the step names an alert."""
    with session_scope() as session:
        row = session.get(Approval, approval_id)
        alert_id = _alert_of(session, row) if row is not None else None
        if row is None or alert_id is None or row.status != "pending":
            return None
        alert = session.get(Alert, alert_id)
        if alert is None or not alert.is_active:
            log.warning("approval %s: alert %s is gone or paused; no link sent", row.id, alert_id)
            return None
        ids = approver_user_ids(row.approvers or [])[:MAX_LINKED_APPROVERS]
        users = session.exec(select(User).where(col(User.id).in_(ids)).order_by(User.id)).all()
        workflow = session.get(Workflow, row.workflow_id)
        workflow_name = workflow.name if workflow else ""
        links: list[tuple[str, str]] = []
        for user in users:
            links.append(
                (f"Approve as {user.email}", link_url(approval_id, "approved", user.id or 0))
            )
            links.append(
                (f"Reject as {user.email}", link_url(approval_id, "rejected", user.id or 0))
            )
        message = AlertMessage(
            event="approval_requested",
            severity="warning",
            title=f"Approval needed: {workflow_name}"[:300],
            summary=row.message,
            facts=tuple(_facts(row, workflow_name) + links),
            link=f"{get_settings().base_url}{INBOX_PATH}",
            link_label="Open the Approvals inbox",
            workflow_id=row.workflow_id,
            workflow_name=workflow_name,
            execution_id=row.execution_id,
            step=row.action_id,
            status="waiting",
            at=row.created_at.isoformat(),
        )
        masked = replace(
            message, facts=tuple(_facts(row, workflow_name) + [(k, MASK) for k, _ in links])
        )
        delivery_id = insert_delivery(session, alert_id, masked, utcnow())
    return Job(delivery_id, alert_id, replace(message, delivery_id=delivery_id))


class ApprovalNotices:
    """Subscribed to `step.waiting` between `start()` and `stop()`."""

    def __init__(self, events: EventBus = bus) -> None:
        self.events = events
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.events.subscribe("step.waiting", self.on_event)

    async def stop(self, grace_s: float = 5.0) -> None:
        self.events.unsubscribe(self.on_event)
        with contextlib.suppress(TimeoutError):
            await self.drain(grace_s)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._loop = None

    async def drain(self, limit_s: float = 10.0) -> None:
        """Wait until every notice started so far is done."""
        async with asyncio.timeout(limit_s):
            while self._tasks:
                await asyncio.wait(list(self._tasks))

    def on_event(self, event: Event) -> None:
        approval_id = event.data.get("approval_id")
        if event.data.get("kind") != "approval" or not isinstance(approval_id, int):
            return
        if self._loop is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._spawn(approval_id)
        else:
            self._loop.call_soon_threadsafe(self._spawn, approval_id)

    def _spawn(self, approval_id: int) -> None:
        assert self._loop is not None
        task = self._loop.create_task(self.notify(approval_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def notify(self, approval_id: int) -> None:
        """The bell of every approver, then the alert channel's links (if named)."""
        try:
            created = await asyncio.to_thread(store_notifications, approval_id)
            for user_id, notification_id in created:
                self.events.publish_nowait(
                    "notification.created",
                    user_id=user_id,
                    notification_id=notification_id,
                    title="Approval needed",
                    severity="warning",
                )
            job = await asyncio.to_thread(plan_link_message, approval_id)
            if job is not None:
                await deliver(
                    job, policy=DEFAULT_POLICY, publish=self.events.publish_nowait, clock=utcnow
                )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("could not notify the approvers of approval %s", approval_id)


@asynccontextmanager
async def approval_notices() -> AsyncIterator[None]:
    """Lifespan task of the app: approvers hear of approvals while the process serves."""
    notices = ApprovalNotices(bus)
    notices.start()
    try:
        yield
    finally:
        await notices.stop()
