"""`switch`: a branch on a value; its dependents follow `"<id>:<case>"` or `"<id>:default"`.

`value` and each case's match are rendered like any config (a whole `{{ expr }}` keeps its
type), then compared with `==`; the first case in the order written wins, none → `default`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from app.core.workflow import ActionConfig
from app.engine.actions import StepContext, action


class SwitchConfig(ActionConfig):
    """`cases`: output name → the value that selects it."""

    value: Any
    cases: dict[str, Any] = Field(min_length=1)

    @field_validator("cases")
    @classmethod
    def _names(cls, cases: dict[str, Any]) -> dict[str, Any]:
        for name in cases:
            if not name or ":" in name:
                raise ValueError(f'case name "{name}" must be non-empty and hold no colon')
        return cases


@action("switch", SwitchConfig, "Branch on a value: the matching case, or default")
async def run(step: StepContext, config: SwitchConfig) -> dict[str, Any]:
    chosen = next((name for name, match in config.cases.items() if match == config.value), None)
    return {"branch": chosen if chosen is not None else "default", "value": config.value}
