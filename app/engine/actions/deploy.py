"""`deploy`: deploy a ref through GitHub Actions (`workflow_dispatch`), a GitLab pipeline
trigger or a deploy hook (`app.engine.deploying`). Output: what was started (GitLab: the
pipeline's id and URL; GitHub answers 204 without a run id)."""

from __future__ import annotations

from typing import Any

from app.core.ops_configs import DeployConfig
from app.engine.actions import StepContext, action
from app.engine.deploying import dispatch


@action("deploy", DeployConfig, "Deploy a ref (GitHub Actions, GitLab pipeline or deploy hook)")
async def run(step: StepContext, config: DeployConfig) -> dict[str, Any]:
    return await dispatch(step, config, ref=config.ref, action="deploy")
