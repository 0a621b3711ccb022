"""Reading and restoring orchestration versions.

Every save writes an `OrchestrationVersion` (`orchestration_versions.write_version`). A
rollback goes through `orchestrations.update_orchestration` like any other save (validation,
audit, the `orchestration.changed` event), recording what it restored and why. A version
saved before migration 0005 may hold calls a run would refuse: restoring it is refused with
every problem's path, like any save.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, func, select

from app.core.errors import NotFound, Problem, ValidationFailed
from app.core.versioning import field_diff
from app.db.engine import session_scope
from app.db.models import OrchestrationVersion
from app.services import orchestration_versions, orchestrations
from app.services.actor import Actor

MAX_REASON = 2000


def to_public(version: OrchestrationVersion) -> dict[str, Any]:
    if version.restored_from is not None:
        change_type = "rolled_back"
    else:
        change_type = "created" if version.version_number == 1 else "edited"
    return {
        "id": version.id,
        "orchestration_id": version.orchestration_id,
        "version_number": version.version_number,
        "change_type": change_type,
        "change_description": version.change_description,
        "change_summary": list(version.change_summary),
        "changed_by": version.created_by,
        "created_at": version.created_at.isoformat(),
        "restored_from": version.restored_from,
        "reason": version.reason,
        "definition": version.definition,
        "diff": version.diff,
    }


def load_version(session: Session, orchestration_id: int, number: int) -> OrchestrationVersion:
    version = session.exec(
        select(OrchestrationVersion).where(
            OrchestrationVersion.orchestration_id == orchestration_id,
            OrchestrationVersion.version_number == number,
        )
    ).first()
    if version is None:
        raise NotFound(f"orchestration {orchestration_id} has no version {number}")
    return version


def list_versions(
    actor: Actor, orchestration_id: int, *, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    """A page of an orchestration's versions, newest first, with the total."""
    orchestrations.require_reader(actor)
    where = OrchestrationVersion.orchestration_id == orchestration_id
    with session_scope() as session:
        row = orchestrations.get_row(session, orchestration_id)
        total = session.exec(select(func.count()).where(where)).one()
        rows = session.exec(
            select(OrchestrationVersion)
            .where(where)
            .order_by(OrchestrationVersion.version_number.desc())  # type: ignore[attr-defined]
            .offset(max(0, offset))
            .limit(min(max(1, limit), 500))
        ).all()
        return {
            "orchestration_id": orchestration_id,
            "current_version": row.version,
            "items": [to_public(v) for v in rows],
            "total": total,
            "limit": limit,
            "offset": offset,
        }


def get_version(actor: Actor, orchestration_id: int, number: int) -> dict[str, Any]:
    orchestrations.require_reader(actor)
    with session_scope() as session:
        orchestrations.get_row(session, orchestration_id)
        return to_public(load_version(session, orchestration_id, number))


def compare(actor: Actor, orchestration_id: int, a: int, b: int) -> dict[str, Any]:
    """What changed from version `a` to version `b`: a DeepDiff and the same in words."""
    orchestrations.require_reader(actor)
    with session_scope() as session:
        orchestrations.get_row(session, orchestration_id)
        older = load_version(session, orchestration_id, a)
        newer = load_version(session, orchestration_id, b)
        return {
            "orchestration_id": orchestration_id,
            "a": to_public(older),
            "b": to_public(newer),
            "diff": field_diff(older.definition, newer.definition),
            "summary": orchestration_versions.summarize_change(older.definition, newer.definition),
        }


def rollback(
    actor: Actor, orchestration_id: int, version_number: int, reason: str
) -> dict[str, Any]:
    """Make a version's definition current again, as a new version (a reason is required).

    Rolling back to a definition identical to the current one is refused (409).
    """
    actor.require_member()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([Problem("reason", "say why you roll back (required)")])
    if len(reason) > MAX_REASON:
        raise ValidationFailed([Problem("reason", f"at most {MAX_REASON} characters")])
    with session_scope() as session:
        orchestrations.get_row(session, orchestration_id)
        definition = dict(load_version(session, orchestration_id, version_number).definition)
    saved = orchestrations.update_orchestration(
        actor,
        orchestration_id,
        {**definition, "change_description": f"rolled back to version {version_number}"},
        audit_action="orchestration.rolled_back",
        restored_from=version_number,
        reason=reason,
    )
    return {
        "orchestration": saved,
        "version": get_version(actor, orchestration_id, saved["version"]),
    }
