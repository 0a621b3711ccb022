"""The incident trigger's decision: events, filter, its own runs' incidents."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.incident_trigger import incident_payload
from app.core.templates import evaluate_condition

OPENED = {"incident_id": 4, "title": "DB down", "severity": "critical", "status": "open",
          "workflow_id": None, "execution_id": None, "by": "ada@example.com"}  # fmt: skip
ALL: dict[str, Any] = {}
CASES = [
    (ALL, "incident.opened", OPENED, "opened"),
    (ALL, "incident.resolved", {**OPENED, "status": "resolved"}, "resolved"),
    (ALL, "incident.updated", OPENED, "incident.updated is not an incident event that starts"),
    (ALL, "article.created", OPENED, "article.created is not an incident event"),
    ({"events": ["escalated"]}, "incident.opened", OPENED, "opened is not one of this workflow"),
    ({"events": ["escalated"]}, "incident.escalated", OPENED, "escalated"),
    ({"filter": "incident.severity == 'critical'"}, "incident.opened", OPENED, "opened"),
    ({"filter": "incident.severity == 'low'"}, "incident.opened", OPENED, "the filter is false"),
    ({"filter": "incident.nope.deeper == 1"}, "incident.opened", OPENED,
     "the filter could not be evaluated"),
    (ALL, "incident.escalated", {**OPENED, "workflow_id": 7},
     "the incident was opened or changed by this workflow's own run"),
    (ALL, "incident.escalated", {**OPENED, "workflow_id": 8}, "escalated"),
]  # fmt: skip


@pytest.mark.parametrize(("config", "name", "data", "expected"), CASES)
def test_incident_payload(config: dict, name: str, data: dict, expected: str) -> None:
    payload, why = incident_payload(config, name, data, workflow_id=7, evaluate=evaluate_condition)
    if payload is None:
        assert why.startswith(expected)
        return
    assert why == "" and payload == {"event": expected, "incident": data}
