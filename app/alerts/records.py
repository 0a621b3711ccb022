"""The database side of alert delivery: which alerts fire, storm collapsing, each attempt.

Every function is one short transaction on the caller's thread (the dispatcher runs them in a
worker thread). Counters are raised with `col = col + 1` so that concurrent deliveries never
lose a count.

Lock order: a transaction that writes both tables writes `alert` rows first (by id), then
`alert_delivery` rows. Two transactions taking row locks in opposite orders deadlock on
PostgreSQL (one of them is killed, and a message that was sent would be recorded as failed);
in one order they only wait for each other. A deadlock or serialization failure all the same
is tried again (`app.db.retry`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, or_, select

from app.alerts.base import SendResult, Target
from app.alerts.events import AlertEvent, label, wants
from app.alerts.messages import AlertMessage, build_message, with_template
from app.alerts.spec import public_options
from app.alerts.storage import SIGNING, stored_body
from app.alerts.storm import Previous, collapse_into, unreported
from app.core.errors import NotFound
from app.db.engine import get_engine, session_scope
from app.db.models import Alert, AlertDelivery, Execution, ExecutionStep, Workflow
from app.db.retry import with_retry
from app.integrations.credentials import load_connection

AL = Alert.__table__
DL = AlertDelivery.__table__
# The alerts that could want an event of one workflow; built once, as it runs on every event.
_CANDIDATES = sa.select(AL.c.events, AL.c.min_severity).where(
    AL.c.is_active.is_(True),
    sa.or_(AL.c.workflow_id.is_(None), AL.c.workflow_id == sa.bindparam("p_workflow_id")),
)


@dataclass(frozen=True)
class Job:
    """One delivery to make: its row, its alert and the message."""

    delivery_id: int
    alert_id: int
    message: AlertMessage
    alert_name: str = ""


def _enrich(session: Session, event: AlertEvent) -> AlertEvent:
    """Fill in what the bus event left out (recovery sends only the execution id)."""
    changes: dict[str, Any] = {}
    execution = session.get(Execution, event.execution_id) if event.execution_id else None
    if execution is not None:
        if event.workflow_id is None:
            changes["workflow_id"] = execution.workflow_id
        if event.kind == "workflow_fail":
            changes["error"] = event.error or execution.error
            changes["step"] = event.step or execution.failed_step
            changes["duration_ms"] = event.duration_ms or execution.duration_ms
    workflow_id = changes.get("workflow_id", event.workflow_id)
    if not event.workflow_name and workflow_id is not None:
        workflow = session.get(Workflow, workflow_id)
        changes["workflow_name"] = workflow.name if workflow else ""
    step = changes.get("step", event.step)
    if step and event.execution_id:
        row = session.exec(
            select(ExecutionStep).where(
                ExecutionStep.execution_id == event.execution_id, ExecutionStep.action_id == step
            )
        ).first()
        if row is not None and row.name:
            changes["step_name"] = row.name
    return replace(event, **changes) if changes else event


def _previous(session: Session, alert_id: int, event: AlertEvent) -> Previous | None:
    """The latest delivery of this alert for this event kind and workflow."""
    row = session.execute(
        sa.select(DL.c.id, DL.c.created_at, DL.c.occurrences)
        .join(Execution.__table__, Execution.__table__.c.id == DL.c.execution_id)
        .where(
            DL.c.alert_id == alert_id,
            DL.c.event == event.kind,
            Execution.__table__.c.workflow_id == event.workflow_id,
        )
        .order_by(DL.c.created_at.desc(), DL.c.id.desc())
        .limit(1)
    ).first()
    return Previous(row.id, row.created_at, row.occurrences) if row else None


def plan(event: AlertEvent, *, now: datetime, window_s: float, base_url: str) -> list[Job]:
    """Count the event on every alert that wants it; new deliveries for those not in a storm.

    Most events interest no alert, so the alerts are looked up before anything else is read.
    """
    if event.workflow_id is not None and not _any_wants(event):
        return []
    return with_retry(
        lambda: _plan(event, now=now, window_s=window_s, base_url=base_url), what="alert plan"
    )


def _plan(event: AlertEvent, *, now: datetime, window_s: float, base_url: str) -> list[Job]:
    jobs: list[Job] = []
    with session_scope() as session:
        if event.workflow_id is None:
            event = _enrich(session, event)
        scope = col(Alert.workflow_id).is_(None)
        if event.workflow_id is not None:
            scope = or_(scope, Alert.workflow_id == event.workflow_id)
        candidates = session.exec(
            select(Alert).where(col(Alert.is_active).is_(True), scope).order_by(Alert.id)
        ).all()
        alerts = [
            a for a in candidates if wants(events=a.events, minimum=a.min_severity, event=event)
        ]
        if not alerts:
            return []
        event = _enrich(session, event)
        for alert in alerts:  # every `alert` row first, in id order (see the lock order)
            session.execute(
                AL.update()
                .where(AL.c.id == alert.id)
                .values(triggered_count=AL.c.triggered_count + 1, last_triggered_at=now)
            )
        for alert in alerts:
            previous = _previous(session, alert.id or 0, event)
            absorbing = collapse_into(previous, now, window_s)
            if absorbing is not None:
                session.execute(
                    DL.update().where(DL.c.id == absorbing).values(occurrences=DL.c.occurrences + 1)
                )
                continue
            message = with_template(
                build_message(
                    event,
                    base_url=base_url,
                    suppressed=unreported(previous),
                    label=label(alert.severity, event),
                ),
                (alert.config or {}).get("message"),
            )
            delivery_id = insert_delivery(session, alert.id or 0, message, now)
            message = replace(message, delivery_id=delivery_id)
            jobs.append(Job(delivery_id, alert.id or 0, message, alert.name))
    return jobs


def _any_wants(event: AlertEvent) -> bool:
    """A quick look (no ORM, no transaction) whether any alert wants `event`."""
    with get_engine().connect() as conn:
        rows = conn.execute(_CANDIDATES, {"p_workflow_id": event.workflow_id}).all()
    return any(wants(events=r.events, minimum=r.min_severity, event=event) for r in rows)


def insert_delivery(session: Session, alert_id: int, message: AlertMessage, now: datetime) -> int:
    """A `pending` delivery row holding the message text; its id."""
    row = AlertDelivery(
        alert_id=alert_id,
        execution_id=message.execution_id,
        event=message.event,
        status="pending",
        message=message.text()[:5000],
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row.id or 0


def load_target(alert_id: int) -> Target:
    """The alert with its secrets decrypted; `SecretUnreadable` names what cannot be read."""
    with session_scope() as session:
        alert = session.get(Alert, alert_id)
        if alert is None:
            raise NotFound(f"alert {alert_id} does not exist")
        options = public_options(alert.config or {})
        body = stored_body(alert)
    connection_id = body["connection_id"]
    return Target(
        alert_id=alert_id,
        alert_name=body["name"],
        alert_type=body["alert_type"],
        channel=body["channel"],
        options=options,
        connection=load_connection(connection_id) if connection_id else None,
        signing_secret=body["config"].get(SIGNING),
    )


def record_attempt(
    delivery_id: int, attempt: int, result: SendResult, latency_ms: float | None
) -> None:
    """What attempt `attempt` got; `result.error` must already be free of secrets."""
    with session_scope() as session:
        session.execute(
            DL.update()
            .where(DL.c.id == delivery_id)
            .values(
                attempts=attempt,
                response_code=result.status_code,
                latency_ms=None if latency_ms is None else round(latency_ms, 2),
                error=None if result.ok else (result.error or "failed")[:2000],
            )
        )


def finish(delivery_id: int, alert_id: int, *, ok: bool, now: datetime, count: bool = True) -> None:
    """pending → delivered | failed, and the alert's counter (not for test sends).

    The alert's counter first, then the delivery (see the lock order)."""

    def transaction() -> None:
        with session_scope() as session:
            if count:
                counter = "delivered_count" if ok else "failed_count"
                session.execute(
                    AL.update().where(AL.c.id == alert_id).values({counter: AL.c[counter] + 1})
                )
            session.execute(
                DL.update()
                .where(DL.c.id == delivery_id)
                .values(status="delivered" if ok else "failed", delivered_at=now if ok else None)
            )

    with_retry(transaction, what="alert delivery end")


def fail_unfinished(
    *, reason: str, created_before: datetime | None = None, ids: list[int] | None = None
) -> int:
    """Mark deliveries still `pending` as failed: after a stop, or left by a dead process."""
    query = DL.update().where(DL.c.status == "pending")
    if created_before is not None:
        query = query.where(DL.c.created_at < created_before)
    if ids is not None:
        query = query.where(DL.c.id.in_(ids))
    with session_scope() as session:
        return session.execute(query.values(status="failed", error=reason)).rowcount or 0


def stale_before(now: datetime, minutes: float = 15) -> datetime:
    """Deliveries older than this cannot still be in anyone's retry loop."""
    return now - timedelta(minutes=minutes)
