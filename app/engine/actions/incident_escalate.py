"""`incident_escalate`: raise an incident's severity one level (or to `severity`), optionally
reassigning it; announces `incident.escalated`. A resolved incident is refused."""

from __future__ import annotations

from typing import Any

from app.core.incident_configs import IncidentEscalateConfig
from app.core.incidents import Change
from app.engine.actions import StepContext, action
from app.engine.actions.incident_steps import change


@action("incident_escalate", IncidentEscalateConfig, "Raise an incident's severity")
async def run(step: StepContext, config: IncidentEscalateConfig) -> dict[str, Any]:
    asked = Change(
        kind="escalate", severity=config.severity, assignee=config.assignee, note=config.note
    )
    return await change(step, config.incident, asked)
