"""Reading, exporting and pruning the audit trail (admins only).

The trail is append-only: `audit.record` is the one writer, and `prune` here — removing rows
older than the retention period, itself audited — is the one delete. Lists page by id (newest
first, `cursor` = the last id seen), which stays correct while new rows arrive. Exports stream:
a generator runs one small keyset query per page and yields each page as text, so a huge range
never sits in memory, and rows written after the export started are not included.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import func, select

from app.core.errors import Problem, ValidationFailed
from app.core.ids import MAX_ID
from app.db.engine import session_scope
from app.db.models import AuditEvent
from app.db.portable import contains_text
from app.db.settings import get_settings
from app.db.types import utcnow
from app.services import audit
from app.services.actor import Actor

EXPORT_PAGE = 500
MAX_LIMIT = 500
MAX_RETENTION_DAYS = 36_500  # a hundred years; more would step past datetime's range
FORMATS = ("csv", "json")
COLUMNS = (
    "id",
    "at",
    "actor_type",
    "actor_id",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "ip",
    "user_agent",
    "details",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AuditFilter:
    """Which events: `actor` is a user id or part of the actor's label; `action` is exact or,
    ending in `*`, a prefix (`workflow.*`); `since` is inclusive, `until` exclusive."""

    actor: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    actions: tuple[str, ...] = ()  # any of these exact actions (original 004's event types)

    def as_dict(self) -> dict[str, Any]:
        values = {
            k: v.isoformat() if isinstance(v, datetime) else v for k, v in asdict(self).items()
        }
        return {k: v for k, v in values.items() if v not in (None, "", ())}


def _where(flt: AuditFilter) -> list[Any]:
    clauses: list[Any] = []
    if flt.actor:
        text = flt.actor.strip()
        if text.isascii() and text.isdigit() and int(text) <= MAX_ID:  # not "²", not 2**64
            clauses.append(AuditEvent.actor_id == int(text))
        else:
            clauses.append(contains_text(AuditEvent.actor_label, text))
    if flt.target_type:
        clauses.append(AuditEvent.target_type == flt.target_type)
    if flt.target_id:
        clauses.append(AuditEvent.target_id == str(flt.target_id))
    if flt.action:
        if flt.action.endswith("*"):
            prefix = flt.action.rstrip("*")
            clauses.append(AuditEvent.action.startswith(prefix, autoescape=True))  # type: ignore[attr-defined]
        else:
            clauses.append(AuditEvent.action == flt.action)
    if flt.actions:
        clauses.append(AuditEvent.action.in_(flt.actions))  # type: ignore[attr-defined]
    if flt.since is not None:
        clauses.append(AuditEvent.at >= flt.since)
    if flt.until is not None:
        clauses.append(AuditEvent.at < flt.until)
    return clauses


def _check_range(flt: AuditFilter) -> None:
    if flt.since and flt.until and flt.since >= flt.until:
        raise ValidationFailed([Problem("until", "must be after since")])


def to_public(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": event.at.isoformat(),
        "actor_type": event.actor_type,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "ip": event.ip,
        "user_agent": event.user_agent,
        "details": event.details,
    }


def _page(flt: AuditFilter, before_id: int | None, limit: int) -> list[AuditEvent]:
    """Up to `limit` matching events with an id below `before_id`, newest first."""
    query = select(AuditEvent).where(*_where(flt))
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)  # type: ignore[operator]
    with session_scope() as session:
        return list(session.exec(query.order_by(AuditEvent.id.desc()).limit(limit)))  # type: ignore[union-attr]


def list_events(
    actor: Actor, flt: AuditFilter | None = None, *, limit: int = 50, cursor: int | None = None
) -> dict[str, Any]:
    """One page of events, newest first; pass `next_cursor` back as `cursor` for the next."""
    actor.require_admin()
    return page_of(flt or AuditFilter(), limit=limit, cursor=cursor)


def page_of(flt: AuditFilter, *, limit: int, cursor: int | None) -> dict[str, Any]:
    """`list_events` without the role check: for callers that narrowed `flt` to what the
    actor may see (see `audit_trail`)."""
    _check_range(flt)
    limit = min(max(1, limit), MAX_LIMIT)
    rows = _page(flt, cursor, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [to_public(e) for e in rows],
        "next_cursor": rows[-1].id if more and rows else None,
        "limit": limit,
    }


def count_events(actor: Actor, flt: AuditFilter | None = None) -> int:
    """How many events match, e.g. to refuse a browser download that would be too big."""
    actor.require_admin()
    flt = flt or AuditFilter()
    _check_range(flt)
    query = select(func.count()).select_from(AuditEvent).where(*_where(flt))
    with session_scope() as session:
        return int(session.exec(query).one())


def export_events(actor: Actor, flt: AuditFilter | None = None, fmt: str = "csv") -> Iterator[str]:
    """The filtered events as CSV or a JSON array, yielded page by page.

    Permission, format and range are checked (and the export audited) before the first chunk,
    so a refused export fails as a whole rather than halfway through a download.
    """
    actor.require_admin()
    flt = flt or AuditFilter()
    _check_range(flt)
    if fmt not in FORMATS:
        raise ValidationFailed([Problem("format", f"must be csv or json, got {fmt!r}")])
    with session_scope() as session:
        newest = session.exec(select(func.max(AuditEvent.id))).one() or 0
        audit.record(
            session,
            actor,
            "audit.exported",
            target_type="audit",
            details={"format": fmt, **flt.as_dict()},
        )
    return _chunks(flt, fmt, newest + 1)


def _chunks(flt: AuditFilter, fmt: str, before_id: int) -> Iterator[str]:
    render = _csv_rows if fmt == "csv" else _json_rows
    first = True
    if fmt == "csv":
        yield _csv_line(COLUMNS)
    else:
        yield "["
    while rows := _page(flt, before_id, EXPORT_PAGE):
        yield render(rows, first)
        first, before_id = False, rows[-1].id or 0
    if fmt == "json":
        yield "]\n"


def _safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas (`=HYPERLINK(…)`) that a text field might carry."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv_line(values: Any) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()


def _csv_rows(rows: list[AuditEvent], _first: bool) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for event in rows:
        public = to_public(event)
        public["details"] = json.dumps(public["details"], sort_keys=True)
        writer.writerow([_safe_cell(public[c]) for c in COLUMNS])
    return buffer.getvalue()


def _json_rows(rows: list[AuditEvent], first: bool) -> str:
    body = ",\n".join(json.dumps(to_public(e), sort_keys=True) for e in rows)
    return ("\n" if first else ",\n") + body


def prune(actor: Actor, older_than_days: int | None = None, *, now: datetime | None = None) -> int:
    """Delete events older than the retention period; the one delete, and itself audited.

    Uses `FLOWDECK_AUDIT_RETENTION_DAYS` when `older_than_days` is not given; with neither set
    it refuses (422 at `older_than_days`) rather than guess an age. Returns how many rows went.
    """
    actor.require_admin()
    days = older_than_days if older_than_days is not None else get_settings().audit_retention_days
    if not isinstance(days, int) or not 1 <= days <= MAX_RETENTION_DAYS:
        message = (
            f"give a number of days from 1 to {MAX_RETENTION_DAYS}"
            " (or set FLOWDECK_AUDIT_RETENTION_DAYS)"
        )
        raise ValidationFailed([Problem("older_than_days", message)])
    cutoff = (now or utcnow()) - timedelta(days=days)
    with session_scope() as session:
        result = session.exec(sa.delete(AuditEvent).where(AuditEvent.at < cutoff))  # type: ignore[call-overload]
        deleted = int(result.rowcount or 0)
        audit.record(
            session,
            actor,
            "audit.pruned",
            target_type="audit",
            details={"older_than_days": days, "cutoff": cutoff.isoformat(), "deleted": deleted},
        )
    return deleted
