"""Every save of a workflow is a version with its full definition and a diff."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from app.core.versioning import field_diff, summarize_workflow_change
from app.db.models import Workflow, WorkflowVersion
from app.services.actor import Actor


def previous_definition(session: Session, workflow_id: int) -> dict[str, Any] | None:
    last = session.exec(
        select(WorkflowVersion)
        .where(WorkflowVersion.workflow_id == workflow_id)
        .order_by(WorkflowVersion.version_number.desc())  # type: ignore[attr-defined]
        .limit(1)
    ).first()
    return last.definition if last else None


def write_version(
    session: Session,
    row: Workflow,
    definition: dict[str, Any],
    actor: Actor,
    *,
    description: str = "",
    restored_from: int | None = None,
    reason: str | None = None,
) -> WorkflowVersion:
    """Append the next version of `row` and move its version counter."""
    before = previous_definition(session, row.id or 0)
    number = 1 if before is None else row.version + 1
    diff = {} if before is None else field_diff(before, definition)
    version = WorkflowVersion(
        workflow_id=row.id or 0,
        version_number=number,
        definition=definition,
        diff=diff,
        change_summary=summarize_workflow_change(before, definition),
        change_description=description[:2000],
        restored_from=restored_from,
        reason=reason,
        created_by=actor.user_id,
    )
    row.version = number
    session.add(version)
    return version
