"""The original 004 document's audit vocabulary in Flowdeck's terms (pure, no I/O).

004 filters its audit trail by `event_types=workflow_created,workflow_executed` and by
`start_date` / `end_date`. Flowdeck records audit actions such as `workflow.created` and
`workflow.run`; this maps one onto the other and reads the dates, so the REST layer can
serve 004's lines as written.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from app.core.errors import Problem, ValidationFailed

#: 004's event type -> the audit actions Flowdeck records for it.
EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "workflow_created": (
        "workflow.created",
        "workflow.created_from_template",
        "workflow.imported",
    ),
    "workflow_updated": ("workflow.updated",),
    "workflow_deleted": ("workflow.deleted",),
    "workflow_enabled": ("workflow.resumed",),
    "workflow_disabled": ("workflow.paused",),
    "workflow_executed": ("workflow.run",),
    "workflow_rolled_back": ("workflow.rolled_back",),
    "workflow_exported": ("workflow.exported",),
}
#: Flowdeck's own action names are accepted too.
_OWN = {action for actions in EVENT_TYPES.values() for action in actions}
#: 004 names Flowdeck does not record in its audit trail, and where to look instead.
NOT_AUDITED = {
    "workflow_failed": "failed runs are in the executions and in the error statistics",
    "action_executed": "steps are in each execution's steps",
    "action_failed": "failed steps are in the error statistics",
    "action_retried": "retries are in each step's attempts",
}
MAX_TYPES = 20
_TYPE = re.compile(r"^[a-z_.]{1,64}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def event_type_of(action: str) -> str | None:
    """004's name of a Flowdeck audit action, if it has one."""
    return next((name for name, actions in EVENT_TYPES.items() if action in actions), None)


def actions_of(text: str | None, path: str = "event_types") -> tuple[str, ...]:
    """The audit actions of a comma-separated list of 004 event types (or Flowdeck actions).

    Empty means no filter. Every unknown name is reported, by name, in one 422.
    """
    names = [part.strip() for part in (text or "").split(",") if part.strip()]
    if len(names) > MAX_TYPES:
        raise ValidationFailed([Problem(path, f"at most {MAX_TYPES} event types")])
    actions: list[str] = []
    problems: list[Problem] = []
    for name in names:
        if name in EVENT_TYPES:
            actions.extend(EVENT_TYPES[name])
        elif name in _OWN:
            actions.append(name)
        elif name in NOT_AUDITED:
            problems.append(Problem(path, f"{name!r} is not an audit event: {NOT_AUDITED[name]}"))
        else:
            shown = name if _TYPE.match(name) else name[:64].encode("unicode_escape").decode()
            known = ", ".join(EVENT_TYPES)
            problems.append(Problem(path, f"unknown event type {shown!r}; known: {known}"))
    if problems:
        raise ValidationFailed(problems)
    return tuple(dict.fromkeys(actions))


def day_or_time(text: str | None, path: str, *, end: bool = False) -> datetime | None:
    """A `start_date` / `end_date`: an ISO date or time (UTC when it has no zone).

    A date alone is the start of that UTC day; as an `end` it includes that whole day (the
    result is the next midnight, used as an exclusive bound).
    """
    if text is None or text == "":
        return None
    try:
        if _DAY.match(text):
            day = date.fromisoformat(text)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return moment + timedelta(days=1) if end else moment
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except (ValueError, OverflowError):
        raise ValidationFailed(
            [Problem(path, "give an ISO date (2025-01-31) or time (2025-01-31T12:00:00Z)")]
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
