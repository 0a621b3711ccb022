"""Alert use cases shared by the UI and the REST API: create, change, list, delete, test.

Members and admins manage alerts. The body is checked by `app.alerts.spec` (every problem at
once, with paths) plus the checks that need the database here. A Slack or webhook URL
authorises posting, so it is stored encrypted in `config["channel_enc"]` and shown as a hint
(`https://hooks.slack.com/…••••1234`); a webhook's signing secret likewise. Neither is ever
returned, logged or audited — except a signing secret Flowdeck generates, which is returned
once, on the save that made it, so the receiver can be set up. Telegram and email take their
bot token and SMTP login from a connection (`connectionId`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

from sqlmodel import Session, col, func, select

from app.alerts import channel_types
from app.alerts.messages import probe_message, with_template
from app.alerts.records import Job, insert_delivery
from app.alerts.sending import deliver
from app.alerts.spec import CHANNEL_ENC, ENC_SUFFIX, FIELDS, AlertSpec, parse_alert, public_options
from app.alerts.storage import SIGNING, apply_spec, merged_body, stored_body
from app.core.errors import NotFound, Problem, ValidationFailed
from app.core.retry import NO_RETRY
from app.db.engine import session_scope
from app.db.models import Alert, AlertDelivery, Connection, User, Workflow
from app.db.settings import get_settings
from app.db.types import utcnow
from app.engine.bus import bus
from app.integrations.guard import OutboundBlocked, check_url
from app.services import audit
from app.services.actor import Actor

log = logging.getLogger("flowdeck.alerts")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def to_public(row: Alert, workflow_name: str | None = None) -> dict[str, Any]:
    """The alert as the API and UI show it: no URL that authorises posting, no secret."""
    config = row.config or {}
    return {
        "id": row.id,
        "name": row.name,
        "workflow_id": row.workflow_id,
        "workflow_name": workflow_name,
        "alert_type": row.alert_type,
        "channel": row.channel,
        "channel_is_secret": CHANNEL_ENC in config,
        "connection_id": row.connection_id,
        "events": list(row.events or []),
        "severity": row.severity,
        "min_severity": row.min_severity,
        "config": public_options(config),
        "has_signing_secret": SIGNING + ENC_SUFFIX in config,
        "is_active": row.is_active,
        "triggered_count": row.triggered_count,
        "delivered_count": row.delivered_count,
        "failed_count": row.failed_count,
        "last_triggered_at": _iso(row.last_triggered_at),
        "created_by": row.created_by,
        "created_at": _iso(row.created_at),
        "updated_at": _iso(row.updated_at),
    }


def delivery_public(row: AlertDelivery) -> dict[str, Any]:
    """A delivery as the API and UI show it (its message holds no secret)."""
    return {
        "id": row.id,
        "alert_id": row.alert_id,
        "execution_id": row.execution_id,
        "event": row.event,
        "status": row.status,
        "attempts": row.attempts,
        "occurrences": row.occurrences,
        "response_code": row.response_code,
        "latency_ms": row.latency_ms,
        "error": row.error,
        "message": row.message,
        "created_at": _iso(row.created_at),
        "delivered_at": _iso(row.delivered_at),
    }


def _row(session: Session, alert_id: int) -> Alert:
    row = session.get(Alert, alert_id)
    if row is None:
        raise NotFound(f"alert {alert_id} does not exist")
    return row


def _workflow_name(session: Session, workflow_id: int | None) -> str | None:
    row = session.get(Workflow, workflow_id) if workflow_id else None
    return row.name if row else None


def _check_references(session: Session, spec: AlertSpec, problems: list[Problem]) -> None:
    """What only the database knows: do the workflow, connection and recipients exist?"""
    ctype = spec.channel_type
    if spec.workflow_id and session.get(Workflow, spec.workflow_id) is None:
        problems.append(Problem("workflow_id", f"workflow {spec.workflow_id} does not exist"))
    conn = session.get(Connection, spec.connection_id) if spec.connection_id else None
    if spec.connection_id and conn is None:
        problems.append(Problem("connection_id", f"connection {spec.connection_id} does not exist"))
    elif conn is not None and ctype is not None and conn.platform not in ctype.platforms:
        need = " or ".join(ctype.platforms) or "no"
        problems.append(
            Problem("connection_id", f"is a {conn.platform} connection; {ctype.label} needs {need}")
        )
    elif (
        conn is not None
        and spec.alert_type == "telegram"
        and not spec.channel
        and not (conn.config or {}).get("default_chat_id")
    ):
        problems.append(Problem("channel", "required: a chat id (the connection has none)"))
    wanted = set(spec.options.get("recipients") or [])
    if wanted:
        found = set(session.exec(select(User.id).where(col(User.id).in_(wanted))).all())
        if missing := sorted(wanted - found):
            problems.append(Problem("config.recipients", f"no such user: {missing}"))
    if spec.channel_is_secret:
        try:
            check_url(spec.channel)
        except OutboundBlocked as exc:
            problems.append(Problem("channel", exc.message))


def _checked(session: Session, body: dict[str, Any]) -> AlertSpec:
    spec, problems = parse_alert(body)
    _check_references(session, spec, problems)
    if problems:
        raise ValidationFailed(problems)
    return spec


def _default_name(session: Session, spec: AlertSpec) -> str:
    label = spec.channel_type.label if spec.channel_type else "Alert"
    return f"{label} alert for {_workflow_name(session, spec.workflow_id) or 'all workflows'}"


def _with_secret(public: dict[str, Any], generated: str | None) -> dict[str, Any]:
    return public if generated is None else {**public, "signing_secret": generated}


def create_alert(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Check, encrypt, store, audit. A generated signing secret is in the answer, once."""
    actor.require_member()
    with session_scope() as session:
        spec = _checked(session, data)
        row = Alert(created_by=actor.user_id)
        generated = apply_spec(row, spec, default_name=_default_name(session, spec))
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            "alert.created",
            target_type="alert",
            target_id=row.id,
            details={
                "name": row.name,
                "alert_type": row.alert_type,
                "workflow_id": row.workflow_id,
                "connection_id": row.connection_id,
                "events": row.events,
                "severity": row.severity,
                "min_severity": row.min_severity,
            },
        )
        public = to_public(row, _workflow_name(session, row.workflow_id))
    log.info("alert %s (%s) created by %s", public["id"], public["alert_type"], actor.label)
    return _with_secret(public, generated)


def update_alert(actor: Actor, alert_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Change an alert; omitted keys (and omitted secrets) keep their value."""
    actor.require_member()
    with session_scope() as session:
        row = _row(session, alert_id)
        before = stored_body(row)
        spec = _checked(session, merged_body(row, data))
        after = {
            **{k: getattr(spec, k) for k in FIELDS if k not in ("config", "events")},
            "events": list(spec.events),
            "config": {**spec.options, **spec.secrets},
        }
        changed = [k for k in FIELDS if before[k] != after[k]]
        if not changed:
            return to_public(row, _workflow_name(session, row.workflow_id))
        generated = apply_spec(row, spec, default_name=_default_name(session, spec))
        row.updated_at = utcnow()
        session.add(row)
        audit.record(
            session,
            actor,
            "alert.updated",
            target_type="alert",
            target_id=row.id,
            details={"name": row.name, "changed": changed},
        )
        return _with_secret(to_public(row, _workflow_name(session, row.workflow_id)), generated)


def delete_alert(actor: Actor, alert_id: int) -> None:
    """Delete an alert and its deliveries (audited)."""
    actor.require_member()
    with session_scope() as session:
        row = _row(session, alert_id)
        audit.record(
            session,
            actor,
            "alert.deleted",
            target_type="alert",
            target_id=row.id,
            details={"name": row.name, "alert_type": row.alert_type},
        )
        session.delete(row)


def get_alert(actor: Actor, alert_id: int) -> dict[str, Any]:
    """One alert, secrets masked."""
    actor.require_member()
    with session_scope() as session:
        row = _row(session, alert_id)
        return to_public(row, _workflow_name(session, row.workflow_id))


def list_alerts(
    actor: Actor,
    *,
    workflow_id: int | None = None,
    alert_type: str | None = None,
    is_active: bool | None = None,
) -> list[dict[str, Any]]:
    """Alerts, newest first; `workflow_id` also matches alerts for all workflows."""
    actor.require_member()
    query = select(Alert).order_by(col(Alert.id).desc())
    if workflow_id is not None:
        query = query.where((Alert.workflow_id == workflow_id) | col(Alert.workflow_id).is_(None))
    if alert_type:
        query = query.where(Alert.alert_type == alert_type)
    if is_active is not None:
        query = query.where(Alert.is_active == is_active)
    with session_scope() as session:
        rows = session.exec(query).all()
        wanted = {row.workflow_id for row in rows if row.workflow_id}
        names = dict(
            session.exec(
                select(Workflow.id, Workflow.name).where(col(Workflow.id).in_(wanted))
            ).all()
        )
        tests = _test_counts(session, [row.id for row in rows if row.id is not None])
        return [
            {**to_public(row, names.get(row.workflow_id)), **tests.get(row.id, _NO_TESTS)}
            for row in rows
        ]


_NO_TESTS = {"test_delivered": 0, "test_failed": 0}


def _test_counts(session: Session, alert_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per alert, its "Send test" deliveries still kept, by outcome. The alert's own counters
    (`delivered_count`, `failed_count`) count what runs sent, never a test."""
    found: dict[int, dict[str, int]] = {}
    if not alert_ids:
        return found
    rows = session.exec(
        select(AlertDelivery.alert_id, AlertDelivery.status, func.count())
        .where(col(AlertDelivery.alert_id).in_(alert_ids), AlertDelivery.event == "test")
        .group_by(AlertDelivery.alert_id, AlertDelivery.status)  # type: ignore[arg-type]
    ).all()
    for alert_id, status, count in rows:
        counts = found.setdefault(alert_id, dict(_NO_TESTS))
        if status == "delivered":
            counts["test_delivered"] += count
        elif status == "failed":
            counts["test_failed"] += count
    return found


def list_deliveries(
    actor: Actor, alert_id: int, *, status: str | None = None, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    """The alert's deliveries, newest first."""
    actor.require_member()
    with session_scope() as session:
        _row(session, alert_id)
        where = [AlertDelivery.alert_id == alert_id]
        if status:
            where.append(AlertDelivery.status == status)
        total = session.exec(select(func.count()).select_from(AlertDelivery).where(*where)).one()
        rows = session.exec(
            select(AlertDelivery)
            .where(*where)
            .order_by(col(AlertDelivery.created_at).desc(), col(AlertDelivery.id).desc())
            .limit(limit)
            .offset(offset)
        ).all()
        items = [delivery_public(row) for row in rows]
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def _start_test(alert_id: int) -> Job:
    now = utcnow()
    with session_scope() as session:
        row = _row(session, alert_id)
        message = with_template(
            probe_message(
                alert_name=row.name,
                severity=row.severity,
                base_url=get_settings().base_url,
                at=now.isoformat(),
            ),
            (row.config or {}).get("message"),
            example=True,
        )
        delivery_id = insert_delivery(session, alert_id, message, now)
    return Job(delivery_id, alert_id, replace(message, delivery_id=delivery_id))


def _finish_test(actor: Actor, alert_id: int, delivery_id: int) -> dict[str, Any]:
    with session_scope() as session:
        row, delivery = _row(session, alert_id), session.get(AlertDelivery, delivery_id)
        assert delivery is not None
        audit.record(
            session,
            actor,
            "alert.tested",
            target_type="alert",
            target_id=alert_id,
            details={
                "name": row.name,
                "status": delivery.status,
                "response_code": delivery.response_code,
                "error": delivery.error,
            },
        )
        return delivery_public(delivery)


async def send_test(actor: Actor, alert_id: int) -> dict[str, Any]:
    """Send a test message now (one attempt) and answer with the delivery it recorded."""
    actor.require_member()
    job = await asyncio.to_thread(_start_test, alert_id)
    result = await deliver(
        job, policy=NO_RETRY, publish=bus.publish_nowait, clock=utcnow, count=False
    )
    delivery = await asyncio.to_thread(_finish_test, actor, alert_id, job.delivery_id)
    return {"ok": result.ok, **delivery}


def available_channels() -> list[dict[str, Any]]:
    """The channel types for forms: name, label, what they need."""
    return [
        {
            "name": c.name,
            "label": c.label,
            "description": c.description,
            "platforms": list(c.platforms),
            "needs_connection": c.needs_connection,
        }
        for c in channel_types().values()
    ]
