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
from collections.abc import AsyncIterator, Coroutine
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
from app.engine.bus import Event, EventBus, bus, call_on_loop
from app.services.approval_links import link_url
from app.services.approvals import announce_decided, approver_user_ids

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


def pending_steps() -> list[tuple[int, int]]:
    """(step id, execution id) of every pending approval (tracked after a restart)."""
    with session_scope() as session:
        rows = session.exec(
            select(Approval.step_id, Approval.execution_id).where(Approval.status == "pending")
        ).all()
    return [(int(step_id), int(execution_id)) for step_id, execution_id in rows]


def settle(step_ids: list[int]) -> list[int]:
    """Of these approval steps, the ones no longer pending; their approvers' counts are told."""
    with session_scope() as session:
        rows = session.exec(
            select(Approval).where(
                col(Approval.step_id).in_(step_ids), Approval.status != "pending"
            )
        ).all()
        for row in rows:
            session.expunge(row)
    for row in rows:
        announce_decided(row)
    return [row.step_id for row in rows]


class ApprovalNotices:
    """Subscribed to the bus between `start()` and `stop()`.

    `step.waiting` (approval): notify the approvers. An approval ends by a decision, its
    deadline (the wait clock) or its run's end (cancelled): the approvers' pending counts are
    told again when the tracked step finishes or its execution announces anything, so a bell
    never keeps counting an approval that is over. Only steps of pending approvals are
    tracked (in memory, reloaded at start), so other steps cost one dictionary lookup.
    """

    def __init__(self, events: EventBus = bus) -> None:
        self.events = events
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._steps: dict[int, int] = {}  # step id → execution id, pending approvals

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.events.subscribe("step.waiting", self.on_event)
        self.events.subscribe("step.finished", self.on_event)
        self.events.subscribe("execution.", self.on_event)
        self._run(self._load())

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
        """The bus handler (on the loop's thread, or handed to it)."""
        if self._loop is not None:
            call_on_loop(self._loop, self._handle, event)

    def _handle(self, event: Event) -> None:
        data = event.data
        approval_id, step_id = data.get("approval_id"), data.get("step_id")
        if event.name == "step.waiting":
            if data.get("kind") == "approval" and isinstance(approval_id, int):
                if isinstance(step_id, int):
                    self._steps[step_id] = int(data.get("execution_id") or 0)
                self._run(self.notify(approval_id))
        elif event.name == "step.finished":
            if isinstance(step_id, int) and step_id in self._steps:
                self._run(self._settle({step_id: self._steps.pop(step_id)}))
        elif self._steps:
            execution_id = data.get("execution_id")
            ids = [s for s, e in self._steps.items() if e == execution_id]
            if ids:
                self._run(self._settle({s: self._steps.pop(s) for s in ids}))

    def _run(self, work: Coroutine[Any, Any, None]) -> None:
        assert self._loop is not None
        task = self._loop.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _load(self) -> None:
        try:
            for step_id, execution_id in await asyncio.to_thread(pending_steps):
                self._steps.setdefault(step_id, execution_id)
        except Exception:
            log.exception("could not load the pending approvals")

    async def _settle(self, steps: dict[int, int]) -> None:
        """Recount for those of `steps` (taken out of tracking) that ended; track the rest."""
        ended: list[int] = []
        try:
            ended = await asyncio.to_thread(settle, list(steps))
        except Exception:
            log.exception("could not recount the approvers of steps %s", list(steps))
        for step_id, execution_id in steps.items():
            if step_id not in ended:
                self._steps.setdefault(step_id, execution_id)

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
