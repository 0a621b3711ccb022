"""Incident rules: severities, moves, what a change sets and announces, the timeline cap."""

from __future__ import annotations

import pytest

from app.core.errors import Conflict, ValidationFailed
from app.core.incidents import (
    MAX_TIMELINE,
    Change,
    Severity,
    appended,
    check_new,
    next_severity,
    plan_change,
)

OPEN_HIGH = {"title": "DB down", "severity": "high", "status": "open", "assignee": None}
AT = "2026-12-02T13:00:00+00:00"


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (Severity.LOW, Severity.MEDIUM),
        (Severity.MEDIUM, Severity.HIGH),
        (Severity.HIGH, Severity.CRITICAL),
        (Severity.CRITICAL, Severity.CRITICAL),
    ],
)
def test_next_severity(current: Severity, expected: Severity) -> None:
    assert next_severity(current) == expected


@pytest.mark.parametrize(
    ("current", "change", "fields", "events", "text"),
    [
        (OPEN_HIGH, Change("escalate"), {"severity": "critical"},
         ("incident.escalated", "incident.updated"), "severity high → critical"),
        ({**OPEN_HIGH, "severity": "low"}, Change("escalate", severity="critical"),
         {"severity": "critical"}, ("incident.escalated", "incident.updated"),
         "severity low → critical"),
        (OPEN_HIGH, Change("resolve", note="restarted"), {"status": "resolved"},
         ("incident.resolved", "incident.updated"), "status open → resolved: restarted"),
        (OPEN_HIGH, Change("assign", assignee="ana@example.com"),
         {"assignee": "ana@example.com"}, ("incident.updated",), "assigned to ana@example.com"),
        (OPEN_HIGH, Change("acknowledge"), {"status": "acknowledged"}, ("incident.updated",),
         "status open → acknowledged"),
        ({**OPEN_HIGH, "status": "resolved"}, Change("reopen"), {"status": "open"},
         ("incident.opened", "incident.updated"), "status resolved → open"),
        (OPEN_HIGH, Change("update", severity="low"), {"severity": "low"},
         ("incident.updated",), "severity high → low"),
        (OPEN_HIGH, Change("note", note="looking"), {}, ("incident.updated",), "looking"),
        (OPEN_HIGH, Change("update", severity="high"), {}, (), ""),
        # asked again (a retried step): nothing at all, not even the note
        ({**OPEN_HIGH, "status": "resolved"}, Change("resolve", note="again"), {}, (), ""),
    ],
)  # fmt: skip
def test_plan_change(current: dict, change: Change, fields: dict, events: tuple, text: str) -> None:
    plan = plan_change(current, change, by="ana", at=AT)
    assert plan.fields == fields
    assert plan.events == events
    assert plan.entry["text"] == text
    assert plan.changed == bool(fields or text)
    assert plan.entry["by"] == "ana" and plan.entry["kind"] == change.kind


@pytest.mark.parametrize(
    ("current", "change", "error", "message"),
    [
        ({**OPEN_HIGH, "status": "resolved"}, Change("escalate"), Conflict, "reopen it first"),
        (OPEN_HIGH, Change("escalate", severity="low"), ValidationFailed, "cannot lower"),
        (OPEN_HIGH, Change("update", severity="urgent"), ValidationFailed, "must be one of"),
        (OPEN_HIGH, Change("update", status="closed"), ValidationFailed, "must be one of"),
        (OPEN_HIGH, Change("update", title="  "), ValidationFailed, "title: required"),
        (OPEN_HIGH, Change("note", note="x" * 4001), ValidationFailed, "at most 4000"),
        ({**OPEN_HIGH, "status": "resolved"}, Change("acknowledge"), Conflict,
         "resolved cannot become acknowledged"),
    ],
)  # fmt: skip
def test_refused_changes(current: dict, change: Change, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        plan_change(current, change, by="ana", at=AT)


def test_check_new_names_every_problem() -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_new(title="", severity="sev1", assignee="a" * 400)
    assert [p.path for p in caught.value.problems] == ["title", "severity", "assignee"]
    assert check_new(title=" Disk full ", severity="LOW").title == "Disk full"


def test_timeline_keeps_the_opening_and_the_newest() -> None:
    timeline = [{"n": 0}]
    for n in range(1, MAX_TIMELINE + 50):
        timeline = appended(timeline, {"n": n})
    assert len(timeline) == MAX_TIMELINE
    assert timeline[0] == {"n": 0} and timeline[-1] == {"n": MAX_TIMELINE + 49}
    assert timeline[1] == {"n": 51}  # 250 written: the opening and the newest 199
