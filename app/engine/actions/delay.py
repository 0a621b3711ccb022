"""`delay`: wait a number of seconds (cancellable)."""

from __future__ import annotations

import asyncio
from typing import Any

from app.core.config_models import DelayConfig
from app.engine.actions import StepContext, action


@action("delay", DelayConfig, "Wait a number of seconds")
async def run(step: StepContext, config: DelayConfig) -> dict[str, Any]:
    await asyncio.sleep(config.seconds)
    return {"waited_s": config.seconds}
