"""Reading and restoring workflow versions, and who changed which workflows over a period.

Every save already writes a `WorkflowVersion` (see `workflow_versions.write_version`). A
rollback goes through `workflows.update_workflow`, like any other save, so validation, the
webhook secret handling and the `workflow.changed` event (the scheduler resyncs on it) all
happen the same way; it differs only in recording what it restored and why.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlmodel import Session, func, select

from app.core.errors import Problem, ValidationFailed
from app.core.versioning import field_diff, summarize_workflow_change
from app.db.engine import session_scope
from app.db.models import User, Workflow, WorkflowVersion
from app.services import workflows
from app.services.actor import Actor

MAX_REASON = 2000


def to_public(version: WorkflowVersion) -> dict[str, Any]:
    return {
        "id": version.id,
        "workflow_id": version.workflow_id,
        "version_number": version.version_number,
        "change_type": _change_type(version),
        "change_description": version.change_description,
        "change_summary": list(version.change_summary),
        "changed_by": version.created_by,
        "created_at": version.created_at.isoformat(),
        "restored_from": version.restored_from,
        "reason": version.reason,
        "definition": version.definition,
        "diff": version.diff,
    }


def _change_type(version: WorkflowVersion) -> str:
    if version.restored_from is not None:
        return "rolled_back"
    return "created" if version.version_number == 1 else "edited"


def _workflow(session: Session, workflow_id: int) -> Workflow:
    return workflows.get_row(session, workflow_id)


def list_versions(
    actor: Actor, workflow_id: int, *, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    """A page of a workflow's versions, newest first, with the total."""
    actor.require_member()
    with session_scope() as session:
        row = _workflow(session, workflow_id)
        total = session.exec(
            select(func.count()).where(WorkflowVersion.workflow_id == workflow_id)
        ).one()
        rows = session.exec(
            select(WorkflowVersion)
            .where(WorkflowVersion.workflow_id == workflow_id)
            .order_by(WorkflowVersion.version_number.desc())  # type: ignore[attr-defined]
            .offset(max(0, offset))
            .limit(min(max(1, limit), 500))
        ).all()
        items = [to_public(v) for v in rows]
        return {
            "workflow_id": workflow_id,
            "current_version": row.version,
            "items": items,
            "total": total,
            "limit": limit,
            "offset": offset,
        }


def get_version(actor: Actor, workflow_id: int, number: int) -> dict[str, Any]:
    actor.require_member()
    with session_scope() as session:
        _workflow(session, workflow_id)
        return to_public(workflows.load_version(session, workflow_id, number))


def compare(actor: Actor, workflow_id: int, a: int, b: int) -> dict[str, Any]:
    """What changed from version `a` to version `b`: a DeepDiff and the same in words."""
    actor.require_member()
    with session_scope() as session:
        _workflow(session, workflow_id)
        older = workflows.load_version(session, workflow_id, a)
        newer = workflows.load_version(session, workflow_id, b)
    return {
        "workflow_id": workflow_id,
        "a": to_public(older),
        "b": to_public(newer),
        "diff": field_diff(older.definition, newer.definition),
        "summary": summarize_workflow_change(older.definition, newer.definition),
    }


def rollback(actor: Actor, workflow_id: int, version_number: int, reason: str) -> dict[str, Any]:
    """Make version `version_number`'s definition current again, as a new version.

    The reason is required (who reads the history later needs the why). Rolling back to a
    definition identical to the current one is refused, since it would change nothing.
    Returns the workflow, the new version and (once) a webhook secret Flowdeck generated.
    """
    actor.require_member()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([Problem("reason", "say why you roll back (required)")])
    if len(reason) > MAX_REASON:
        raise ValidationFailed([Problem("reason", f"at most {MAX_REASON} characters")])
    with session_scope() as session:
        _workflow(session, workflow_id)
        definition = dict(workflows.load_version(session, workflow_id, version_number).definition)
    saved = workflows.update_workflow(
        actor,
        workflow_id,
        {**definition, "change_description": f"rolled back to version {version_number}"},
        audit_action="workflow.rolled_back",
        restored_from=version_number,
        reason=reason,
    )
    current = saved.workflow["version"]
    result: dict[str, Any] = {
        "workflow": saved.workflow,
        "version": get_version(actor, workflow_id, current),
    }
    if saved.webhook_secret:
        result["webhook_secret"] = saved.webhook_secret
    return result


def change_summary_report(
    actor: Actor, since: datetime | None = None, until: datetime | None = None, *, top: int = 10
) -> dict[str, Any]:
    """Workflow changes in `[since, until)`: how many, by whom, which workflows changed most.

    First versions count as creations; deleted workflows have no versions left to count.
    """
    actor.require_member()
    query = select(WorkflowVersion.workflow_id, WorkflowVersion.created_by, Workflow.name).join(
        Workflow, Workflow.id == WorkflowVersion.workflow_id
    )
    if since is not None:
        query = query.where(WorkflowVersion.created_at >= since)
    if until is not None:
        query = query.where(WorkflowVersion.created_at < until)
    with session_scope() as session:
        rows = session.exec(query).all()
        per_person = Counter(by for _, by, _ in rows)
        people = [by for by in per_person if by is not None]
        who = select(User.id, User.email).where(User.id.in_(people))  # type: ignore[union-attr]
        emails = dict(session.exec(who).all())
    per_workflow = Counter((wid, name) for wid, _, name in rows)
    return {
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        "total_changes": len(rows),
        "workflows_changed": len(per_workflow),
        "by_person": [
            {"user_id": by, "email": emails.get(by, "flowdeck") if by else "flowdeck", "changes": n}
            for by, n in per_person.most_common()
        ],
        "most_changed": [
            {"workflow_id": wid, "name": name, "changes": n}
            for (wid, name), n in per_workflow.most_common(top)
        ],
    }
