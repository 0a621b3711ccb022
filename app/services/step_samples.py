"""Sample data for writing templates: a workflow's pinned trigger payload, the last run's data,
and the paths a step can read (the variable picker).

The pinned payload (`workflow.sample_payload`) is what a person wants steps tried with, as in
n8n; without one, the last run's trigger payload stands in. Step outputs come from the latest
runs' stored steps, which were masked and capped when they were written. Blocking: call from a
thread (the UI and the API do).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from app.core.errors import Problem, ValidationFailed
from app.core.json_depth import nests_deeper_than
from app.core.template_paths import ancestors, variable_tree
from app.db.engine import session_scope
from app.db.models import Execution, ExecutionStep
from app.services import audit
from app.services.actor import Actor
from app.services.workflows import get_row

MAX_SAMPLE_BYTES = 64 * 1024
MAX_SAMPLE_DEPTH = 32
RUNS_LOOKED_AT = 10  # the latest runs whose stored step outputs the picker reads


@dataclass(frozen=True)
class Samples:
    """What a step would see: the trigger payload (and where it came from), earlier outputs."""

    trigger: dict[str, Any]
    source: str  # "pinned", "last_run" or "none"
    execution_id: int | None = None
    outputs: dict[str, Any] = field(default_factory=dict)


def check_sample(payload: Any, path: str = "sample_payload") -> dict[str, Any]:
    """`payload` if it is a JSON object within the bounds, else `ValidationFailed`."""
    if not isinstance(payload, dict):
        raise ValidationFailed([Problem(path, "must be a JSON object")])
    try:
        raw = json.dumps(payload, ensure_ascii=False).encode()
    except (TypeError, ValueError) as exc:
        raise ValidationFailed([Problem(path, f"is not JSON: {exc}")]) from exc
    if len(raw) > MAX_SAMPLE_BYTES:
        message = f"is {len(raw)} bytes; at most {MAX_SAMPLE_BYTES} bytes"
        raise ValidationFailed([Problem(path, message)])
    if nests_deeper_than(raw, MAX_SAMPLE_DEPTH):
        raise ValidationFailed([Problem(path, f"nests deeper than {MAX_SAMPLE_DEPTH} levels")])
    return payload


def set_sample_payload(actor: Actor, workflow_id: int, payload: Any) -> dict[str, Any]:
    """Pin `payload` as the workflow's sample trigger payload (audited with its size only)."""
    actor.require_member()
    checked = check_sample(payload)
    with session_scope() as session:
        row = get_row(session, workflow_id)
        row.sample_payload = checked
        session.add(row)
        audit.record(
            session,
            actor,
            "workflow.sample_pinned",
            target_type="workflow",
            target_id=workflow_id,
            details={"keys": len(checked), "bytes": len(json.dumps(checked))},
        )
    return {"workflow_id": workflow_id, "sample_payload": checked}


def clear_sample_payload(actor: Actor, workflow_id: int) -> None:
    actor.require_member()
    with session_scope() as session:
        row = get_row(session, workflow_id)
        if row.sample_payload is None:
            return
        row.sample_payload = None
        session.add(row)
        audit.record(
            session,
            actor,
            "workflow.sample_cleared",
            target_type="workflow",
            target_id=workflow_id,
        )


def get_sample_payload(actor: Actor, workflow_id: int) -> dict[str, Any] | None:
    actor.require_member()
    with session_scope() as session:
        return get_row(session, workflow_id).sample_payload


def last_run_payload(actor: Actor, workflow_id: int) -> dict[str, Any] | None:
    """The trigger payload of the workflow's latest run (as stored: masked), or None."""
    actor.require_member()
    with session_scope() as session:
        get_row(session, workflow_id)
        run = _latest_run(session, workflow_id)
        return dict(run.trigger_payload or {}) if run is not None else None


def _latest_run(session: Session, workflow_id: int) -> Execution | None:
    return session.exec(
        select(Execution)
        .where(Execution.workflow_id == workflow_id)
        .order_by(col(Execution.id).desc())
        .limit(1)
    ).first()


def _latest_outputs(session: Session, workflow_id: int) -> dict[str, Any]:
    """Per step, its newest stored output among the latest runs that succeeded."""
    runs = select(Execution.id).where(Execution.workflow_id == workflow_id)
    runs = runs.order_by(col(Execution.id).desc()).limit(RUNS_LOOKED_AT)
    rows = session.exec(
        select(ExecutionStep.action_id, ExecutionStep.output)
        .where(col(ExecutionStep.execution_id).in_(runs.scalar_subquery()))
        .where(ExecutionStep.status == "succeeded")
        .order_by(col(ExecutionStep.execution_id).desc())
    ).all()
    outputs: dict[str, Any] = {}
    for action_id, output in rows:
        if output is not None:
            outputs.setdefault(action_id, output)
    return outputs


def load_samples(session: Session, workflow_id: int) -> Samples:
    row = get_row(session, workflow_id)
    run = _latest_run(session, workflow_id)
    outputs = _latest_outputs(session, workflow_id) if run is not None else {}
    run_id = run.id if run is not None else None
    if row.sample_payload is not None:
        return Samples(dict(row.sample_payload), "pinned", run_id, outputs)
    if run is not None:
        return Samples(dict(run.trigger_payload or {}), "last_run", run_id, outputs)
    return Samples({}, "none", None, outputs)


def variable_paths(
    actor: Actor,
    workflow_id: int | None,
    step_id: str,
    *,
    actions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The paths step `step_id` can read, from the pinned sample or the last run (bounded).

    `actions`: the steps as the form holds them now (unsaved edits); default: as saved. A
    workflow not saved yet (`workflow_id` None) has no samples: only the names are listed.
    """
    actor.require_member()
    samples = Samples({}, "none")
    if workflow_id is not None:
        with session_scope() as session:
            samples = load_samples(session, workflow_id)
            if actions is None:
                actions = list(get_row(session, workflow_id).actions or [])
    earlier = ancestors(actions or [], step_id)
    entries = variable_tree(samples.trigger, samples.outputs, earlier)
    return {
        "workflow_id": workflow_id,
        "step_id": step_id,
        "source": samples.source,
        "execution_id": samples.execution_id,
        "paths": [e.as_dict() for e in entries],
    }
