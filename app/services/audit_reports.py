"""Audit reports (original 004): a workflow's summary, a person's activity, system statistics.

Periods are whole UTC calendar days: `days=7` is today and the six days before it, so every
`by_day` series has exactly `days` entries (days without events are zeros). `days` is 1..366.

Who may read what (checked here, so REST and the UI meet the same wall):
- `system_stats`: admins only.
- `workflow_summary`: admins only (it names everyone who changed and ran the workflow; #16:
  "admins only, members see their own activity"); an unknown workflow is a 404.
- `user_activity`: admins any user (unknown user 404); anyone else only themselves (403 for
  another id, whether or not it exists, so a member cannot probe which ids are people).

Speed at millions of rows: nothing here walks the table. Counts are index range counts on the
audit trail's composite indexes (`action, at`; `actor_id, at`; `actor_id, action, at`;
`target_type, target_id, at`): the distinct actions or actors come from a loose index scan (a
recursive CTE that hops from one key to the next), each count is one range of one index, and
each day of a series is one range of `at`. See bench/audit_reports.py for the timings.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from app.core.errors import NotFound, PermissionDenied, Problem, ValidationFailed
from app.core.statuses import Role
from app.db.engine import session_scope
from app.db.models import AuditEvent, Execution, User, Workflow
from app.db.types import UTCDateTime, utcnow
from app.services.actor import Actor

MIN_DAYS, MAX_DAYS = 1, 366
RECENT = 20  # rows in a `recent` / `last_changes` list
TOP = 10  # people in `most_active`
IP_SAMPLE = 500  # the newest failed logins whose addresses make `recent_ips`
FAILED_LOGIN = "auth.login_failed"
# Every `workflow.*` action on a workflow is a change of it except these (they read or run it).
NOT_CHANGES = frozenset({"workflow.run", "workflow.exported"})
RUN = "workflow.run"

_AT = {"lo": UTCDateTime(), "hi": UTCDateTime()}


def check_days(days: Any) -> int:
    """`days` as an int in 1..366, else a 422 at `days`."""
    if isinstance(days, bool) or not isinstance(days, int) or not MIN_DAYS <= days <= MAX_DAYS:
        raise ValidationFailed(
            [Problem("days", f"give a whole number from {MIN_DAYS} to {MAX_DAYS}")]
        )
    return days


def period_of(days: int, now: datetime | None = None) -> tuple[datetime, datetime, list[datetime]]:
    """(start, end, day starts): `days` UTC calendar days ending with today's (end = now)."""
    now = now or utcnow()
    today = datetime.combine(now.astimezone(UTC).date(), time(), tzinfo=UTC)
    starts = [today - timedelta(days=days - 1 - i) for i in range(days)]
    return starts[0], now, starts


def _period_public(days: int, start: datetime, end: datetime) -> dict[str, Any]:
    return {"days": days, "start": start.isoformat(), "end": end.isoformat(), "granularity": "day"}


# --- the index-backed building blocks -------------------------------------------------------


def _loose_scan(session: Session, column: str, where: str, params: dict[str, Any]) -> list[Any]:
    """The distinct non-null values of `column` among rows matching `where` (an index prefix),
    by hopping from each value to the next one in the index: one seek per distinct value."""
    sql = sa.text(
        f"WITH RECURSIVE v(x) AS ("
        f" SELECT (SELECT min({column}) FROM audit_event WHERE {where})"
        f" UNION ALL SELECT (SELECT min({column}) FROM audit_event"
        f" WHERE {where} AND {column} > v.x)"
        f" FROM v WHERE v.x IS NOT NULL)"
        f" SELECT x FROM v WHERE x IS NOT NULL"
    )
    return [row[0] for row in session.connection().execute(sql, params)]


def _counts_by(
    session: Session, column: str, values: list[Any], where: str, params: dict[str, Any]
) -> dict[Any, int]:
    """For each value: how many rows have it and match `where` in [lo, hi) (one range each)."""
    if not values:
        return {}
    selects = []
    bound: dict[str, Any] = {}
    for n, value in enumerate(values):
        bound[f"v{n}"] = value
        selects.append(
            f"SELECT {n} AS n, count(*) AS c FROM audit_event WHERE {where} AND {column} = :v{n}"
            " AND at >= :lo AND at < :hi"
        )
    counts: dict[Any, int] = {}
    for chunk in range(0, len(selects), 400):  # SQLite takes up to 500 selects in a compound
        sql = sa.text(" UNION ALL ".join(selects[chunk : chunk + 400])).bindparams(
            *(sa.bindparam(k, type_=t) for k, t in _AT.items())
        )
        for n, c in session.connection().execute(sql, {**params, **bound}):
            counts[values[int(n)]] = int(c)
    return counts


def _by_day(
    session: Session,
    starts: list[datetime],
    end: datetime,
    where: str = "1 = 1",
    params: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """One count per day (one range of an `at` index each), every day present."""
    bounds = [*starts, max(end, starts[-1])]
    counts: dict[int, int] = {}
    for first in range(0, len(starts), 400):  # SQLite takes up to 500 selects in a compound
        days = range(first, min(first + 400, len(starts)))
        sql = sa.text(
            " UNION ALL ".join(
                f"SELECT {n} AS n, count(*) AS c FROM audit_event WHERE {where}"
                f" AND at >= :b{n} AND at < :b{n + 1}"
                for n in days
            )
        ).bindparams(*(sa.bindparam(f"b{n}", type_=UTCDateTime()) for n in [*days, days[-1] + 1]))
        values = {f"b{n}": bounds[n] for n in [*days, days[-1] + 1]}
        rows = session.connection().execute(sql, {**(params or {}), **values})
        counts |= {int(n): int(c) for n, c in rows}
    return [{"day": s.date().isoformat(), "count": counts.get(n, 0)} for n, s in enumerate(starts)]


def _sorted_counts(counts: dict[str, int], key: str) -> list[dict[str, Any]]:
    ordered = sorted(((v, k) for k, v in counts.items() if v), key=lambda x: (-x[0], x[1]))
    return [{key: k, "count": v} for v, k in ordered]


def _event(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "at": row.at.isoformat(),
        "actor_id": row.actor_id,
        "actor_label": row.actor_label,
        "action": row.action,
        "target_type": row.target_type,
        "target_id": row.target_id,
        "ip": row.ip,
        "summary": summarize(row.action, row.details or {}),
    }


def summarize(action: str, details: dict[str, Any]) -> str:
    """One line saying what an audit row did, from its (already redacted) details."""
    parts: list[str] = []
    if details.get("restored_from") is not None:
        parts.append(f"restored version {details['restored_from']}")
        if details.get("reason"):
            parts.append(f"because: {str(details['reason'])[:120]}")
    elif details.get("version") is not None:
        parts.append(f"version {details['version']}")
    if details.get("name") and not parts:
        parts.append(str(details["name"])[:120])
    if details.get("trigger_type"):
        parts.append(f"by {details['trigger_type']}")
    if action == FAILED_LOGIN and details.get("reason"):
        parts.append(str(details["reason"]))
    if isinstance(details.get("known_device"), bool):
        parts.append("known device" if details["known_device"] else "new device")
    return ", ".join(parts)


# --- the three reports ----------------------------------------------------------------------


def system_stats(actor: Actor, *, days: int = 30, now: datetime | None = None) -> dict[str, Any]:
    """Events by type and by day, the most active people and the failed sign-ins (admins)."""
    actor.require_admin()
    days = check_days(days)
    start, end, starts = period_of(days, now)
    window = {"lo": start, "hi": end + timedelta(microseconds=1)}
    with session_scope() as session:
        actions = _loose_scan(session, "action", "1 = 1", {})
        by_type = _counts_by(session, "action", actions, "1 = 1", window)
        by_day = _by_day(session, starts, window["hi"])
        people = _loose_scan(session, "actor_id", "actor_id IS NOT NULL", {})
        per_person = _counts_by(session, "actor_id", people, "1 = 1", window)
        top = sorted(((c, i) for i, c in per_person.items() if c), key=lambda x: (-x[0], x[1]))
        labels = _labels(session, [i for _, i in top[:TOP]])
        failed = _failed_logins(session, starts, window)
    return {
        "period": _period_public(days, start, end),
        "total_events": sum(by_type.values()),
        "by_type": _sorted_counts(by_type, "action"),
        "by_day": by_day,
        "most_active": [
            {"actor_id": i, "actor_label": labels.get(i, f"user {i}"), "count": c}
            for c, i in top[:TOP]
        ],
        "failed_logins": failed,
    }


def _labels(session: Session, user_ids: list[int]) -> dict[int, str]:
    """A person's label: their email now, else (a removed account) their newest audit label."""
    if not user_ids:
        return {}
    rows = session.exec(select(User.id, User.email).where(User.id.in_(user_ids)))  # type: ignore[union-attr]
    labels = {int(i): e for i, e in rows}
    for user_id in user_ids:
        if user_id not in labels:
            newest = session.exec(
                select(AuditEvent.actor_label)
                .where(AuditEvent.actor_id == user_id)
                .order_by(AuditEvent.at.desc())  # type: ignore[union-attr]
                .limit(1)
            ).first()
            labels[user_id] = newest or f"user {user_id}"
    return labels


def _failed_logins(
    session: Session, starts: list[datetime], window: dict[str, Any]
) -> dict[str, Any]:
    in_window = (
        AuditEvent.action == FAILED_LOGIN,
        AuditEvent.at >= window["lo"],
        AuditEvent.at < window["hi"],
    )
    newest = (
        session.connection()
        .execute(
            sa.select(AuditEvent.at, AuditEvent.ip, AuditEvent.details)
            .where(*in_window)
            .order_by(AuditEvent.at.desc())  # type: ignore[union-attr]
            .limit(IP_SAMPLE)
        )
        .all()
    )
    ips: Counter[str] = Counter(e.ip or "unknown" for e in newest)
    last_at: dict[str, str] = {}
    for e in newest:
        last_at.setdefault(e.ip or "unknown", e.at.isoformat())
    by_day = _by_day(session, starts, window["hi"], "action = :a", {"a": FAILED_LOGIN})
    return {
        "count": sum(d["count"] for d in by_day),  # the days cover the whole window
        "by_day": by_day,
        "recent_ips": [
            {"ip": ip, "count": n, "last_at": last_at[ip]} for ip, n in ips.most_common(TOP)
        ],
        "recent": [
            {
                "at": e.at.isoformat(),
                "ip": e.ip,
                "email": str((e.details or {}).get("email", ""))[:320],
                "reason": str((e.details or {}).get("reason", ""))[:64],
            }
            for e in newest[:RECENT]
        ],
    }


def user_activity(
    actor: Actor, user_id: int, *, days: int = 30, now: datetime | None = None
) -> dict[str, Any]:
    """A person's actions: by action, by day and the newest (admins: anyone; others: self)."""
    if actor.role != Role.ADMIN and (actor.user_id is None or actor.user_id != user_id):
        raise PermissionDenied("you may see only your own activity")
    days = check_days(days)
    start, end, starts = period_of(days, now)
    window = {"lo": start, "hi": end + timedelta(microseconds=1)}
    with session_scope() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"user {user_id} does not exist")
        params = {"uid": user_id}
        actions = _loose_scan(session, "action", "actor_id = :uid", params)
        by_action = _counts_by(session, "action", actions, "actor_id = :uid", {**params, **window})
        by_day = _by_day(session, starts, window["hi"], "actor_id = :uid", params)
        recent = session.exec(
            select(AuditEvent)
            .where(
                AuditEvent.actor_id == user_id,
                AuditEvent.at >= window["lo"],
                AuditEvent.at < window["hi"],
            )
            .order_by(AuditEvent.at.desc())  # type: ignore[union-attr]
            .limit(RECENT)
        )
        return {
            "user_id": user_id,
            "user": {"id": user_id, "email": user.email, "name": user.name, "role": user.role},
            "period": _period_public(days, start, end),
            "total_events": sum(by_action.values()),
            "by_action": _sorted_counts(by_action, "action"),
            "by_day": by_day,
            "recent": [_event(e) for e in recent],
        }


def workflow_summary(
    actor: Actor, workflow_id: int, *, days: int = 30, now: datetime | None = None
) -> dict[str, Any]:
    """Who changed and ran a workflow, how often, and its last changes (admins only).

    `changes` counts every `workflow.*` audit row on it except runs and exports; `runs` counts
    its executions started in the period, whatever started them (schedule, webhook, a person);
    `by_actor[].runs` are the runs a person started (audited as `workflow.run`), and
    `other_runs` the rest.
    """
    actor.require_admin()
    days = check_days(days)
    start, end, _ = period_of(days, now)
    hi = end + timedelta(microseconds=1)
    target = (
        AuditEvent.target_type == "workflow",
        AuditEvent.target_id == str(workflow_id),
        AuditEvent.at >= start,
        AuditEvent.at < hi,
    )
    with session_scope() as session:
        workflow = session.get(Workflow, workflow_id)
        if workflow is None:
            raise NotFound(f"workflow {workflow_id} does not exist")
        grouped = session.exec(
            select(AuditEvent.actor_label, AuditEvent.action, sa.func.count())
            .where(*target)
            .group_by(AuditEvent.actor_label, AuditEvent.action)
        ).all()
        runs = session.exec(
            select(sa.func.count())
            .select_from(Execution)
            .where(
                Execution.workflow_id == workflow_id,
                Execution.started_at >= start,  # type: ignore[operator]
                Execution.started_at < hi,  # type: ignore[operator]
            )
        ).one()
        last = session.exec(
            select(AuditEvent)
            .where(*target, AuditEvent.action.not_in(NOT_CHANGES))  # type: ignore[attr-defined]
            .order_by(AuditEvent.at.desc())  # type: ignore[union-attr]
            .limit(RECENT)
        ).all()
        people: dict[str, dict[str, Any]] = {}
        actions: Counter[str] = Counter()
        for label, action, count in grouped:
            entry = people.setdefault(label, {"actor_label": label, "changes": 0, "runs": 0})
            if action == RUN:
                entry["runs"] += int(count)
            elif action.startswith("workflow.") and action not in NOT_CHANGES:
                entry["changes"] += int(count)
                actions[action] += int(count)
        by_actor = sorted(
            (p for p in people.values() if p["changes"] or p["runs"]),
            key=lambda p: (-(p["changes"] + p["runs"]), p["actor_label"]),
        )
        by_hand = sum(p["runs"] for p in by_actor)
        return {
            "workflow_id": workflow_id,
            "workflow": {"id": workflow_id, "name": workflow.name},
            "period": _period_public(days, start, end),
            "changes": sum(actions.values()),
            "runs": int(runs),
            "other_runs": max(0, int(runs) - by_hand),
            "by_action": _sorted_counts(dict(actions), "action"),
            "by_actor": by_actor,
            "last_changes": [
                {
                    "at": e.at.isoformat(),
                    "actor_label": e.actor_label,
                    "action": e.action,
                    "summary": summarize(e.action, e.details or {}),
                }
                for e in last
            ],
        }


def find_person(actor: Actor, text: str) -> int | None:
    """The user an Audit filter names (admins): a user id, an email, or a unique part of one."""
    actor.require_admin()
    text = text.strip()[:320]
    if not text:
        return None
    with session_scope() as session:
        if text.isascii() and text.isdigit() and len(text) <= 18:
            return int(text) if session.get(User, int(text)) is not None else None
        exact = session.exec(select(User.id).where(sa.func.lower(User.email) == text.lower()))
        if (found := exact.first()) is not None:
            return int(found)
        core = text.lower().replace("%", "").replace("_", "")
        if not core:
            return None
        like = f"%{core}%"
        matches = session.exec(
            select(User.id).where(sa.func.lower(User.email).like(like)).limit(2)
        ).all()
        return int(matches[0]) if len(matches) == 1 else None
