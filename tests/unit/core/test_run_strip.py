"""The run-history strip: which runs, in what order, how tall."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.core.run_strip import (
    MIN_HEIGHT,
    STRIP_RUNS,
    Bar,
    Run,
    bars,
    duration_of,
    height_of,
    strip_summary,
)

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def run(n: int, status: str = "succeeded", ms: float | None = 1000.0, ago_s: float = 60) -> Run:
    started = NOW - timedelta(seconds=ago_s)
    return Run(id=n, status=status, duration_ms=ms, started_at=started, queued_at=started)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (run(1, "succeeded", 1500.0), 1500.0),
        (run(1, "failed", 20.0), 20.0),
        (run(1, "failed", -5.0), 0.0),  # clock skew never draws a negative bar
        (run(1, "running", None, ago_s=90), 90_000.0),  # time so far
        (run(1, "waiting", None, ago_s=5), 5_000.0),
        (Run(1, "queued", None, None, NOW), None),  # not started yet
        (Run(1, "cancelled", None, None, NOW), None),  # cancelled while queued
    ],
)
def test_duration_of(given: Run, expected: float | None) -> None:
    assert duration_of(given, NOW) == expected


@pytest.mark.parametrize(
    ("duration", "longest", "height"),
    [
        (None, 1000.0, MIN_HEIGHT),
        (0.0, 1000.0, MIN_HEIGHT),
        (1000.0, 0.0, MIN_HEIGHT),
        (1000.0, 1000.0, 100),
        (250.0, 1000.0, 58),  # sqrt(0.25) = 0.5 of the range above the minimum
        (1.0, 300_000.0, MIN_HEIGHT),  # 1 ms next to 5 min: the minimum, still seen
        (5000.0, 1000.0, 100),  # never above the top
    ],
)
def test_height_of(duration: float | None, longest: float, height: int) -> None:
    assert height_of(duration, longest) == height


def test_bars_are_the_newest_runs_oldest_first() -> None:
    runs = [run(n, ms=float(n)) for n in range(1, 41)]
    strip = bars(list(reversed(runs)), NOW)
    assert [b.id for b in strip] == list(range(11, 41))
    assert len(strip) == STRIP_RUNS
    assert strip[-1].height == 100 and strip[0].height < strip[-1].height


def test_bars_carry_status_duration_and_time() -> None:
    strip = bars([run(1, "failed", 4000.0), run(2, "running", None, ago_s=2)], NOW)
    assert strip == [
        Bar(1, "failed", 100, 4000.0, NOW - timedelta(seconds=60)),
        Bar(2, "running", 75, 2000.0, NOW - timedelta(seconds=2)),
    ]


def test_a_queued_run_is_a_short_bar_at_its_queue_time() -> None:
    queued = Run(3, "queued", None, None, NOW)
    assert bars([queued], NOW) == [Bar(3, "queued", MIN_HEIGHT, None, NOW)]


def test_no_runs_no_bars() -> None:
    assert bars([], NOW) == []


@pytest.mark.parametrize(
    ("statuses", "text"),
    [
        ([], "No runs yet"),
        (["failed"], "Last run: 1 failed"),
        (
            ["succeeded", "failed", "succeeded", "running"],
            "Last 4 runs: 2 succeeded, 1 failed, 1 running",
        ),
    ],
)
def test_strip_summary(statuses: list[str], text: str) -> None:
    strip = [Bar(i, s, 50, 1.0, NOW) for i, s in enumerate(statuses)]
    assert strip_summary(strip) == text
