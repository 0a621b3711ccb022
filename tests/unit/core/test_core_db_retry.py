"""Which database errors are tried again, and the waits between tries."""

from __future__ import annotations

import pytest

from app.core.db_retry import BASE_DELAY_S, MAX_TRIES, is_retryable, retry_delay


@pytest.mark.parametrize(
    ("code", "retried"),
    [
        ("40P01", True),  # PostgreSQL: deadlock detected
        ("40001", True),  # PostgreSQL: serialization failure
        ("SQLITE_BUSY_SNAPSHOT", True),
        ("SQLITE_BUSY", False),  # the busy timeout already waited
        ("23505", False),  # a unique violation is an answer, not bad luck
        ("08006", False),  # a lost connection
        (None, False),
    ],
)
def test_is_retryable(code: str | None, retried: bool) -> None:
    assert is_retryable(code) is retried


@pytest.mark.parametrize(
    ("failed", "jitter", "delay"),
    [
        (1, 0.0, BASE_DELAY_S),
        (2, 0.0, BASE_DELAY_S * 2),
        (3, 0.5, BASE_DELAY_S * 4 * 1.5),
        (MAX_TRIES, 0.0, None),  # bounded: the last failure is raised
        (MAX_TRIES + 3, 0.9, None),
    ],
)
def test_retry_delay(failed: int, jitter: float, delay: float | None) -> None:
    assert retry_delay(failed, jitter) == delay
