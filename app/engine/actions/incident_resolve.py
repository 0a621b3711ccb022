"""`incident_resolve`: resolve an incident (`note` says how); announces `incident.resolved`.
Resolving one already resolved changes nothing (not even the note) and succeeds."""

from __future__ import annotations

from typing import Any

from app.core.incident_configs import IncidentResolveConfig
from app.core.incidents import Change
from app.engine.actions import StepContext, action
from app.engine.actions.incident_steps import change


@action("incident_resolve", IncidentResolveConfig, "Resolve an incident")
async def run(step: StepContext, config: IncidentResolveConfig) -> dict[str, Any]:
    return await change(step, config.incident, Change(kind="resolve", note=config.note))
