"""Every save of an orchestration is a version: its full definition, a DeepDiff, and words.

The words reuse the workflow summary (`app.core.versioning`) with calls in place of actions
("added call `login`", "changed `calls.login.url`", "moved call `b` before `a`"), plus the
orchestration's own settings ("mode sequential → parallel").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, select

from app.core.versioning import field_diff, summarize_workflow_change
from app.db.models import Orchestration, OrchestrationVersion
from app.services.actor import Actor

_SETTINGS = {"mode": "mode", "timeout_s": "timeout", "max_parallel": "max parallel"}


def _as_workflow(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The definition in the shape the workflow summary reads (calls as actions)."""
    shaped = {k: v for k, v in definition.items() if k not in ("calls", *_SETTINGS)}
    calls = definition.get("calls")
    shaped["actions"] = (
        [c for c in calls if isinstance(c, Mapping)] if isinstance(calls, list) else []
    )
    return shaped


def summarize_change(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[str]:
    """What a save changed, in words; `["created"]` for the first version, `[]` for none."""
    if before is None:
        return ["created"]
    words = [
        f"{label} {before.get(key)} → {after.get(key)}"
        for key, label in _SETTINGS.items()
        if before.get(key) != after.get(key)
    ]
    for word in summarize_workflow_change(_as_workflow(before), _as_workflow(after)):
        words.append(word.replace(" action `", " call `").replace("`actions.", "`calls."))
    return words


def _previous(session: Session, orchestration_id: int) -> dict[str, Any] | None:
    last = session.exec(
        select(OrchestrationVersion)
        .where(OrchestrationVersion.orchestration_id == orchestration_id)
        .order_by(OrchestrationVersion.version_number.desc())  # type: ignore[attr-defined]
        .limit(1)
    ).first()
    return last.definition if last else None


def write_version(
    session: Session,
    row: Orchestration,
    definition: dict[str, Any],
    actor: Actor,
    *,
    description: str = "",
    restored_from: int | None = None,
    reason: str | None = None,
) -> OrchestrationVersion:
    """Append the next version of `row` and move its version counter."""
    before = _previous(session, row.id or 0)
    number = 1 if before is None else row.version + 1
    version = OrchestrationVersion(
        orchestration_id=row.id or 0,
        version_number=number,
        definition=definition,
        diff={} if before is None else field_diff(before, definition),
        change_summary=summarize_change(before, definition),
        change_description=description[:2000],
        restored_from=restored_from,
        reason=reason,
        created_by=actor.user_id,
    )
    row.version = number
    session.add(version)
    return version
