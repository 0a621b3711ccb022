"""One workflow's changes over a period (original 004's `change-summary?days=30`).

Counted from its versions (every save that changed the definition writes one): how many, by
whom, per UTC day (every day of the period present), and the last ones with what they
changed. Admins and members may read it (as the version history); an unknown workflow is a 404.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import select

from app.db.engine import session_scope
from app.db.models import User, WorkflowVersion
from app.services import workflows
from app.services.actor import Actor
from app.services.audit_reports import RECENT, check_days, period_of

_FLOWDECK = "flowdeck"  # who saved a version no person saved (a template, an import by the system)


def _kind(version: WorkflowVersion) -> str:
    if version.restored_from is not None:
        return "rolled_back"
    return "created" if version.version_number == 1 else "edited"


def change_summary(
    actor: Actor, workflow_id: int, *, days: int = 30, now: datetime | None = None
) -> dict[str, Any]:
    """The versions of `workflow_id` saved in the last `days` UTC days, summed up."""
    actor.require_member()
    days = check_days(days)
    start, end, starts = period_of(days, now)
    hi = end + timedelta(microseconds=1)
    with session_scope() as session:
        row = workflows.get_row(session, workflow_id)
        versions = list(
            session.exec(
                select(WorkflowVersion)
                .where(
                    WorkflowVersion.workflow_id == workflow_id,
                    WorkflowVersion.created_at >= start,  # type: ignore[operator]
                    WorkflowVersion.created_at < hi,  # type: ignore[operator]
                )
                .order_by(WorkflowVersion.version_number.desc())  # type: ignore[attr-defined]
            )
        )
        people = {v.created_by for v in versions if v.created_by is not None}
        who = select(User.id, User.email).where(User.id.in_(people))  # type: ignore[union-attr]
        emails: dict[int, str] = dict(session.exec(who).all())  # type: ignore[arg-type]
        name, current = row.name, row.version
    per_day = Counter(v.created_at.date().isoformat() for v in versions)
    per_person = Counter(v.created_by for v in versions)
    kinds = Counter(_kind(v) for v in versions)
    return {
        "workflow_id": workflow_id,
        "workflow": {"id": workflow_id, "name": name, "current_version": current},
        "period": {"days": days, "start": start.isoformat(), "end": end.isoformat()},
        "total_changes": len(versions),
        "by_type": [{"change_type": k, "count": n} for k, n in kinds.most_common()],
        "by_person": [
            {
                "user_id": uid,
                "email": emails.get(uid, _FLOWDECK) if uid else _FLOWDECK,
                "changes": n,
            }
            for uid, n in per_person.most_common()
        ],  # fmt: skip
        "by_day": [
            {"day": d.date().isoformat(), "count": per_day.get(d.date().isoformat(), 0)}
            for d in starts
        ],
        "last_changes": [
            {
                "version_number": v.version_number,
                "changed_at": v.created_at.isoformat(),
                "changed_by": v.created_by,
                "email": emails.get(v.created_by, _FLOWDECK) if v.created_by else _FLOWDECK,
                "change_type": _kind(v),
                "change_description": v.change_description,
                "change_summary": list(v.change_summary),
                "restored_from": v.restored_from,
                "reason": v.reason,
            }
            for v in versions[:RECENT]
        ],
    }
