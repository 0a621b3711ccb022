"""`sub_workflow`: run another workflow as a child execution, linked both ways.

`{workflow_id, payload, wait}`. The child is queued through the engine's `submit` with its
parent's execution id, this step's id and its depth (the parent's + 1); the child's
`{{ trigger }}` is `payload`. With `wait: false` the step ends at once with
`{"execution_id"}`; with `wait: true` (the default) it returns a `child` suspension and the
engine resolves it when the child ends: `{"execution_id", "status", "steps": {...}}`, or the
step fails when the child did not succeed.

A chain deeper than `MAX_DEPTH` fails the step (the last guard against a loop written with a
templated `workflow_id`; literal loops are refused when the workflow is saved, see
`app.services.sub_workflows`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from pydantic import Field

from app.core.ids import MAX_ID
from app.core.workflow import ActionConfig
from app.db.engine import get_engine
from app.db.models import Execution, Workflow
from app.engine import offload, runtime
from app.engine.actions import StepContext, Suspend, action
from app.engine.failures import ActionFailed

MAX_DEPTH = 10
TRIGGER_TYPE = "sub_workflow"

_EX = Execution.__table__  # type: ignore[attr-defined]
_WF = Workflow.__table__  # type: ignore[attr-defined]


class SubWorkflowConfig(ActionConfig):
    """The workflow to run, the payload its run sees as `trigger`, and whether to wait."""

    workflow_id: int = Field(ge=1, le=MAX_ID, description="The id of the workflow to run")
    payload: dict[str, Any] = Field(default_factory=dict, description="The child's `trigger`")
    wait: bool = Field(True, description="Wait for the child to end and take its outputs")


@dataclass(frozen=True)
class Child:
    execution_id: int
    workflow_id: int
    workflow_name: str


def _start_child(step: StepContext, config: SubWorkflowConfig) -> Child:
    """Check the target and the depth, then queue the child (on the engine's writer thread)."""
    with get_engine().connect() as conn:
        parent = conn.execute(
            sa.select(_EX.c.depth, _EX.c.created_by).where(_EX.c.id == step.execution_id)
        ).first()
        target = conn.execute(
            sa.select(_WF.c.id, _WF.c.name, _WF.c.is_active, _WF.c.version, _WF.c.priority).where(
                _WF.c.id == config.workflow_id
            )
        ).first()
    depth = (parent.depth if parent is not None else 0) + 1
    if depth > MAX_DEPTH:
        raise ActionFailed(
            f"sub-workflow depth limit: a child run here would be {depth} levels deep "
            f"(at most {MAX_DEPTH})",
            kind="validation",
        )
    if target is None:
        raise ActionFailed(f"workflow {config.workflow_id} does not exist", kind="validation")
    if not target.is_active:
        raise ActionFailed(
            f"workflow {target.name!r} (id {target.id}) is paused; resume it to run it here",
            kind="validation",
        )
    execution_id, _ = runtime.current().submit(
        target.id,
        workflow_version=target.version,
        priority=target.priority,
        trigger_type=TRIGGER_TYPE,
        payload=config.payload,
        created_by=parent.created_by if parent is not None else None,
        parent_execution_id=step.execution_id,
        parent_step=step.action_id,
        depth=depth,
    )
    return Child(execution_id, target.id, target.name)


@action("sub_workflow", SubWorkflowConfig, "Run another workflow as a child execution")
async def run(step: StepContext, config: SubWorkflowConfig) -> Suspend | dict[str, Any]:
    # Reading the target and inserting the child are database work: the writer thread, in
    # order with the engine's own writes (the parent's wait row comes after the child's row).
    child = await offload.db(_start_child, step, config)
    if not config.wait:
        return {"execution_id": child.execution_id}
    return Suspend(
        kind="child",
        child_execution_id=child.execution_id,
        details={
            "execution_id": child.execution_id,
            "workflow_id": child.workflow_id,
            "workflow_name": child.workflow_name,
        },
    )
