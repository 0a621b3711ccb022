"""004's audit vocabulary: event types to audit actions, and start/end dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.core.errors import ValidationFailed
from app.core.original_audit import actions_of, day_or_time, event_type_of


@pytest.mark.parametrize(
    ("text", "actions"),
    [
        (None, ()),
        ("", ()),
        (
            "workflow_created,workflow_executed",
            (
                "workflow.created",
                "workflow.created_from_template",
                "workflow.imported",
                "workflow.run",
            ),
        ),
        ("workflow_executed, workflow_executed", ("workflow.run",)),
        ("workflow_disabled,workflow_enabled", ("workflow.paused", "workflow.resumed")),
        ("workflow.rolled_back", ("workflow.rolled_back",)),
        ("workflow_deleted,", ("workflow.deleted",)),
    ],
)
def test_event_types_become_audit_actions(text: str | None, actions: tuple[str, ...]) -> None:
    assert actions_of(text) == actions


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("workflow_created,workflow_exploded", ["'workflow_exploded'"]),
        ("nope,also_nope", ["'nope'", "'also_nope'"]),
        ("workflow_failed", ["'workflow_failed' is not an audit event"]),
        ("auth.login", ["'auth.login'"]),
    ],
)
def test_unknown_types_are_named(text: str, named: list[str]) -> None:
    with pytest.raises(ValidationFailed) as caught:
        actions_of(text)
    messages = [p.message for p in caught.value.problems]
    assert len(messages) == len(named)
    for message, name in zip(messages, named, strict=True):
        assert name in message and caught.value.problems[0].path == "event_types"


def test_too_many_types() -> None:
    with pytest.raises(ValidationFailed):
        actions_of(",".join(["workflow_created"] * 21))


def test_event_type_of() -> None:
    assert event_type_of("workflow.run") == "workflow_executed"
    assert event_type_of("workflow.imported") == "workflow_created"
    assert event_type_of("auth.login") is None


JAN1 = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "end", "moment"),
    [
        (None, False, None),
        ("", True, None),
        ("2025-01-01", False, JAN1),
        ("2025-01-31", True, JAN1 + timedelta(days=31)),  # the whole 31st included
        ("2025-01-01T10:00:00", False, JAN1 + timedelta(hours=10)),
        ("2025-01-01T10:00:00Z", True, JAN1 + timedelta(hours=10)),  # a time is as given
        (
            "2025-01-01T10:00:00+02:00",
            False,
            datetime(2025, 1, 1, 10, tzinfo=timezone(timedelta(hours=2))),
        ),
    ],
)
def test_dates(text: str | None, end: bool, moment: datetime | None) -> None:
    assert day_or_time(text, "end_date", end=end) == moment


@pytest.mark.parametrize("text", ["2025-13-01", "yesterday", "2025-02-30", "1", "9999-12-31x"])
def test_bad_dates_are_422_at_the_field(text: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        day_or_time(text, "start_date")
    assert caught.value.problems[0].path == "start_date"


def test_last_day_of_datetime_is_refused_not_crashing() -> None:
    with pytest.raises(ValidationFailed):
        day_or_time("9999-12-31", "end_date", end=True)
