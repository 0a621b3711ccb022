"""A workflow's run-history strip: its last runs as bars, coloured by status, tall by duration.

As Airflow's grid and Prefect's run bars show it: oldest on the left, newest on the right; a
bar's height is its run's duration against the longest run of the strip (square-root scale,
so a 2 s run next to a 5 min one is still seen), never below `MIN_HEIGHT`. A run still going
counts the time it has run so far; a queued one (no duration yet) is a short bar. Pure: the
runs and `now` come in.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

STRIP_RUNS = 30  # runs a strip shows
MIN_HEIGHT = 15  # percent of the strip's height: a bar is always seen and clickable
UNFINISHED = {"queued", "running", "waiting", "paused"}


@dataclass(frozen=True)
class Run:
    """What a strip needs of one execution."""

    id: int
    status: str
    duration_ms: float | None
    started_at: datetime | None
    queued_at: datetime | None


@dataclass(frozen=True)
class Bar:
    id: int
    status: str
    height: int  # percent of the strip's height
    duration_ms: float | None  # a running run's time so far
    at: datetime | None  # when it started (queued runs: when they were queued)


def duration_of(run: Run, now: datetime) -> float | None:
    """The run's duration; a running one's time so far; None when it has not started."""
    if run.duration_ms is not None and run.status not in UNFINISHED:
        return max(0.0, run.duration_ms)
    if run.started_at is not None and run.status in UNFINISHED:
        return max(0.0, (now - run.started_at).total_seconds() * 1000)
    return run.duration_ms


def height_of(duration_ms: float | None, longest_ms: float) -> int:
    if not duration_ms or longest_ms <= 0:
        return MIN_HEIGHT
    share = math.sqrt(min(duration_ms, longest_ms) / longest_ms)
    return max(MIN_HEIGHT, round(MIN_HEIGHT + (100 - MIN_HEIGHT) * share))


def bars(runs: Sequence[Run], now: datetime, limit: int = STRIP_RUNS) -> list[Bar]:
    """The newest `limit` runs as bars, oldest first (runs may come in any order)."""
    newest = sorted(runs, key=lambda r: r.id, reverse=True)[:limit]
    durations = {r.id: duration_of(r, now) for r in newest}
    longest = max((d for d in durations.values() if d), default=0.0)
    return [
        Bar(
            id=r.id,
            status=r.status,
            height=height_of(durations[r.id], longest),
            duration_ms=durations[r.id],
            at=r.started_at or r.queued_at,
        )
        for r in reversed(newest)
    ]


def strip_summary(strip: Sequence[Bar]) -> str:
    """What a screen reader hears for the strip: `Last 30 runs: 27 succeeded, 3 failed`."""
    if not strip:
        return "No runs yet"
    counts = Counter(bar.status for bar in strip)
    parts = ", ".join(f"{n} {status}" for status, n in counts.most_common())
    noun = "run" if len(strip) == 1 else f"{len(strip)} runs"
    return f"Last {noun}: {parts}"
