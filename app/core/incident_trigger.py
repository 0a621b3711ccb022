"""The `incident` trigger's decision: does this incident event start this workflow, with what.
Pure.

Incidents announce `incident.opened` (also when reopened), `incident.escalated` and
`incident.resolved` on the bus with the incident's fields (`incident_id`, `title`,
`severity`, `status`, `assignee`, `workflow_id`, `execution_id`, `url`, `by`, and on a change
`previous_severity` / `previous_status`). A workflow starts when the event is one of its
`events` and its optional `filter` condition is true for `{"incident": …, "event": …}`. A
workflow is not started by an incident its own runs opened or changed (`workflow_id` is this
workflow): an incident workflow that escalates would otherwise start itself again.
Payload: `{"event": "opened" | "escalated" | "resolved", "incident": {the event's fields}}`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

PREFIX = "incident."
EVENTS = ("opened", "escalated", "resolved")


def incident_payload(
    config: Mapping[str, Any],
    name: str,
    data: Mapping[str, Any],
    *,
    workflow_id: int,
    evaluate: Callable[[str, dict[str, Any]], bool],
) -> tuple[dict[str, Any] | None, str]:
    """The run's payload, or `(None, why not)`. `evaluate(condition, context)` runs the filter
    (the sandboxed condition evaluator; it may raise, which counts as false)."""
    event = name.removeprefix(PREFIX)
    if not name.startswith(PREFIX) or event not in EVENTS:
        return None, f"{name} is not an incident event that starts workflows"
    if event not in (config.get("events") or EVENTS):
        return None, f"{event} is not one of this workflow's events"
    if data.get("workflow_id") == workflow_id:
        return None, "the incident was opened or changed by this workflow's own run"
    payload = {"event": event, "incident": json.loads(json.dumps(dict(data), default=str))}
    condition = config.get("filter")
    if condition:
        try:
            passed = evaluate(condition, payload)
        except Exception as exc:  # a broken filter is that workflow's problem
            return None, f"the filter could not be evaluated: {exc}"
        if not passed:
            return None, "the filter is false"
    return payload, ""
