"""`incident_create`: open an incident (Admin → Incidents), optionally mirrored.

The incident is found again by `dedup_key` (default: one per run and step, the run being the
one a retried run retries, so neither a step's retry nor a retried run opens a second one).
Opening announces `incident.opened`. Output: the incident with `created` (false: it existed)
and `mirrored` (each PagerDuty / Opsgenie result).
"""

from __future__ import annotations

from typing import Any

from app.core.errors import InvalidInput, NotFound
from app.core.incident_configs import IncidentCreateConfig
from app.core.incidents import check_new
from app.engine import incident_flow
from app.engine.actions import StepContext, action
from app.engine.actions.incident_steps import acting_as, checked
from app.engine.failures import ActionFailed


@action("incident_create", IncidentCreateConfig, "Open an incident (optionally mirrored to "
        "PagerDuty / Opsgenie connections)")  # fmt: skip
async def run(step: StepContext, config: IncidentCreateConfig) -> dict[str, Any]:
    new = check_new(
        title=config.title,
        description=config.description,
        severity=config.severity,
        assignee=config.assignee,
    )
    run_id = (step.context.get("execution") or {}).get("retry_of") or step.execution_id
    key = config.dedup_key or f"run-{run_id}-{step.action_id}"
    try:
        result = await incident_flow.open_incident(
            new,
            by=acting_as(step),
            secrets=step.secrets,
            dedup_key=key,
            mirror=config.mirror,
            workflow_id=step.workflow_id,
            execution_id=step.execution_id,
        )
    except (NotFound, InvalidInput) as exc:
        raise ActionFailed(exc.message, kind="validation") from None
    return checked(result)
