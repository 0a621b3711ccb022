"""Histogram buckets, percentiles from merged histograms, rates, periods and CSV."""

from __future__ import annotations

import csv
import io
import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from app.core import analytics as a
from app.core.errors import ValidationFailed

NOW = datetime(2026, 12, 1, 18, 25, 40, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "index"),
    [
        (-5, 0),
        (0, 0),
        (0.999, 0),
        (1, 1),
        (1.25, 1),
        (2 ** (1 / 3), 2),
        (2, 4),
        (1000, 30),
        (2**30 - 1, 90),
        (2**30, 91),
        (1e15, 91),
    ],
)
def test_bucket_index(value: float, index: int) -> None:
    assert a.bucket_index(value) == index


def test_every_value_lies_in_its_bucket_and_the_reported_value_is_close() -> None:
    rng = random.Random(7)
    for _ in range(5000):
        value = math.exp(rng.uniform(0, math.log(2**30)))
        index = a.bucket_index(value)
        assert a.HIST_BOUNDS[index - 1] <= value < a.HIST_BOUNDS[index]
        error = abs(a.bucket_value(index) - value) / value
        assert error <= a.PERCENTILE_MAX_RELATIVE_ERROR + 1e-12


def test_percentile_of_known_data() -> None:
    values = list(range(1, 101))  # 1..100 ms
    counts = a.histogram(values)
    assert sum(counts) == 100
    for p, exact in ((50, 50), (95, 95), (99, 99), (100, 100), (1, 1)):
        got = a.percentile(counts, p)
        assert got is not None
        assert abs(got - exact) / exact <= a.PERCENTILE_MAX_RELATIVE_ERROR


def test_percentile_of_merged_histograms_equals_that_of_all_values() -> None:
    rng = random.Random(3)
    parts = [[rng.lognormvariate(5, 1.5) for _ in range(200)] for _ in range(6)]
    merged = a.merge(a.histogram(part) for part in parts)
    assert merged == a.histogram(v for part in parts for v in part)
    everything = sorted(v for part in parts for v in part)
    for p in (50, 95, 99):
        exact = everything[math.ceil(p / 100 * len(everything)) - 1]
        got = a.percentile(merged, p)
        assert got is not None
        assert abs(got - exact) / exact <= a.PERCENTILE_MAX_RELATIVE_ERROR


def test_percentile_edges() -> None:
    assert a.percentile([0] * a.HIST_BUCKETS, 50) is None
    assert a.percentile(a.histogram([0.2]), 50) == 0.5
    assert a.percentile(a.histogram([10**12]), 99) == float(2**30)
    for bad in (0, -1, 101, float("nan")):
        with pytest.raises(ValueError):
            a.percentile(a.histogram([1]), bad)
    with pytest.raises(ValueError):
        a.bucket_value(a.HIST_BUCKETS)


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(0, 0, None), (0, 4, 0.0), (1, 3, 0.3333), (4, 4, 1.0)],
)
def test_rate(part: int, whole: int, expected: float | None) -> None:
    assert a.rate(part, whole) == expected


@pytest.mark.parametrize(("part", "whole"), [(5, 4), (-1, 4), (0, -1)])
def test_rate_refuses_impossible_counts(part: int, whole: int) -> None:
    with pytest.raises(ValueError):
        a.rate(part, whole)


def test_average() -> None:
    assert a.average(10, 0) is None
    assert a.average(10, 3) == 3.3


def test_one_day_is_hourly_with_25_buckets_ending_now() -> None:
    period = a.make_period(now=NOW, days=1)
    assert period.granularity == "hour"
    assert period.start == datetime(2026, 11, 30, 18, tzinfo=UTC)
    assert period.end == NOW
    buckets = period.buckets
    assert len(buckets) == 25 and buckets[-1] == datetime(2026, 12, 1, 18, tzinfo=UTC)
    assert all(b - c == timedelta(hours=1) for b, c in zip(buckets[1:], buckets, strict=False))
    assert period.as_dict()["granularity"] == "hour"


@pytest.mark.parametrize(("days", "buckets"), [(7, 8), (30, 31), (90, 91), (366, 367)])
def test_longer_periods_are_daily(days: int, buckets: int) -> None:
    period = a.make_period(now=NOW, days=days)
    assert period.granularity == "day"
    assert period.start == datetime(2026, 12, 1, tzinfo=UTC) - timedelta(days=days)
    assert len(period.buckets) == buckets


def test_custom_range() -> None:
    start = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    period = a.make_period(now=NOW, start=start, end=start + timedelta(days=2))
    assert period.granularity == "hour" and period.start == datetime(2026, 11, 1, 5, tzinfo=UTC)
    assert len(period.buckets) == 49
    period = a.make_period(now=NOW, start=start, end=start + timedelta(days=366))
    assert period.granularity == "day" and len(period.buckets) == 367


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"days": 0}, "days"),
        ({"days": 367}, "days"),
        ({"days": True}, "days"),
        ({"days": None}, "days"),
        ({"start": NOW}, "end"),
        ({"end": NOW}, "start"),
        ({"start": NOW.replace(tzinfo=None), "end": NOW}, "start"),
        ({"start": NOW, "end": NOW}, "end"),
        ({"start": NOW, "end": NOW - timedelta(hours=1)}, "end"),
        ({"start": NOW - timedelta(days=367), "end": NOW}, "end"),
        ({"start": datetime(1, 1, 1, tzinfo=UTC), "end": datetime(1, 2, 1, tzinfo=UTC)}, "start"),
        (
            {
                "start": datetime.max.replace(tzinfo=UTC) - timedelta(days=3),
                "end": datetime.max.replace(tzinfo=UTC),
            },
            "start",
        ),  # fmt: skip
    ],
)
def test_bad_periods_name_the_field(kwargs: dict, path: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        a.make_period(now=NOW, **kwargs)
    assert path in {p.path for p in caught.value.problems}


def test_csv() -> None:
    rows = [
        {"t": NOW, "runs": 3, "rate": 0.5, "name": "=cmd()", "tags": ["a"]},
        {"t": None, "runs": 0, "extra": "x,y", "name": "-2 fine?"},
    ]
    text = a.to_csv(rows)
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0] == ["t", "runs", "rate", "name", "tags", "extra"]
    assert parsed[1] == [NOW.isoformat(), "3", "0.5", "'=cmd()", '["a"]', ""]
    assert parsed[2] == ["", "0", "", "'-2 fine?", "", "x,y"]
    assert a.to_csv([], columns=["a", "b"]) == "a,b\r\n"
    assert a.to_csv([{"a": 1, "b": 2}], columns=["b"]) == "b\r\n2\r\n"
