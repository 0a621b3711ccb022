"""`incident_assign`: give an incident to a person (empty text unassigns)."""

from __future__ import annotations

from typing import Any

from app.core.incident_configs import IncidentAssignConfig
from app.core.incidents import Change
from app.engine.actions import StepContext, action
from app.engine.actions.incident_steps import change


@action("incident_assign", IncidentAssignConfig, "Assign an incident to a person")
async def run(step: StepContext, config: IncidentAssignConfig) -> dict[str, Any]:
    asked = Change(kind="assign", assignee=config.assignee, note=config.note)
    return await change(step, config.incident, asked)
