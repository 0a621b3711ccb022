"""Incidents for people and API keys: list, read, open, change (role checked, audited).

Admins and members read and change incidents; viewers only see `/status`. Every change is
one transaction with its audit row, then announced and mirrored like a step's
(`app.engine.incident_flow`): the answer says what each PagerDuty / Opsgenie mirror did, and a
refused mirror is on the incident's timeline but does not undo the change.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.core.errors import Problem, ValidationFailed
from app.core.incidents import SEVERITIES, STATUSES, Change, check_new
from app.engine import incident_flow, incidents
from app.services import audit
from app.services.actor import Actor

#: What a person may ask of an incident: `update` edits fields, the others are the buttons.
CHANGE_KINDS = ("update", "assign", "escalate", "acknowledge", "resolve", "reopen", "note")
LIST_STATUSES = ("active", *STATUSES)


def _audit(actor: Actor, action: str, **details: Any) -> incidents.OnWrite:
    def write(session: Session, incident: dict[str, Any]) -> None:
        audit.record(
            session,
            actor,
            action,
            target_type="incident",
            target_id=incident["id"],
            details={"title": incident["title"], **details},
        )

    return write


def list_incidents(
    actor: Actor,
    *,
    status: str | None = None,
    severity: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """Newest first; `status` `active` means open or acknowledged."""
    actor.require_member()
    problems = []
    if status is not None and status not in LIST_STATUSES:
        problems.append(Problem("status", f"must be one of {', '.join(LIST_STATUSES)}"))
    if severity is not None and severity not in SEVERITIES:
        problems.append(Problem("severity", f"must be one of {', '.join(SEVERITIES)}"))
    if not 1 <= limit <= 200 or offset < 0:
        problems.append(Problem("limit", "limit 1–200, offset ≥ 0"))
    if problems:
        raise ValidationFailed(problems)
    return incidents.list_incidents(status=status, severity=severity, limit=limit, offset=offset)


def get_incident(actor: Actor, incident_id: int) -> dict[str, Any]:
    actor.require_member()
    return incidents.get_incident(incident_id)


async def create_incident(
    actor: Actor,
    *,
    title: Any,
    description: Any = "",
    severity: Any = "high",
    assignee: Any = None,
    mirror: list[int | str] | None = None,
) -> dict[str, Any]:
    """Open an incident by hand (announced as `incident.opened`, mirrored if asked)."""
    actor.require_member()
    new = check_new(title=title, description=description, severity=severity, assignee=assignee)
    return await incident_flow.open_incident(
        new,
        by=actor.label,
        mirror=list(mirror or []),
        created_by=actor.user_id,
        on_write=_audit(actor, "incident.created", severity=new.severity.value),
    )


async def change_incident(
    actor: Actor, incident_id: int, *, kind: str = "update", **fields: Any
) -> dict[str, Any]:
    """Apply one change (`CHANGE_KINDS`); fields: title, description, severity, status,
    assignee, note (None: unchanged)."""
    actor.require_member()
    if kind not in CHANGE_KINDS:
        raise ValidationFailed([Problem("kind", f"must be one of {', '.join(CHANGE_KINDS)}")])
    asked = Change(kind=kind, **fields)
    return await incident_flow.change_incident(
        incident_id, asked, by=actor.label, on_write=_audit(actor, f"incident.{kind}")
    )
