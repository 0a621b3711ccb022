"""`Retry-After`: reading seconds and HTTP dates, and the wait it leads to under a policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.core.retry import RetryPolicy
from app.core.retry_after import parse_retry_after, retry_delay

NOW = datetime(2026, 10, 21, 7, 28, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("0", 0.0),
        ("2", 2.0),
        (" 120 ", 120.0),
        ("99999999999999", 1e7),  # absurd numbers are capped when read (then by the policy)
        ("-5", None),  # not delay-seconds, not a date
        ("1.5", None),  # delay-seconds are whole numbers
        ("soon", None),
        ("٣", None),  # a non-ASCII digit is not delay-seconds
        ("Wed, 21 Oct 2026 07:28:30 GMT", 30.0),  # IMF-fixdate
        ("Wednesday, 21-Oct-26 07:29:00 GMT", 60.0),  # obsolete RFC 850 form
        ("Wed Oct 21 07:28:10 2026", 10.0),  # asctime form: no zone, read as GMT
        ("Wed, 21 Oct 2026 07:27:00 GMT", 0.0),  # in the past: now
        ("Wed, 21 Oct 2026 09:28:00 +0200", 0.0),  # a zone other than GMT still compares right
        ("Wed, 32 Oct 2026 07:28:30 GMT", None),  # not a date
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, NOW) == seconds


EXPONENTIAL = RetryPolicy(strategy="exponential", delay_s=0.5, factor=2, max_delay_s=10)


@pytest.mark.parametrize(
    ("policy", "attempt", "kind", "retry_after", "wait"),
    [
        (EXPONENTIAL, 1, "http_429", None, 0.5),  # no header: the policy
        (EXPONENTIAL, 2, "http_429", None, 1.0),
        (EXPONENTIAL, 1, "http_429", 3.0, 3.0),  # the server asks longer: its value
        (EXPONENTIAL, 3, "http_429", 1.0, 2.0),  # the policy plans longer: the policy
        (EXPONENTIAL, 1, "http_429", 3600.0, 10.0),  # capped by max_delay_s
        (EXPONENTIAL, 1, "http_5xx", 4.0, 4.0),  # 503 may say Retry-After too
        (EXPONENTIAL, 1, "timeout", 4.0, 0.5),  # not a status that defines it: ignored
        (EXPONENTIAL, 1, "connection", 4.0, 0.5),
        (RetryPolicy(strategy="immediate"), 1, "http_429", 2.0, 2.0),
        (RetryPolicy(strategy="immediate", max_delay_s=0), 1, "http_429", 2.0, 0.0),
        (RetryPolicy(strategy="linear", delay_s=1, max_delay_s=5), 2, "http_429", 0.0, 2.0),
    ],
)
def test_retry_delay(
    policy: RetryPolicy, attempt: int, kind: str, retry_after: float | None, wait: float
) -> None:
    assert retry_delay(policy, attempt, kind, retry_after) == pytest.approx(wait)


def test_jitter_applies_to_the_policy_part_only() -> None:
    policy = RetryPolicy(strategy="linear", delay_s=4, max_delay_s=60, jitter=True)
    assert retry_delay(policy, 1, "http_429", None, rand=0.0) == pytest.approx(2.0)
    assert retry_delay(policy, 1, "http_429", 3.0, rand=0.0) == pytest.approx(3.0)


def test_a_date_is_relative_to_the_given_now() -> None:
    later = NOW + timedelta(seconds=20)
    assert parse_retry_after("Wed, 21 Oct 2026 07:28:30 GMT", later) == 10.0
