"""`rollback`: deploy the previous ref again, the same way `deploy` deploys (a deploy hook is
told `"action": "rollback"`)."""

from __future__ import annotations

from typing import Any

from app.core.ops_configs import RollbackConfig
from app.engine.actions import StepContext, action
from app.engine.deploying import dispatch


@action("rollback", RollbackConfig, "Roll back: deploy the previous ref again")
async def run(step: StepContext, config: RollbackConfig) -> dict[str, Any]:
    return await dispatch(step, config, ref=config.previous_ref, action="rollback")
