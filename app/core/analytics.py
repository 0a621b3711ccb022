"""Pure maths of the run analytics: duration histograms, percentiles, rates, periods, CSV.

Durations (and queue waits) are counted in a fixed log-spaced histogram so that the rollup
tables can keep one integer column per bucket (`d0..dN`, `q0..qN`) and SQL can add them up
over any set of hours or days. Bucket 0 holds [0, 1 ms); bucket i (1 <= i < N-1) holds
[2**((i-1)/3), 2**(i/3)) ms; the last bucket holds everything from 2**30 ms (~12.4 days) on.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from app.core.errors import Problem, ValidationFailed

#: How many histogram buckets (columns d0..d91 / q0..q91 in the rollup tables).
HIST_BUCKETS = 92
#: Each bucket's upper bound grows by this factor: three buckets per doubling.
HIST_RATIO = 2 ** (1 / 3)
#: Upper bounds (exclusive) of buckets 0..N-2; the last bucket is open-ended.
HIST_BOUNDS: tuple[float, ...] = tuple(2 ** (i / 3) for i in range(HIST_BUCKETS - 1))
#: Worst relative error of a percentile taken from the histogram (see `percentile`).
PERCENTILE_MAX_RELATIVE_ERROR = 2 ** (1 / 6) - 1


def bucket_index(value_ms: float) -> int:
    """The histogram bucket of one duration in milliseconds (negative counts as 0)."""
    return bisect.bisect_right(HIST_BOUNDS, max(value_ms, 0.0))


def histogram(values: Iterable[float]) -> list[int]:
    """Counts per bucket of `values` (milliseconds)."""
    counts = [0] * HIST_BUCKETS
    for value in values:
        counts[bucket_index(value)] += 1
    return counts


def merge(histograms: Iterable[Sequence[int]]) -> list[int]:
    """Bucket-wise sum of histograms (rollup rows of several hours, days or workflows)."""
    total = [0] * HIST_BUCKETS
    for counts in histograms:
        for i, count in enumerate(counts):
            total[i] += count
    return total


def bucket_value(index: int) -> float:
    """The value a percentile falling into bucket `index` is reported as.

    Bucket 0 ([0, 1 ms)) reports 0.5 ms, the open last bucket its lower bound (2**30 ms), any
    other bucket [a, a·r) its geometric middle a·√r, which is within a factor 2**(1/6) of
    every value in the bucket: at most 12.2 % off (`PERCENTILE_MAX_RELATIVE_ERROR`).
    """
    if not 0 <= index < HIST_BUCKETS:
        raise ValueError(f"bucket index must be in 0..{HIST_BUCKETS - 1}, got {index}")
    if index == 0:
        return 0.5
    if index == HIST_BUCKETS - 1:
        return HIST_BOUNDS[-1]
    return math.sqrt(HIST_BOUNDS[index - 1] * HIST_BOUNDS[index])


def percentile(counts: Sequence[int], p: float) -> float | None:
    """The `p`-th percentile (0 < p <= 100) of the values counted in a histogram, or None.

    Nearest rank: the value of rank ceil(p/100 · n) in sorted order. The rank is exact; the
    value is its bucket's `bucket_value`, so the answer is within 12.2 % of the true nearest-rank
    percentile for values from 1 ms to 2**30 ms (~12.4 days), within 0.5 ms below 1 ms, and
    at least 2**30 ms above that.
    """
    if not 0 < p <= 100 or math.isnan(p):
        raise ValueError(f"percentile must be in (0, 100], got {p}")
    total = sum(counts)
    if total <= 0:
        return None
    rank = max(1, math.ceil(p / 100 * total - 1e-9))
    seen = 0
    for index, count in enumerate(counts):
        seen += count
        if seen >= rank:
            return round(bucket_value(index), 1)
    return round(bucket_value(HIST_BUCKETS - 1), 1)  # pragma: no cover - counts sum to total


def rate(part: float, whole: float) -> float | None:
    """`part / whole` in [0, 1] rounded to 4 places, or None when `whole` is 0."""
    if whole < 0 or part < 0 or part > whole:
        raise ValueError(f"need 0 <= part <= whole, got {part}/{whole}")
    return None if whole == 0 else round(part / whole, 4)


def average(total: float, count: int) -> float | None:
    """`total / count` rounded to 0.1, or None when `count` is 0."""
    return None if count <= 0 else round(total / count, 1)


# --- periods ---------------------------------------------------------------------------------

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
#: Longest period a chart covers.
MAX_PERIOD = timedelta(days=366)
#: Up to this long a period is charted per hour, longer ones per day.
HOURLY_UP_TO = timedelta(days=2)
MAX_DAYS = 366
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Period:
    """A chart's time range: [start, end), its granularity, and every bucket in it.

    `start` is aligned down to its granularity (an hour or a UTC day) so that every bucket is
    whole; `end` is the moment asked for (now, usually): the last bucket is the one in progress.
    """

    start: datetime
    end: datetime
    granularity: str  # "hour" | "day"

    @property
    def step(self) -> timedelta:
        return HOUR if self.granularity == "hour" else DAY

    @property
    def buckets(self) -> list[datetime]:
        """The start of every bucket, gaps included."""
        out, t = [], self.start
        while t < self.end:
            out.append(t)
            t += self.step
        return out

    def as_dict(self) -> dict[str, str]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "granularity": self.granularity,
        }


def floor_hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def floor_day(moment: datetime) -> datetime:
    return floor_hour(moment).replace(hour=0)


def make_period(
    *,
    now: datetime,
    days: int | None = 7,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Period:
    """The period of `days` up to `now`, or the custom [`start`, `end`) (both aware).

    Raises ValidationFailed naming the field (`days`, `start`, `end`) on bad input: days
    outside 1..366, a naive or missing bound, end not after start, or a range over 366 days.
    """
    problems: list[Problem] = []
    if start is not None or end is not None:
        for name, value in (("start", start), ("end", end)):
            if value is None:
                problems.append(Problem(name, "give both start and end"))
            elif value.tzinfo is None:
                problems.append(Problem(name, "needs a time zone (UTC)"))
        if problems:
            raise ValidationFailed(problems)
        assert start is not None and end is not None
        if end <= start:
            raise ValidationFailed([Problem("end", "must be after start")])
        if end - start > MAX_PERIOD:
            raise ValidationFailed([Problem("end", "a period is at most 366 days")])
        if start < EARLIEST or end > LATEST:
            raise ValidationFailed([Problem("start", "the period must lie in 1970..9998")])
        lo, hi = start.astimezone(UTC), end.astimezone(UTC)
    else:
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
            raise ValidationFailed([Problem("days", f"must be a whole number 1..{MAX_DAYS}")])
        hi = now.astimezone(UTC)
        lo = hi - timedelta(days=days)
    granularity = "hour" if hi - lo <= HOURLY_UP_TO else "day"
    aligned = floor_hour(lo) if granularity == "hour" else floor_day(lo)
    return Period(start=aligned, end=hi, granularity=granularity)


# --- CSV ---------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, sort_keys=True, default=str)
    text = str(value)
    # A spreadsheet would run a cell starting like a formula: quote it as text.
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """Rows as CSV text with a header (the keys in order of first appearance, or `columns`).

    Missing values are empty cells; lists and dicts are JSON; text that a spreadsheet would
    take for a formula gets a leading apostrophe.
    """
    if columns is None:
        columns = list(dict.fromkeys(key for row in rows for key in row))
    names = list(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in names])
    return buffer.getvalue()
