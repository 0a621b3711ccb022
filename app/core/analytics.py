"""Pure maths of the run analytics: duration histograms, percentiles, rates, periods, CSV.

Durations (and queue waits) are counted in a fixed log-spaced histogram so that the rollup
tables can keep one integer column per bucket (`d0..dN`, `q0..qN`) and SQL can add them up
over any set of hours or days. Bucket 0 holds [0, 1 ms); bucket i (1 <= i < N-1) holds
[2**((i-1)/3), 2**(i/3)) ms; the last bucket holds everything from 2**30 ms (~12.4 days) on.
"""

from __future__ import annotations

import bisect

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
