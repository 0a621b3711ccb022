"""Small statistics for dashboards and workflow counters.

Kept pure so the numbers on the status page (p95 duration, success rate, running average) are
computed the same way everywhere and can be checked against hand-worked tables.
"""

from __future__ import annotations

import math
from collections.abc import Iterable


def percentile(values: Iterable[float], p: float) -> float | None:
    """The `p`-th percentile (0..100) of `values` with linear interpolation, or None if empty.

    Linear interpolation between closest ranks is what numpy and PostgreSQL's
    `percentile_cont` do, so numbers match those tools.
    """
    if not 0 <= p <= 100 or math.isnan(p):
        raise ValueError(f"percentile must be between 0 and 100, got {p}")
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (rank - low))


def success_rate(successes: int, total: int) -> float | None:
    """Share of successful runs as a fraction in [0, 1], or None when nothing ran yet.

    None rather than 0 so that a brand-new workflow does not look broken on the dashboard.
    """
    if total < 0 or successes < 0 or successes > total:
        raise ValueError(f"need 0 <= successes <= total, got {successes}/{total}")
    return None if total == 0 else successes / total


def running_average(old_avg: float | None, old_count: int, new_value: float) -> float:
    """Average after adding `new_value` to `old_count` values averaging `old_avg`.

    Lets the workflow row keep an average duration without re-reading every execution.
    """
    if old_count < 0:
        raise ValueError(f"old_count must be >= 0, got {old_count}")
    if old_count == 0 or old_avg is None:
        return float(new_value)
    return old_avg + (new_value - old_avg) / (old_count + 1)
