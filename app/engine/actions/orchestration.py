"""`orchestration`: run an API orchestration as one step and hand on what its calls did.

`{orchestration_id, inputs}` (templates allowed in `inputs`, rendered like any step config).
The run is opened, run (`app.engine.orchestration_runner.run_calls`) and recorded call by call
by the orchestration service (`app.services.orchestration_runs.record_run`, which installs
itself in `app.engine.orchestration_step_runs`: the engine does not import services), with
`trigger: "workflow"` and this execution's id, so it is listed with the orchestration's other
runs. The run masks with the execution's secrets, and the credentials its calls load join
them, so this execution's stored steps mask them too.

Output: `{run_id, status, calls: {<id>: {status, status_code, extracted, body}}}` (bodies
capped to 64 KB). The step fails when the run failed (a call failed that was not allowed to,
or the run timed out); a `partial` run succeeds. A missing, paused or no longer valid
orchestration fails the step before anything runs.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from app.core.ids import MAX_ID
from app.core.workflow import ActionConfig
from app.engine import orchestration_step_runs as step_runs
from app.engine.actions import StepContext, action
from app.engine.failures import ActionFailed


class OrchestrationConfig(ActionConfig):
    """Which orchestration to run and the inputs its templates see as `inputs`."""

    orchestration_id: int = Field(ge=1, le=MAX_ID, description="The orchestration to run")
    inputs: dict[str, Any] = Field(default_factory=dict, description="Its `inputs`")


@action("orchestration", OrchestrationConfig, "Run an API orchestration")
async def run(step: StepContext, config: OrchestrationConfig) -> dict[str, Any]:
    run_id, record = await step_runs.record_run(
        config.orchestration_id,
        config.inputs,
        trigger="workflow",
        execution_id=step.execution_id,
        secrets=step.secrets,
    )
    output = {
        "run_id": run_id,
        "status": record.status,
        "calls": {call.id: call.output() for call in record.calls},
    }
    if record.status == "failed":
        raise ActionFailed(
            f"orchestration run {run_id} failed: {record.error}", kind="error", output=output
        )
    return output
