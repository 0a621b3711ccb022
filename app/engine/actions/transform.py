"""`transform`: set named values, usually from templates (already rendered by the runner)."""

from __future__ import annotations

from typing import Any

from app.core.config_models import TransformConfig
from app.engine.actions import StepContext, action


@action("transform", TransformConfig, "Compute named values from templates")
async def run(step: StepContext, config: TransformConfig) -> dict[str, Any]:
    return dict(config.values)
