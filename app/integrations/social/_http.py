"""Helpers the social platform modules share: a request that waits out a short 429, and the
`Delivery` / `VerifyResult` for an answer that was not a success.

A 429 (too many requests) is waited out inside the post when the platform asks for at most
`MAX_WAIT_S` seconds (`Retry-After`, or a platform's own field through `wait_of`), at most
`TRIES` requests in all; a longer wait is reported as kind `http_429`, so that the step's retry
policy (which honours `Retry-After` up to its own cap) decides.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from app.core.retry_after import parse_retry_after
from app.integrations.delivery import Delivery, VerifyResult, http_failure_kind

MAX_WAIT_S = 10.0
TRIES = 3
NO_HEADER_WAIT_S = 1.0  # a 429 that says nothing about when to come back
_DETAIL = 300

WaitOf = Callable[[httpx.Response], float | None]


def json_of(response: httpx.Response) -> dict[str, Any]:
    """The answer's JSON object, or `{}` when it is not one."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def retry_after_of(response: httpx.Response) -> float | None:
    """Seconds the answer's `Retry-After` header asks to wait (None when it says nothing)."""
    return parse_retry_after(response.headers.get("retry-after"), datetime.now(UTC))


async def send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    wait_of: WaitOf = retry_after_of,
    max_wait_s: float = MAX_WAIT_S,
    tries: int = TRIES,
    **kwargs: Any,
) -> httpx.Response:
    """`client.request(method, url, **kwargs)`, sent again after a 429 asking for a short wait.

    Returns the last answer: a 429 is still a 429 when the wait asked for is too long or the
    tries are used up.
    """
    for attempt in range(1, tries + 1):
        response = await client.request(method, url, **kwargs)
        if response.status_code != 429 or attempt == tries:
            return response
        wait = wait_of(response)
        wait = NO_HEADER_WAIT_S if wait is None else wait
        if wait > max_wait_s:
            return response
        await asyncio.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def failed(
    response: httpx.Response, who: str, detail: str = "", *, wait_of: WaitOf = retry_after_of
) -> Delivery:
    """A failed `Delivery` for an answer that was not a success, named after the platform."""
    code = response.status_code
    text = detail or response.text.strip()[:_DETAIL] or "(empty body)"
    if code == 429:
        wait = wait_of(response)
        after = f"; it asks to retry after {wait:g} s" if wait is not None else ""
        return Delivery(False, code, f"{who} is rate limiting (429){after}: {text}", "http_429")
    if code in (401, 403):
        text = f"the credentials were refused ({text})"
    return Delivery(False, code, f"{who} answered {code}: {text}", http_failure_kind(code))


def check_failed(response: httpx.Response, who: str, detail: str = "") -> VerifyResult:
    """A failed `VerifyResult` for an answer that was not a success."""
    delivery = failed(response, who, detail)
    return VerifyResult(False, delivery.error or "", response.status_code)
