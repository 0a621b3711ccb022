"""Exponential back-off after failed attempts (sign-in, password checks). Pure: no clock, no I/O.

A `Failures` history (how many failures in a row, and when the last one was) and `now` go in;
how long the next attempt must wait comes out. The callers keep the history where they like
(a database row, an in-memory map) and pass the time in, so the rules are table-tested here.

    failures:  1 .. free    free+1   free+2   free+3  ...
    wait:      0            first    2*first  4*first ... capped at max_wait_s

A history older than `forget_after_s` (counted from its last failure) is forgotten.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """How many failures are free, how long the first wait is, its cap, and the memory span."""

    free: int = 3
    first_wait_s: float = 2.0
    max_wait_s: float = 900.0
    forget_after_s: float = 3600.0

    def wait_after(self, failures: int) -> float:
        """The wait that `failures` failures in a row earn, counted from the last one."""
        if failures <= self.free:
            return 0.0
        exponent = min(failures - self.free - 1, 64)  # 2**64 * first is past any cap
        return min(self.max_wait_s, self.first_wait_s * 2.0**exponent)


@dataclass(frozen=True)
class Failures:
    """Failures in a row and the time of the last one (seconds on the caller's clock)."""

    count: int = 0
    last_at: float | None = None


NONE = Failures()


def current(history: Failures, now: float, policy: Backoff) -> Failures:
    """`history`, or no failures at all once it is older than the policy remembers."""
    if history.count <= 0 or history.last_at is None:
        return NONE
    if now - history.last_at >= policy.forget_after_s:
        return NONE
    return history


def retry_after(history: Failures, now: float, policy: Backoff) -> float:
    """Seconds the next attempt must still wait; 0.0 when it may go ahead now."""
    history = current(history, now, policy)
    if history.last_at is None:
        return 0.0
    return max(0.0, policy.wait_after(history.count) - (now - history.last_at))


def after_failure(history: Failures, now: float, policy: Backoff) -> Failures:
    """The history once one more failure happened at `now`."""
    return Failures(count=current(history, now, policy).count + 1, last_at=now)


def whole_seconds(wait: float) -> int:
    """A wait as the whole seconds a `Retry-After` header or a message names (at least 1)."""
    return max(1, math.ceil(wait - 1e-9))


def wait_text(wait: float) -> str:
    """`8 s`, `2 min`: how a person reads a wait."""
    seconds = whole_seconds(wait)
    if seconds < 120:
        return f"{seconds} s"
    return f"{math.ceil(seconds / 60)} min"
