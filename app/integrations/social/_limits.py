"""Reading how long a rate-limited platform asks to wait, for X and Bluesky.

Both may answer 429 with `Retry-After` and also with the moment the limit resets, as epoch
seconds: X in `x-rate-limit-reset`, Bluesky (its PDS) in `ratelimit-reset`. The longer of the
two is the wait; neither present means the platform said nothing (`None`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import httpx

from app.core.retry_after import parse_retry_after

_MAX_S = 10**7


def reset_wait(header: str) -> Callable[[httpx.Response], float | None]:
    """A `wait_of` for `_http.send`: `Retry-After`, or the reset epoch in `header`."""

    def wait_of(response: httpx.Response) -> float | None:
        now = datetime.now(UTC)
        waits = [parse_retry_after(response.headers.get("retry-after"), now)]
        raw = (response.headers.get(header) or "").strip()
        if raw.isascii() and raw.isdigit():
            waits.append(min(max(0.0, int(raw[:12]) - now.timestamp()), _MAX_S))
        known = [w for w in waits if w is not None]
        return max(known) if known else None

    return wait_of
