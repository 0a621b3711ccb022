"""Incident rows: open, change and read them (blocking; callers run these in a thread).

The rules are `app.core.incidents`; this module applies them in one transaction each and
returns the incident's public view. `on_write(session, incident)` lets a service add its audit
row to the same transaction. Publishing the internal events and mirroring to PagerDuty /
Opsgenie happen after the commit (`app.engine.incident_flow`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app.core.errors import InvalidInput, NotFound
from app.core.incidents import (
    MAX_KEY,
    MAX_MIRRORS,
    STATUSES,
    Change,
    NewIncident,
    Plan,
    appended,
    opening_entry,
    plan_change,
)
from app.db.engine import session_scope
from app.db.models import Connection, Incident
from app.db.types import utcnow
from app.integrations.credentials import find_row

MIRROR_PLATFORMS = ("pagerduty", "opsgenie")
OnWrite = Callable[[Session, dict[str, Any]], None]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def public(row: Incident, *, timeline: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": row.id,
        "title": row.title,
        "description": row.description,
        "severity": row.severity,
        "status": row.status,
        "assignee": row.assignee,
        "dedup_key": row.dedup_key,
        "mirrors": list(row.mirrors or []),
        "workflow_id": row.workflow_id,
        "execution_id": row.execution_id,
        "created_by": row.created_by,
        "created_at": _iso(row.created_at),
        "updated_at": _iso(row.updated_at),
        "acknowledged_at": _iso(row.acknowledged_at),
        "resolved_at": _iso(row.resolved_at),
        "url": f"/admin/incidents/{row.id}",
    }
    if timeline:
        data["timeline"] = list(row.timeline or [])
    return data


def find(session: Session, ref: int | str) -> Incident:
    """An incident by id, or by the dedup key a step opened it with."""
    row: Incident | None = None
    if isinstance(ref, int) and not isinstance(ref, bool):
        row = session.get(Incident, ref)
    elif isinstance(ref, str) and ref.strip():
        text = ref.strip()
        row = session.exec(select(Incident).where(Incident.dedup_key == text)).first()
        if row is None and text.isdigit():
            row = session.get(Incident, int(text))
    if row is None:
        raise NotFound(f"incident {ref!r} does not exist")
    return row


def mirror_targets(session: Session, refs: list[int | str]) -> list[dict[str, Any]]:
    """The PagerDuty / Opsgenie connections named by `refs` (checked: they exist, right kind)."""
    if len(refs) > MAX_MIRRORS:
        raise InvalidInput(f"mirror: at most {MAX_MIRRORS} connections")
    targets: list[dict[str, Any]] = []
    for ref in refs:
        row: Connection = find_row(session, ref)
        if row.platform not in MIRROR_PLATFORMS:
            raise InvalidInput(
                f"mirror: connection {row.name!r} is {row.platform}, not PagerDuty or Opsgenie"
            )
        if all(t["connection_id"] != row.id for t in targets):
            targets.append({"connection_id": row.id, "name": row.name, "platform": row.platform})
    return targets


def open_incident(
    new: NewIncident,
    *,
    by: str,
    dedup_key: str | None = None,
    mirror: list[int | str] | None = None,
    workflow_id: int | None = None,
    execution_id: int | None = None,
    created_by: int | None = None,
    on_write: OnWrite | None = None,
) -> tuple[dict[str, Any], bool]:
    """A new incident, or the one already opened under `dedup_key` (then `False`)."""
    key = (dedup_key or "").strip() or None
    if key is not None and len(key) > MAX_KEY:
        raise InvalidInput(f"dedup_key: at most {MAX_KEY} characters")
    if key is not None:
        with session_scope() as session:
            found = session.exec(select(Incident).where(Incident.dedup_key == key)).first()
            if found is not None:
                return public(found), False
    now = utcnow()
    try:
        with session_scope() as session:
            row = Incident(
                title=new.title,
                description=new.description,
                severity=new.severity.value,
                status="open",
                assignee=new.assignee,
                dedup_key=key,
                timeline=[opening_entry(new, by=by, at=now.isoformat())],
                mirrors=mirror_targets(session, list(mirror or [])),
                workflow_id=workflow_id,
                execution_id=execution_id,
                created_by=created_by,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            data = public(row)
            if on_write is not None:
                on_write(session, data)
    except IntegrityError:  # the same key opened at the same moment: that one is the incident
        if key is None:
            raise
        with session_scope() as session:
            return public(find(session, key)), False
    return data, True


def change_incident(
    ref: int | str, change: Change, *, by: str, on_write: OnWrite | None = None
) -> tuple[dict[str, Any], dict[str, Any], Plan]:
    """Apply `change`; returns the incident before and after, and what the change did."""
    with session_scope() as session:
        row = find(session, ref)
        before = public(row, timeline=False)
        now = utcnow()
        plan = plan_change(before, change, by=by, at=now.isoformat())
        if not plan.changed:
            return before, public(row), plan
        for key, value in plan.fields.items():
            setattr(row, key, value)
        if plan.fields.get("status") == "acknowledged":
            row.acknowledged_at = now
        if plan.fields.get("status") == "resolved":
            row.resolved_at = now
        if plan.fields.get("status") == "open":
            row.resolved_at = None
        row.timeline = appended(list(row.timeline or []), plan.entry)
        row.updated_at = now
        session.add(row)
        session.flush()
        after = public(row)
        if on_write is not None:
            on_write(session, after)
    return before, after, plan


def record_mirroring(incident_id: int, results: list[dict[str, Any]], *, by: str) -> dict:
    """Store each mirror's last result and a timeline entry for the ones that failed."""
    with session_scope() as session:
        row = find(session, incident_id)
        by_id = {r["connection_id"]: r for r in results}
        row.mirrors = [{**m, **by_id.get(m["connection_id"], {})} for m in row.mirrors or []]
        timeline = list(row.timeline or [])
        for result in results:
            if not result["ok"]:
                text = f"{result['name']}: {result['step']} not mirrored: {result['error']}"
                entry = {"at": utcnow().isoformat(), "kind": "mirror", "by": by, "text": text}
                timeline = appended(timeline, {**entry, "changes": {}})
        row.timeline = timeline
        session.add(row)
        session.flush()
        return public(row)


def list_incidents(
    *, status: str | None = None, severity: str | None = None, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    """Newest first; open and acknowledged ones when `status` is `active`."""
    with session_scope() as session:
        query = select(Incident)
        if status == "active":
            query = query.where(col(Incident.status).in_([s for s in STATUSES if s != "resolved"]))
        elif status:
            query = query.where(Incident.status == status)
        if severity:
            query = query.where(Incident.severity == severity)
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = session.exec(
            query.order_by(col(Incident.id).desc()).offset(offset).limit(limit)
        ).all()
        items = [public(r, timeline=False) for r in rows]
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def get_incident(ref: int | str) -> dict[str, Any]:
    with session_scope() as session:
        return public(find(session, ref))
