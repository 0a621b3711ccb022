"""`ci_run`: run the tests: start CI on a ref (GitHub Actions or GitLab) and poll for the
result; a failed run fails the step with the run's URL. The step holds its slot while it
polls (at most `timeout_s`); for longer runs, dispatch with `deploy` and wait for the CI's
webhook with a `wait` step."""

from __future__ import annotations

from typing import Any

from app.core.ops_configs import CiRunConfig
from app.engine.actions import StepContext, action
from app.engine.deploying import run_ci


@action("ci_run", CiRunConfig, "Run tests: trigger CI and wait for its result")
async def run(step: StepContext, config: CiRunConfig) -> dict[str, Any]:
    return await run_ci(step, config)
