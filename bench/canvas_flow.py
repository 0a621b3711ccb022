"""A 200-step branching workflow for the canvas benchmark (and for profiling its mapping).

Segments of `delay` steps: a step, then a branch (an `if`, every fourth segment a `switch`
with two cases and `default`), one step per branch output, and a `none_failed` merge that
joins them; the next segment follows the merge. Every fifth segment also starts a side step
the merge three segments later waits for too (an edge that skips layers). No `ui` hints, so
the designer lays it out.
"""

from __future__ import annotations

from typing import Any

STEPS = 200


def _delay(step_id: str, seconds: float, depends_on: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "id": step_id,
        "type": "delay",
        "config": {"seconds": seconds},
        "depends_on": depends_on,
        **extra,
    }


def _segment(k: int, after: list[str], seconds: float) -> list[dict[str, Any]]:
    head = f"s{k}"
    steps = [_delay(head, seconds, after, name=f"Step {k}")]
    if k % 4 == 3:
        outputs = ["small", "big", "default"]
        branch = {
            "id": f"{head}-switch",
            "type": "switch",
            "config": {"value": k % 3, "cases": {"small": 0, "big": 1}},
            "depends_on": [head],
        }
    else:
        outputs = ["true", "false"]
        branch = {
            "id": f"{head}-if",
            "type": "if",
            "config": {"condition": "true" if k % 2 else "false"},
            "depends_on": [head],
        }
    steps.append(branch)
    arms = [_delay(f"{head}-{out}", seconds, [f"{branch['id']}:{out}"]) for out in outputs]
    steps += arms
    merge = {
        "id": f"{head}-merge",
        "type": "merge",
        "config": {"mode": "object"},
        "depends_on": [arm["id"] for arm in arms],
        "trigger_rule": "none_failed",
    }
    steps.append(merge)
    return steps


def branching_steps(count: int = STEPS, seconds: float = 0.0) -> list[dict[str, Any]]:
    """`count` steps in branching segments, a plain chain filling the rest."""
    steps: list[dict[str, Any]] = []
    after: list[str] = []
    sides: dict[int, str] = {}  # segment → a side step its merge also waits for
    k = 0
    while len(steps) + 8 <= count:
        segment = _segment(k, after, seconds)
        if k in sides:
            segment[-1]["depends_on"].append(sides.pop(k))
        if k % 5 == 0:
            side = _delay(f"s{k}-side", seconds, [segment[0]["id"]])
            segment.insert(1, side)
            sides[k + 3] = side["id"]
        steps += segment
        after = [segment[-1]["id"]]
        k += 1
    for extra in sides.values():  # a side whose merge never came: the next step waits for it
        after.append(extra)
    i = 0
    while len(steps) < count:
        steps.append(_delay(f"tail{i}", seconds, after))
        after = [f"tail{i}"]
        i += 1
    return steps
