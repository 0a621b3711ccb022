"""What PagerDuty and Opsgenie are sent for each incident change."""

from __future__ import annotations

import pytest

from app.core.incident_mirrors import mirror_step, opsgenie_request, pagerduty_request

INCIDENT = {"id": 7, "title": "DB down", "severity": "critical", "status": "open",
            "assignee": "ana", "description": "primary unreachable"}  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "opened", "step"),
    [
        ({}, True, "open"),
        ({"status": "open"}, False, "open"),
        ({"status": "resolved"}, False, "resolve"),
        ({"status": "acknowledged", "severity": "high"}, False, "acknowledge"),
        ({"severity": "critical"}, False, "escalate"),
        ({"assignee": "ana"}, False, "note"),
        ({}, False, None),
    ],
)
def test_mirror_step(fields: dict, opened: bool, step: str | None) -> None:
    assert mirror_step(fields, opened=opened) == step


@pytest.mark.parametrize(
    ("step", "action"),
    [("open", "trigger"), ("escalate", "trigger"), ("acknowledge", "acknowledge"),
     ("resolve", "resolve"), ("note", None)],
)  # fmt: skip
def test_pagerduty_events(step: str, action: str | None) -> None:
    request = pagerduty_request(step, INCIDENT, routing_key="R0UT1NG")
    if action is None:
        assert request is None
        return
    assert request is not None and (request.method, request.path) == ("POST", "/v2/enqueue")
    body = request.json
    assert body["routing_key"] == "R0UT1NG" and body["event_action"] == action
    assert body["dedup_key"] == "flowdeck-incident-7"
    if action == "trigger":
        assert body["payload"]["severity"] == "critical"
        assert body["payload"]["summary"] == "[critical] DB down"
        assert body["payload"]["source"] == "flowdeck"
    else:
        assert "payload" not in body


@pytest.mark.parametrize(
    ("step", "method", "path", "key"),
    [
        ("open", "POST", "/v2/alerts", "message"),
        ("escalate", "PUT", "/v2/alerts/flowdeck-incident-7/priority", "priority"),
        ("acknowledge", "POST", "/v2/alerts/flowdeck-incident-7/acknowledge", "note"),
        ("resolve", "POST", "/v2/alerts/flowdeck-incident-7/close", "note"),
        ("note", "POST", "/v2/alerts/flowdeck-incident-7/notes", "note"),
    ],
)
def test_opsgenie_requests(step: str, method: str, path: str, key: str) -> None:
    request = opsgenie_request(step, {**INCIDENT, "title": "x" * 200}, note="why")
    assert (request.method, request.path) == (method, path)
    assert key in request.json
    if step == "open":
        assert len(request.json["message"]) == 130 and request.json["priority"] == "P1"
        assert request.json["alias"] == "flowdeck-incident-7" and request.query == {}
    else:
        assert request.query == {"identifierType": "alias"}
