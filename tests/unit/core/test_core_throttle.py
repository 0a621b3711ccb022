"""Back-off after failed attempts: wait tables, forgetting, and the texts a person reads."""

from __future__ import annotations

import pytest

from app.core.throttle import (
    NONE,
    Backoff,
    Failures,
    after_failure,
    current,
    retry_after,
    wait_text,
    whole_seconds,
)

POLICY = Backoff(free=3, first_wait_s=2.0, max_wait_s=60.0, forget_after_s=600.0)


@pytest.mark.parametrize(
    ("failures", "wait"),
    [(0, 0.0), (1, 0.0), (3, 0.0), (4, 2.0), (5, 4.0), (6, 8.0), (8, 32.0), (9, 60.0), (500, 60.0)],
)
def test_wait_doubles_after_the_free_failures_up_to_the_cap(failures: int, wait: float) -> None:
    assert POLICY.wait_after(failures) == wait


@pytest.mark.parametrize(
    ("history", "now", "expected"),
    [
        (NONE, 1000.0, 0.0),  # nothing failed yet
        (Failures(3, 1000.0), 1000.0, 0.0),  # still free
        (Failures(4, 1000.0), 1000.0, 2.0),  # first counted failure, right now
        (Failures(4, 1000.0), 1001.5, 0.5),  # part of the wait has passed
        (Failures(4, 1000.0), 1002.0, 0.0),  # the wait is over
        (Failures(6, 1000.0), 1003.0, 5.0),  # 8 s wait, 3 s passed
        (Failures(50, 1000.0), 1000.0, 60.0),  # capped
        (Failures(50, 1000.0), 1599.0, 0.0),  # the 60 s cap passed long ago
        (Failures(50, 1000.0), 1600.0, 0.0),  # forgotten
        (Failures(5, None), 1000.0, 0.0),  # no time: nothing to wait for
    ],
)
def test_retry_after(history: Failures, now: float, expected: float) -> None:
    assert retry_after(history, now, POLICY) == pytest.approx(expected)


def test_after_failure_counts_and_forgets_old_history() -> None:
    history = NONE
    for n in range(1, 6):
        history = after_failure(history, 1000.0 + n, POLICY)
        assert history == Failures(n, 1000.0 + n)
    assert retry_after(history, 1005.0, POLICY) == 4.0
    assert after_failure(history, 1005.0 + 600.0, POLICY) == Failures(1, 1605.0)
    assert current(history, 1604.9, POLICY) == history
    assert current(history, 1605.0, POLICY) == NONE


def test_a_burst_from_one_client_is_slowed_down_exponentially() -> None:
    """30 attempts, each made as soon as it is allowed: the total time grows with the waits."""
    history, now = NONE, 0.0
    for _ in range(30):
        now += retry_after(history, now, POLICY)
        history = after_failure(history, now, POLICY)
    # 3 free, then 2+4+8+16+32 s, then 60 s each for the remaining 21 waits
    assert now == pytest.approx(2 + 4 + 8 + 16 + 32 + 60 * 21)


@pytest.mark.parametrize(
    ("wait", "seconds", "text"),
    [
        (0.2, 1, "1 s"),
        (1.0, 1, "1 s"),
        (7.01, 8, "8 s"),
        (119.0, 119, "119 s"),
        (121, 121, "3 min"),
    ],
)
def test_wait_texts(wait: float, seconds: int, text: str) -> None:
    assert whole_seconds(wait) == seconds
    assert wait_text(wait) == text
