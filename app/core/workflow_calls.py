"""Which workflows a workflow calls through `sub_workflow` steps, and loops among them.

Pure: the service reads the stored definitions and hands them in. Only literal workflow ids
count; a templated `workflow_id` is known at run time only, where the depth limit guards.
A `for_each` whose inner step is a `sub_workflow` calls it too.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

N = TypeVar("N", bound=Hashable)


def _literal_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _config(step: Mapping[str, Any]) -> Mapping[str, Any]:
    config = step.get("config")
    return config if isinstance(config, Mapping) else {}


def called_workflows(actions: Sequence[Any]) -> list[tuple[str, int]]:
    """`(config path, workflow id)` of each sub-workflow call with a literal id, in order."""
    calls: list[tuple[str, int]] = []
    for index, step in enumerate(actions):
        if not isinstance(step, Mapping):
            continue
        path, config = f"actions[{index}].config", _config(step)
        if step.get("type") == "for_each" and isinstance(config.get("step"), Mapping):
            step, path = config["step"], f"{path}.step.config"
            config = _config(step)
        if step.get("type") != "sub_workflow":
            continue
        target = _literal_id(config.get("workflow_id", config.get("workflowId")))
        if target is not None:
            calls.append((f"{path}.workflow_id", target))
    return calls


def loop_through(start: N, calls: Mapping[N, Iterable[N]]) -> list[N] | None:
    """The shortest loop `start → … → start` along `calls`, or None.

    Returned with `start` at both ends, so `" → ".join` spells it.
    """
    parent: dict[N, N] = {}
    queue: deque[N] = deque([start])
    while queue:
        current = queue.popleft()
        for callee in calls.get(current, ()):
            if callee == start:
                loop = [current]
                while loop[-1] != start:
                    loop.append(parent[loop[-1]])
                return [*loop[::-1], start]
            if callee not in parent:
                parent[callee] = current
                queue.append(callee)
    return None
