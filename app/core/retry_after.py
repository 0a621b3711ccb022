"""How long to wait before retrying a call that answered `Retry-After`. Pure.

A server that answers 429 (too many requests) or 503 (unavailable) may say when to come back:
`Retry-After: 120` (seconds) or `Retry-After: Wed, 21 Oct 2026 07:28:00 GMT` (an HTTP date,
RFC 9110 §10.2.3). The wait before the next attempt is then the longer of what the server asked
and what the retry policy plans (`app.core.retry.delay_for`), capped by the policy's
`max_delay_s`: a server asking for an hour cannot park a run for an hour. A value that cannot
be read is ignored (the policy's delay applies), a date in the past means "now".
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from app.core.retry import RetryPolicy, delay_for

#: The failure kinds whose `Retry-After` is honoured (the statuses that define it).
HONOURED_KINDS = frozenset({"http_429", "http_5xx"})
_MAX_SECONDS = 10**7  # about 4 months: a bigger number is read, then capped like any other


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from `now` as `value` says, or None when it says nothing readable.

    `value` is delay-seconds (a non-negative integer) or an HTTP date; `now` must be aware.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return float(min(int(text[:9]), _MAX_SECONDS))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # "-0000" dates parse naive; HTTP dates are always GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def retry_delay(
    policy: RetryPolicy,
    attempt_number: int,
    kind: str,
    retry_after_s: float | None,
    rand: float = 0.5,
) -> float:
    """Seconds to wait after attempt `attempt_number` failed as `kind` before the next one.

    The policy's delay, or the server's `Retry-After` when it is longer and `kind` is a 429 or
    a 5xx; never more than `max_delay_s`.
    """
    planned = delay_for(policy, attempt_number, rand)
    if retry_after_s is None or kind not in HONOURED_KINDS:
        return planned
    return min(max(planned, retry_after_s), policy.max_delay_s)
