"""The timeline's shared time axis: round tick intervals, labels, and bars on the scale."""

from __future__ import annotations

import pytest

from app.core.time_axis import Bar, axis, axis_end, bar, nice_step, ticks, time_label


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        (0, 0.001),
        (0.006, 0.001),
        (0.3, 0.05),
        (1.23, 0.25),
        (7, 2),
        (59, 10),
        (400, 120),  # 2 min, not 100 s
        (5000, 1200),  # 20 min
        (90000, 18000),  # 5 h
    ],
)
def test_nice_step_is_round_in_the_unit_people_read(span: float, expected: float) -> None:
    assert nice_step(span) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("last", "end", "labels"),
    [
        (0.0004, 0.001, ["0", "0.2 ms", "0.4 ms", "0.6 ms", "0.8 ms", "1 ms"]),
        (0.0123, 0.0125, ["0", "2.5 ms", "5 ms", "7.5 ms", "10 ms", "12.5 ms"]),
        (1.23, 1.25, ["0", "250 ms", "500 ms", "750 ms", "1 s", "1.25 s"]),
        (0.3, 0.3, ["0", "50 ms", "100 ms", "150 ms", "200 ms", "250 ms", "300 ms"]),
        (0.646, 0.75, ["0", "250 ms", "500 ms", "750 ms"]),  # not 0.8 s: less room wasted
        (7, 7.5, ["0", "2.5 s", "5 s", "7.5 s"]),
        (59, 60, ["0", "10 s", "20 s", "30 s", "40 s", "50 s", "60 s"]),  # most ticks at a tie
        (400, 450, ["0", "2.5 min", "5 min", "7.5 min"]),
        (90000, 90000, ["0", "5 h", "10 h", "15 h", "20 h", "25 h"]),
    ],
)
def test_the_axis_ends_on_a_tick_and_labels_are_as_precise_as_needed(
    last: float, end: float, labels: list[str]
) -> None:
    assert axis_end(last) == pytest.approx(end)
    marks = ticks(*axis(last))
    assert [t.label for t in marks] == labels
    assert marks[0].pct == 0 and marks[-1].pct == pytest.approx(100)


@pytest.mark.parametrize(
    ("seconds", "step", "label"),
    [
        (0, 1, "0"),
        (0.5, 0.25, "500 ms"),
        (1.5, 0.5, "1.5 s"),
        (120, 60, "2 min"),
        (7200, 3600, "2 h"),
    ],
)
def test_time_label(seconds: float, step: float, label: str) -> None:
    assert time_label(seconds, step) == label


@pytest.mark.parametrize(
    ("start", "end", "axis", "expected"),
    [
        (2, 5, 10, Bar(20, 30)),  # 2 s to 5 s of 10 s
        (0, 10, 10, Bar(0, 100)),
        (0, 0.001, 10, Bar(0, 0.8)),  # too short to see: the minimum sliver
        (9.999, 10, 10, Bar(99.2, 0.8)),  # a sliver at the end stays inside the axis
        (0, 12, 10, Bar(0, 100)),  # clipped to the axis
        (1, 2, 0, Bar(0, 0.8)),  # no axis yet
    ],
)
def test_bars_on_the_shared_axis(start: float, end: float, axis: float, expected: Bar) -> None:
    assert bar(start, end, axis) == expected


def test_parallel_steps_overlap_on_the_axis() -> None:
    axis = axis_end(0.45)
    a, b = bar(0.0, 0.2, axis), bar(0.0, 0.21, axis)
    c = bar(0.21, 0.45, axis)
    assert a.left == b.left and a.left + a.width > b.left  # ran together
    assert c.left >= b.left + b.width - 1e-6  # ran after
