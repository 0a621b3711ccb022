"""The one date format: every page's moments read `2026-12-02 14:05 UTC`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from app.core.dates import day_text, when_text, zoned_text

AT = datetime(2026, 12, 2, 14, 5, 7, 123456, tzinfo=UTC)
BERLIN = timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    ("value", "precision", "expected"),
    [
        (AT, "minute", "2026-12-02 14:05 UTC"),
        (AT, "second", "2026-12-02 14:05:07 UTC"),
        (AT, "millisecond", "2026-12-02 14:05:07.123 UTC"),
        (AT.replace(tzinfo=None), "minute", "2026-12-02 14:05 UTC"),  # naive: stored UTC
        (AT.astimezone(BERLIN), "minute", "2026-12-02 14:05 UTC"),  # another zone: converted
        ("2026-12-02T14:05:07.123456+00:00", "second", "2026-12-02 14:05:07 UTC"),
        ("2026-12-02T14:05:07", "minute", "2026-12-02 14:05 UTC"),
        ("2026-12-02T14:05:07Z", "minute", "2026-12-02 14:05 UTC"),
        ("2026-12-02T15:05:07+01:00", "minute", "2026-12-02 14:05 UTC"),
        ("2026-12-02", "minute", "2026-12-02 00:00 UTC"),
        (datetime(2026, 1, 1, tzinfo=UTC), "millisecond", "2026-01-01 00:00:00.000 UTC"),
    ],
)
def test_a_moment_reads(value: datetime | str, precision: str, expected: str) -> None:
    assert when_text(value, precision) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "empty", "expected"),
    [
        (None, "—", "—"),
        ("", "never", "never"),
        ("   ", "—", "—"),
        ("queued", "—", "—"),  # not a date: no exception on a page
    ],
)
def test_no_moment(value: str | None, empty: str, expected: str) -> None:
    assert when_text(value, empty=empty) == expected


def test_every_precision_starts_the_same() -> None:
    texts = [when_text(AT, p) for p in ("minute", "second", "millisecond")]  # type: ignore[arg-type]
    assert all(t.startswith("2026-12-02 14:05") and t.endswith(" UTC") for t in texts)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (AT, "2026-12-02"),
        ("2026-12-02T23:30:00-02:00", "2026-12-03"),  # the UTC day
        (None, "—"),
    ],
)
def test_a_day_reads(value: datetime | str | None, expected: str) -> None:
    assert day_text(value) == expected


def test_a_schedule_moment_reads_in_its_zone() -> None:
    moment = datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert zoned_text(moment) == "Mon 2026-12-07 09:00 CET"
