"""Incidents: the closed sets, the rules of a change and the timeline. Pure.

An incident has a severity (`low` < `medium` < `high` < `critical`), a status (`open` →
`acknowledged` → `resolved`; a resolved one may be reopened) and a timeline: one entry per
change, newest last, capped at `MAX_TIMELINE` (the first entry, the opening, is always kept).

`plan_change` takes the incident as it is and what a person or a step asks for and returns
the fields to set, the timeline entry and the internal events to publish
(`incident.opened`, `incident.escalated`, `incident.resolved`, always `incident.updated`), or
raises `InvalidInput` / `Conflict` naming the field. The store applies it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from app.core.errors import Conflict, Problem, ValidationFailed

MAX_TITLE = 300
MAX_DESCRIPTION = 10_000
MAX_ASSIGNEE = 320
MAX_NOTE = 4_000
MAX_KEY = 200
MAX_TIMELINE = 200
MAX_MIRRORS = 5


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class IncidentStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


SEVERITIES = tuple(s.value for s in Severity)
STATUSES = tuple(s.value for s in IncidentStatus)
_MOVES: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    IncidentStatus.OPEN: frozenset({IncidentStatus.ACKNOWLEDGED, IncidentStatus.RESOLVED}),
    IncidentStatus.ACKNOWLEDGED: frozenset({IncidentStatus.OPEN, IncidentStatus.RESOLVED}),
    IncidentStatus.RESOLVED: frozenset({IncidentStatus.OPEN}),
}


def parse_severity(value: Any, path: str = "severity") -> Severity:
    text = str(value or "").strip().lower()
    if text not in SEVERITIES:
        raise ValidationFailed([Problem(path, f"must be one of {', '.join(SEVERITIES)}")])
    return Severity(text)


def parse_status(value: Any, path: str = "status") -> IncidentStatus:
    text = str(value or "").strip().lower()
    if text not in STATUSES:
        raise ValidationFailed([Problem(path, f"must be one of {', '.join(STATUSES)}")])
    return IncidentStatus(text)


def next_severity(current: Severity) -> Severity:
    """One level up; `critical` stays `critical`."""
    order = list(Severity)
    return order[min(order.index(current) + 1, len(order) - 1)]


def _text(value: Any, path: str, limit: int, *, required: bool = False) -> str:
    if value is not None and not isinstance(value, str):
        raise ValidationFailed([Problem(path, "must be text")])
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed([Problem(path, "required")])
    if len(text) > limit:
        raise ValidationFailed([Problem(path, f"at most {limit} characters")])
    return text


@dataclass(frozen=True)
class NewIncident:
    """A checked request to open an incident."""

    title: str
    description: str = ""
    severity: Severity = Severity.HIGH
    assignee: str | None = None


def check_new(
    *, title: Any, description: Any = "", severity: Any = "high", assignee: Any = None
) -> NewIncident:
    """Every field of a new incident checked; all problems at once."""
    problems: list[Problem] = []
    checked: dict[str, Any] = {}
    for name, check in (
        ("title", lambda: _text(title, "title", MAX_TITLE, required=True)),
        ("description", lambda: _text(description, "description", MAX_DESCRIPTION)),
        ("severity", lambda: parse_severity(severity)),
        ("assignee", lambda: _text(assignee, "assignee", MAX_ASSIGNEE) or None),
    ):
        try:
            checked[name] = check()
        except ValidationFailed as exc:
            problems += exc.problems
    if problems:
        raise ValidationFailed(problems)
    return NewIncident(**checked)


@dataclass(frozen=True)
class Change:
    """What is asked of an existing incident; `None` leaves a field as it is.

    `kind` names the request for the timeline: `update`, `assign`, `escalate`, `acknowledge`,
    `resolve`, `reopen`, `note`. `escalate` without a severity goes one level up.
    """

    kind: str = "update"
    title: str | None = None
    description: str | None = None
    severity: str | None = None
    status: str | None = None
    assignee: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Plan:
    """What applying a change does: fields to set, the timeline entry, events to publish."""

    fields: dict[str, Any]
    entry: dict[str, Any]
    events: tuple[str, ...] = field(default_factory=tuple)

    @property
    def changed(self) -> bool:
        return bool(self.fields) or bool(self.entry.get("text"))


def plan_change(current: dict[str, Any], change: Change, *, by: str, at: str) -> Plan:
    """The result of `change` on `current` (`severity`, `status`, `assignee`, …)."""
    fields: dict[str, Any] = {}
    problems: list[Problem] = []
    try:
        if change.title is not None:
            fields["title"] = _text(change.title, "title", MAX_TITLE, required=True)
        if change.description is not None:
            fields["description"] = _text(change.description, "description", MAX_DESCRIPTION)
        if change.assignee is not None:
            fields["assignee"] = _text(change.assignee, "assignee", MAX_ASSIGNEE) or None
        note = _text(change.note, "note", MAX_NOTE)
    except ValidationFailed as exc:
        problems += exc.problems
        note = ""
    old_severity = Severity(current["severity"])
    old_status = IncidentStatus(current["status"])
    severity, status = old_severity, old_status
    try:
        if change.kind == "escalate":
            if old_status == IncidentStatus.RESOLVED:
                raise Conflict("a resolved incident cannot be escalated: reopen it first")
            severity = (
                parse_severity(change.severity) if change.severity else next_severity(old_severity)
            )
            if list(Severity).index(severity) < list(Severity).index(old_severity):
                raise ValidationFailed(
                    [Problem("severity", f"escalating cannot lower {old_severity.value}")]
                )
        elif change.severity is not None:
            severity = parse_severity(change.severity)
        asked = parse_status(change.status) if change.status is not None else None
        target = {"resolve": "resolved", "acknowledge": "acknowledged", "reopen": "open"}.get(
            change.kind, asked
        )
        if target is not None:
            status = parse_status(target)
            if status != old_status and status not in _MOVES[old_status]:
                raise Conflict(f"an incident {old_status.value} cannot become {status.value}")
    except ValidationFailed as exc:
        problems += exc.problems
    if problems:
        raise ValidationFailed(problems)
    if change.kind in ("resolve", "acknowledge", "reopen") and status == old_status:
        note = ""  # asked again (a retried step): nothing happens, not even the note
    if severity != old_severity:
        fields["severity"] = severity.value
    if status != old_status:
        fields["status"] = status.value
    fields = {k: v for k, v in fields.items() if current.get(k) != v}
    events: list[str] = []
    if "severity" in fields and list(Severity).index(severity) > list(Severity).index(old_severity):
        events.append("incident.escalated")
    if fields.get("status") == "resolved":
        events.append("incident.resolved")
    if fields.get("status") == "open":
        events.append("incident.opened")  # reopened
    if fields or note:
        events.append("incident.updated")
    entry = {
        "at": at,
        "kind": change.kind,
        "by": by,
        "text": describe(current, fields, note),
        "changes": {k: [current.get(k), v] for k, v in fields.items() if k != "description"},
    }
    return Plan(fields=fields, entry=entry, events=tuple(events))


def describe(current: dict[str, Any], fields: dict[str, Any], note: str) -> str:
    """The timeline's sentence for a change (`severity high → critical; assigned to ana`)."""
    words = []
    for key in ("status", "severity"):
        if key in fields:
            words.append(f"{key} {current.get(key)} → {fields[key]}")
    if "assignee" in fields:
        words.append(f"assigned to {fields['assignee']}" if fields["assignee"] else "unassigned")
    if "title" in fields:
        words.append("title changed")
    if "description" in fields:
        words.append("description changed")
    text = "; ".join(words)
    if note:
        text = f"{text}: {note}" if text else note
    return text


def opening_entry(new: NewIncident, *, by: str, at: str) -> dict[str, Any]:
    text = f"opened ({new.severity.value})"
    if new.assignee:
        text += f", assigned to {new.assignee}"
    return {"at": at, "kind": "open", "by": by, "text": text, "changes": {}}


def appended(timeline: list[dict[str, Any]], entry: dict[str, Any]) -> list[dict[str, Any]]:
    """`timeline` with `entry` added, at most `MAX_TIMELINE` long (the opening kept)."""
    grown = [*timeline, entry]
    if len(grown) <= MAX_TIMELINE:
        return grown
    return [grown[0], *grown[len(grown) - MAX_TIMELINE + 1 :]]
