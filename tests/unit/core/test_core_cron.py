"""Cron helpers: validation, next fire times (incl. DST in Berlin), intervals, descriptions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.core.cron import (
    CronSchedule,
    describe_cron,
    next_fire_times,
    next_interval_fire,
    validate_cron,
    validate_timezone,
)
from app.core.errors import InvalidInput

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    "expr", ["* * * * *", "*/5 * * * *", "30 2 * * *", "0 9 * * 1-5", "0 0 1 * 1", "@daily"]
)
def test_valid_cron(expr: str) -> None:
    assert validate_cron(expr) is None


@pytest.mark.parametrize(
    ("expr", "fragment"),
    [
        ("", "expected 5 fields"),
        ("* * * *", "got 4"),
        ("* * * * * *", "got 6"),
        ("61 * * * *", "61"),
        ("* 24 * * *", "24"),
        ("* * 0 * *", "0"),
        ("* * * 13 *", "13"),
        ("* * * * 8", "day of week"),
        ("* * * * fri-mon", "backwards"),
        ("*/0 * * * *", "Increment"),
        ("every day", "expected 5 fields"),
    ],
)
def test_invalid_cron(expr: str, fragment: str) -> None:
    problem = validate_cron(expr)
    assert problem is not None and fragment in problem


@pytest.mark.parametrize(
    ("tz", "valid"),
    [("UTC", True), ("Europe/Berlin", True), ("Mars/Base", False), ("", False), ("../etc", False)],
)
def test_validate_timezone(tz: str, valid: bool) -> None:
    assert (validate_timezone(tz) is None) is valid


def iso(times: list[datetime]) -> list[str]:
    return [t.isoformat() for t in times]


@pytest.mark.parametrize(
    ("expr", "tz", "after", "expected"),
    [
        (
            "*/15 * * * *",
            "UTC",
            datetime(2026, 5, 4, 10, 7, tzinfo=UTC),
            ["2026-05-04T10:15:00+00:00", "2026-05-04T10:30:00+00:00", "2026-05-04T10:45:00+00:00"],
        ),
        (  # strictly after: a fire exactly at `after` is not repeated
            "0 * * * *",
            "UTC",
            datetime(2026, 5, 4, 10, 0, tzinfo=UTC),
            ["2026-05-04T11:00:00+00:00", "2026-05-04T12:00:00+00:00", "2026-05-04T13:00:00+00:00"],
        ),
        (  # standard cron weekdays: 1 = Monday (APScheduler 3 alone would say Tuesday)
            "0 9 * * 1",
            "Europe/Berlin",
            datetime(2026, 5, 1, tzinfo=BERLIN),
            ["2026-05-04T09:00:00+02:00", "2026-05-11T09:00:00+02:00", "2026-05-18T09:00:00+02:00"],
        ),
        (  # 0 and 7 are both Sunday
            "0 9 * * 0,7",
            "UTC",
            datetime(2026, 5, 1, tzinfo=UTC),
            ["2026-05-03T09:00:00+00:00", "2026-05-10T09:00:00+00:00", "2026-05-17T09:00:00+00:00"],
        ),
        (
            "0 8 * * mon-fri",
            "UTC",
            datetime(2026, 5, 8, 9, tzinfo=UTC),  # a Friday after 08:00
            ["2026-05-11T08:00:00+00:00", "2026-05-12T08:00:00+00:00", "2026-05-13T08:00:00+00:00"],
        ),
        (  # day of month OR weekday, as in cron: the 1st, and every Monday
            "0 0 1 * 1",
            "UTC",
            datetime(2026, 5, 26, tzinfo=UTC),
            ["2026-06-01T00:00:00+00:00", "2026-06-08T00:00:00+00:00", "2026-06-15T00:00:00+00:00"],
        ),
        (
            "0 12 1 * *",
            "America/New_York",
            datetime(2026, 1, 15, tzinfo=UTC),
            ["2026-02-01T12:00:00-05:00", "2026-03-01T12:00:00-05:00", "2026-04-01T12:00:00-04:00"],
        ),
        (
            "@hourly",
            "UTC",
            datetime(2026, 5, 4, 23, 30, tzinfo=UTC),
            ["2026-05-05T00:00:00+00:00", "2026-05-05T01:00:00+00:00", "2026-05-05T02:00:00+00:00"],
        ),
    ],
)
def test_next_fire_times(expr: str, tz: str, after: datetime, expected: list[str]) -> None:
    times = next_fire_times(expr, tz, after, count=3)
    assert iso(times) == expected
    assert all(t.tzinfo is not None and t.tzinfo.key == tz for t in times)


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (  # spring forward: 02:30 does not exist on 29 March; it fires once, at 03:30 CEST
            datetime(2026, 3, 28, 12, tzinfo=BERLIN),
            ["2026-03-29T03:30:00+02:00", "2026-03-30T02:30:00+02:00", "2026-03-31T02:30:00+02:00"],
        ),
        (  # fall back: 02:30 happens twice on 25 October; it fires once, at the first
            datetime(2026, 10, 24, 12, tzinfo=BERLIN),
            ["2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00", "2026-10-27T02:30:00+01:00"],
        ),
        (  # starting inside the repeated hour, after the first 02:30: nothing more that day
            datetime(2026, 10, 25, 2, 10, fold=1, tzinfo=BERLIN),
            ["2026-10-26T02:30:00+01:00", "2026-10-27T02:30:00+01:00", "2026-10-28T02:30:00+01:00"],
        ),
    ],
)
def test_daily_0230_berlin_across_dst(after: datetime, expected: list[str]) -> None:
    assert iso(next_fire_times("30 2 * * *", "Europe/Berlin", after, count=3)) == expected


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime(2026, 3, 25, tzinfo=BERLIN), datetime(2026, 4, 3, tzinfo=BERLIN)),
        (datetime(2026, 10, 21, tzinfo=BERLIN), datetime(2026, 10, 30, tzinfo=BERLIN)),
    ],
)
def test_daily_0230_berlin_fires_exactly_once_per_day(start: datetime, end: datetime) -> None:
    times = next_fire_times("30 2 * * *", "Europe/Berlin", start, count=9)
    days = [t.date() for t in times]
    assert len(days) == len(set(days)) == 9
    assert days == [(start + timedelta(days=i)).date() for i in range(9)]
    assert all(later > earlier for earlier, later in zip(times, times[1:], strict=False))
    assert times[-1] < end


def test_schedule_as_apscheduler_trigger_never_repeats_a_fire() -> None:
    schedule = CronSchedule("30 2 * * *", "Europe/Berlin")
    previous = schedule.get_next_fire_time(None, datetime(2026, 10, 25, 0, tzinfo=BERLIN))
    assert previous is not None
    # the scheduler asks again shortly after the fire, with now inside the repeated hour
    now = previous + timedelta(seconds=1)
    following = schedule.get_next_fire_time(previous, now)
    assert following is not None and following.isoformat() == "2026-10-26T02:30:00+01:00"


def test_next_fire_times_needs_aware_after() -> None:
    with pytest.raises(InvalidInput, match="aware"):
        next_fire_times("* * * * *", "UTC", datetime(2026, 1, 1))  # noqa: DTZ001
    with pytest.raises(InvalidInput):
        next_fire_times("bad", "UTC", datetime(2026, 1, 1, tzinfo=UTC))


T0 = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("seconds", "after", "anchor", "expected"),
    [
        (60, T0, None, T0 + timedelta(seconds=60)),
        (3600, T0, None, T0 + timedelta(hours=1)),
        (300, T0 + timedelta(seconds=30), T0, T0 + timedelta(seconds=300)),
        (300, T0 + timedelta(seconds=300), T0, T0 + timedelta(seconds=600)),
        (300, T0 - timedelta(days=1), T0, T0),  # anchor still ahead: first fire is the anchor
        (90, T0 + timedelta(days=3, seconds=1), T0, T0 + timedelta(days=3, seconds=90)),
    ],
)
def test_next_interval_fire(
    seconds: float, after: datetime, anchor: datetime | None, expected: datetime
) -> None:
    assert next_interval_fire(seconds, after, anchor) == expected


def test_next_interval_fire_keeps_callers_zone_and_rejects_nonsense() -> None:
    after = datetime(2026, 5, 4, 12, tzinfo=BERLIN)
    fire = next_interval_fire(60, after)
    assert fire.tzinfo == BERLIN and fire == after + timedelta(minutes=1)
    with pytest.raises(InvalidInput):
        next_interval_fire(0, after)
    with pytest.raises(InvalidInput):
        next_interval_fire(60, datetime(2026, 1, 1))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("* * * * *", "Every minute"),
        ("*/5 * * * *", "Every 5 minutes"),
        ("15 * * * *", "At 15 minutes past the hour"),
        ("5,35 * * * *", "At 5 and 35 minutes past the hour"),
        ("@hourly", "Every hour"),
        ("0 */2 * * *", "Every 2 hours"),
        ("30 2 * * *", "At 02:30, every day (Europe/Berlin)"),
        ("@daily", "At 00:00, every day (Europe/Berlin)"),
        ("0 9 * * 1", "At 09:00, only on Monday (Europe/Berlin)"),
        ("0 9 * * mon", "At 09:00, only on Monday (Europe/Berlin)"),
        ("0 9 * * 7", "At 09:00, only on Sunday (Europe/Berlin)"),
        ("0 9 * * 1-5", "At 09:00, Monday through Friday (Europe/Berlin)"),
        ("0 9 * * 1,3,5", "At 09:00, only on Monday, Wednesday, and Friday (Europe/Berlin)"),
        ("0 18 * * 0,6", "At 18:00, only on Sunday and Saturday (Europe/Berlin)"),
        ("0 9 1 * *", "At 09:00, on day 1 of the month (Europe/Berlin)"),
        ("0 9 1 1 *", "At 09:00, on day 1 of the month, only in January (Europe/Berlin)"),
        # crontab ORs a restricted day of month with a restricted weekday, and so do the words
        ("0 9 1 * 1", "At 09:00, on day 1 of the month, or on Monday (Europe/Berlin)"),
        (
            "*/15 9-17 * * 1-5",
            "Every 15 minutes, between 09:00 and 17:59, Monday through Friday (Europe/Berlin)",
        ),
        ("not a cron", "Cron `not a cron` (Europe/Berlin)"),
        ("61 * * * *", "Cron `61 * * * *` (Europe/Berlin)"),
    ],
)
def test_describe_cron(expr: str, expected: str) -> None:
    assert describe_cron(expr, "Europe/Berlin") == expected


def test_describe_cron_in_another_locale() -> None:
    words = describe_cron("30 2 * * *", "UTC", locale="fr_FR")
    assert words == "À 02:30 (UTC)"
