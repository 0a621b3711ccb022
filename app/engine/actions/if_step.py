"""`if`: a branch on a condition; its dependents follow `"<id>:true"` or `"<id>:false"`.

The condition is written like a step's own `condition` (`steps.fetch.output.status == 200`,
`{{ }}` optional) and evaluated by the runner in the render thread, under the step's budget
(see `ActionType.expressions`), so the action only sees True or False.
"""

from __future__ import annotations

from typing import Any

from pydantic import field_validator

from app.core.templates import check_condition
from app.core.workflow import ActionConfig
from app.engine.actions import StepContext, action


class IfConfig(ActionConfig):
    """`condition`: an expression; true takes the `true` output, false the `false` one."""

    condition: bool | str

    @field_validator("condition")
    @classmethod
    def _compiles(cls, value: bool | str) -> bool | str:
        if isinstance(value, str):
            if not value.strip():
                raise ValueError("required")
            if problem := check_condition(value):
                raise ValueError(problem)
        return value


@action("if", IfConfig, "Branch on a condition: true or false", expressions=("condition",))
async def run(step: StepContext, config: IfConfig) -> dict[str, Any]:
    chosen = bool(config.condition)
    return {"branch": "true" if chosen else "false", "condition": chosen}
