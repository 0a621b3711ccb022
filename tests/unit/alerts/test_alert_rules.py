"""Pure alert rules: which bus events raise which alert events, matching, storms, waits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.alerts.events import AlertEvent, from_bus, wants
from app.alerts.sending import retry_wait
from app.alerts.storm import Previous, collapse_into, unreported
from app.core.retry import RetryPolicy

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "data", "kind", "severity"),
    [
        ("execution.started", {"execution_id": 1, "workflow_id": 2, "workflow_name": "w",
                               "steps_total": 3}, "workflow_start", "info"),
        ("execution.finished", {"execution_id": 1, "status": "succeeded"}, "workflow_complete",
         "info"),
        ("execution.finished", {"execution_id": 1, "status": "failed"}, "workflow_fail", "error"),
        ("execution.finished", {"execution_id": 1, "status": "interrupted"}, "workflow_fail",
         "error"),
        ("execution.finished", {"execution_id": 1, "status": "cancelled"}, None, None),
        ("step.finished", {"execution_id": 1, "action_id": "a", "status": "failed"}, "step_fail",
         "warning"),
        ("step.finished", {"execution_id": 1, "action_id": "a", "status": "succeeded"}, None, None),
        ("step.finished", {"execution_id": 1, "action_id": "a", "status": "skipped"}, None, None),
        ("step.started", {"execution_id": 1}, None, None),
        ("execution.queued", {"execution_id": 1}, None, None),
        ("workflow.changed", {"workflow_id": 1}, None, None),
    ],
)  # fmt: skip
def test_bus_events_map_to_alert_events(
    name: str, data: dict, kind: str | None, severity: str | None
) -> None:
    event = from_bus(name, data, T0.timestamp())
    if kind is None:
        assert event is None
        return
    assert event is not None and event.kind == kind and event.severity.value == severity
    assert event.at == T0 and event.execution_id == 1


def test_failed_run_carries_step_error_and_duration() -> None:
    event = from_bus(
        "execution.finished",
        {"execution_id": 4, "workflow_id": 2, "workflow_name": "Nightly", "status": "failed",
         "error": "step fetch failed: HTTP 500", "failed_step": "fetch", "duration_ms": 1234.5},
        T0.timestamp(),
    )  # fmt: skip
    assert event is not None
    assert (event.workflow_name, event.step, event.error) == (
        "Nightly",
        "fetch",
        "step fetch failed: HTTP 500",
    )
    assert event.duration_ms == 1234.5


def _event(kind: str) -> AlertEvent:
    return AlertEvent(kind=kind, execution_id=1, workflow_id=1, at=T0)


@pytest.mark.parametrize(
    ("events", "minimum", "kind", "fires"),
    [
        (["workflow_fail"], "error", "workflow_fail", True),
        (["workflow_fail"], "critical", "workflow_fail", False),
        (["workflow_fail"], "info", "workflow_fail", True),
        (["workflow_complete", "workflow_fail"], "error", "workflow_complete", False),
        (["workflow_complete"], "info", "workflow_complete", True),
        (["step_fail"], "warning", "step_fail", True),
        (["step_fail"], "error", "step_fail", False),
        (["workflow_start"], "info", "workflow_fail", False),
    ],
)
def test_an_alert_fires_for_its_events_at_its_minimum_severity(
    events: list[str], minimum: str, kind: str, fires: bool
) -> None:
    assert wants(events=events, minimum=minimum, event=_event(kind)) is fires


@pytest.mark.parametrize(
    ("previous_at", "now", "collapses"),
    [
        (None, T0, False),
        (T0, T0, True),
        (T0, T0 + timedelta(seconds=59.9), True),
        (T0, T0 + timedelta(seconds=60), False),
        (T0, T0 + timedelta(hours=3), False),
        (T0, T0 - timedelta(seconds=5), True),  # clock went back: still the same burst
    ],
)
def test_storm_window(previous_at: datetime | None, now: datetime, collapses: bool) -> None:
    previous = Previous(7, previous_at, 1) if previous_at else None
    assert collapse_into(previous, now, 60.0) == (7 if collapses else None)


@pytest.mark.parametrize(("occurrences", "mentioned"), [(None, 0), (1, 0), (2, 1), (10, 9)])
def test_the_next_message_mentions_what_was_held_back(
    occurrences: int | None, mentioned: int
) -> None:
    previous = Previous(1, T0, occurrences) if occurrences else None
    assert unreported(previous) == mentioned


EXPO = RetryPolicy(strategy="exponential", max_attempts=3, delay_s=2.0, factor=3.0)


@pytest.mark.parametrize(
    ("attempt", "retry_after", "wait"),
    [
        (1, None, 2.0),
        (2, None, 6.0),
        (1, 7.0, 7.0),  # the remote asks for longer than the backoff: honoured
        (2, 1.0, 6.0),  # the backoff is already longer
        (1, 0.0, 2.0),
        (1, 301.0, None),  # longer than Flowdeck waits: give up
    ],
)
def test_retry_wait(attempt: int, retry_after: float | None, wait: float | None) -> None:
    assert retry_wait(EXPO, attempt, retry_after, 0.5, 300.0) == wait
