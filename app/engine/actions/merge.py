"""`merge`: one output from the outputs of the steps it depends on.

`object`: `{<step id>: <output>}`; `append`: one list, each dependency's list output extended
(any other output added as one item), in the order `depends_on` lists them. Dependencies that
did not succeed (skipped: the branch not taken; or a tolerated failure) are left out, so a
`none_failed` merge after an `if` holds the side that ran.
"""

from __future__ import annotations

from typing import Any, Literal

from app.core.workflow import ActionConfig
from app.engine.actions import StepContext, action


class MergeConfig(ActionConfig):
    mode: Literal["object", "append"] = "object"


def _succeeded(step: StepContext) -> list[tuple[str, Any]]:
    results = step.context.get("steps", {})
    return [
        (step_id, results[step_id].get("output"))
        for step_id in step.depends_on
        if results.get(step_id, {}).get("status") == "succeeded"
    ]


@action("merge", MergeConfig, "Merge the outputs of the steps it depends on")
async def run(step: StepContext, config: MergeConfig) -> Any:
    outputs = _succeeded(step)
    if config.mode == "object":
        return dict(outputs)
    merged: list[Any] = []
    for _, output in outputs:
        if isinstance(output, list):
            merged.extend(output)
        else:
            merged.append(output)
    return merged
