"""`incident_update`: change an incident's title, description, severity, status or assignee,
or only add a note to its timeline. A status change to `resolved` announces
`incident.resolved`, a higher severity `incident.escalated`, a reopening `incident.opened`."""

from __future__ import annotations

from typing import Any

from app.core.incident_configs import IncidentUpdateConfig
from app.core.incidents import Change
from app.engine.actions import StepContext, action
from app.engine.actions.incident_steps import change


@action("incident_update", IncidentUpdateConfig, "Change an incident or add a note")
async def run(step: StepContext, config: IncidentUpdateConfig) -> dict[str, Any]:
    asked = Change(
        kind="update",
        title=config.title,
        description=config.description,
        severity=config.severity,
        status=config.status,
        assignee=config.assignee,
        note=config.note,
    )
    return await change(step, config.incident, asked)
