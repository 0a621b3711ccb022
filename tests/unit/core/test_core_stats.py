"""Dashboard statistics against hand-worked values."""

from __future__ import annotations

import pytest

from app.core.stats import percentile, running_average, success_rate


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([], 50, None),
        ([7], 95, 7.0),
        ([1, 2, 3, 4], 0, 1.0),
        ([1, 2, 3, 4], 100, 4.0),
        ([1, 2, 3, 4], 50, 2.5),
        ([4, 1, 3, 2], 50, 2.5),
        ([10, 20, 30, 40, 50], 90, 46.0),
        ([15, 20, 35, 40, 50], 40, 29.0),
        (range(1, 101), 95, 95.05),
    ],
)
def test_percentile(values: list[float], p: float, expected: float | None) -> None:
    result = percentile(values, p)
    assert result == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize("p", [-1, 101, float("nan")])
def test_percentile_rejects_bad_p(p: float) -> None:
    with pytest.raises(ValueError):
        percentile([1, 2], p)


@pytest.mark.parametrize(
    ("successes", "total", "expected"),
    [(0, 0, None), (0, 4, 0.0), (3, 4, 0.75), (4, 4, 1.0)],
)
def test_success_rate(successes: int, total: int, expected: float | None) -> None:
    assert success_rate(successes, total) == expected


@pytest.mark.parametrize(("successes", "total"), [(5, 4), (-1, 3), (0, -1)])
def test_success_rate_rejects_impossible_counts(successes: int, total: int) -> None:
    with pytest.raises(ValueError):
        success_rate(successes, total)


@pytest.mark.parametrize(
    ("old_avg", "old_count", "new_value", "expected"),
    [
        (None, 0, 120.0, 120.0),
        (0.0, 0, 5.0, 5.0),
        (100.0, 1, 200.0, 150.0),
        (10.0, 3, 30.0, 15.0),
    ],
)
def test_running_average(
    old_avg: float | None, old_count: int, new_value: float, expected: float
) -> None:
    assert running_average(old_avg, old_count, new_value) == pytest.approx(expected)


def test_running_average_matches_plain_mean() -> None:
    values = [3.0, 9.5, 1.25, 40.0, 7.0]
    avg: float | None = None
    for count, value in enumerate(values):
        avg = running_average(avg, count, value)
    assert avg == pytest.approx(sum(values) / len(values))
