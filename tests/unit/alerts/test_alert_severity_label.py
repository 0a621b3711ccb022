"""An alert's `severity` labels what it sends; the ticked events are the events it gets, and a
minimum, when wanted, is the separate `minSeverity`, refused when it would hold a ticked event
back for good."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.alerts.events import AlertEvent, held_back, label, wants
from app.alerts.messages import build_message
from app.alerts.spec import parse_alert

#: The original document's createAlert example (Example 2), as JSON.
EXAMPLE_2 = {
    "workflowId": 1,
    "alertType": "slack",
    "channel": "https://hooks.slack.com/services/T000/B000/XXXXXXXX",
    "events": ["workflow_complete", "workflow_fail"],
    "severity": "error",
    "createdBy": "admin-user-id",
}


def _event(kind: str) -> AlertEvent:
    return AlertEvent(kind, 3, 1, datetime(2026, 1, 1, tzinfo=UTC), "Nightly", "succeeded")


def test_the_original_alert_gets_every_event_it_ticked() -> None:
    spec, problems = parse_alert(EXAMPLE_2)
    assert problems == []
    assert (spec.severity, spec.min_severity) == ("error", None)
    for kind in spec.events:
        assert wants(events=spec.events, minimum=spec.min_severity, event=_event(kind))
    assert not wants(events=spec.events, minimum=None, event=_event("step_fail"))


@pytest.mark.parametrize(
    ("severity", "kind", "shown"),
    [
        ("error", "workflow_complete", "error"),
        ("error", "workflow_fail", "error"),
        ("critical", "workflow_fail", "critical"),
        ("info", "workflow_fail", "error"),  # what an info alert always showed for a failure
        ("info", "step_fail", "warning"),
        ("warning", "workflow_start", "warning"),
    ],
)
def test_an_alert_labels_its_messages_at_least_at_its_severity(
    severity: str, kind: str, shown: str
) -> None:
    assert label(severity, _event(kind)) == shown


def test_the_label_is_what_the_message_shows() -> None:
    message = build_message(_event("workflow_complete"), base_url="http://x", label="error")
    assert message.severity == "error" and ("Severity", "error") in message.facts
    plain = build_message(_event("workflow_complete"), base_url="http://x")
    assert plain.severity == "info"


@pytest.mark.parametrize(
    ("events", "minimum", "refused"),
    [
        (["workflow_complete", "workflow_fail"], "error", ["events[0]", "min_severity"]),
        (["workflow_fail"], "error", []),
        (["step_fail", "workflow_fail"], "warning", []),
        (["step_fail"], "critical", ["events[0]", "min_severity"]),
        (["workflow_start"], "info", []),
        (["workflow_start"], None, []),
    ],
)
def test_a_minimum_that_would_hold_a_ticked_event_back_is_refused(
    events: list[str], minimum: str | None, refused: list[str]
) -> None:
    spec, problems = parse_alert({**EXAMPLE_2, "events": events, "minSeverity": minimum})
    assert [p.path for p in problems] == refused
    assert bool(held_back(events, minimum)) is bool(refused)
    if refused:
        assert "never" in problems[0].message and events[0] in problems[0].message
    else:
        assert spec.min_severity == minimum


def test_an_unknown_minimum_is_named() -> None:
    _, problems = parse_alert({**EXAMPLE_2, "minSeverity": "loud"})
    assert [p.path for p in problems] == ["min_severity"]
