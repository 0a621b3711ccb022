"""What the operations platform modules share: an answer turned into a `Delivery`."""

from __future__ import annotations

from typing import Any

import httpx

from app.integrations.delivery import Delivery, http_failure_kind

_DETAIL = 300


def json_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def delivered(response: httpx.Response, who: str, detail: str = "") -> Delivery:
    """Success for a 2xx answer; otherwise a failure naming `who`, the status and the body."""
    code = response.status_code
    if response.is_success:
        return Delivery(True, code)
    text = detail or response.text.strip()[:_DETAIL] or "(empty body)"
    return Delivery(False, code, f"{who} answered {code}: {text}", http_failure_kind(code))


def unreachable(exc: httpx.HTTPError, who: str) -> Delivery:
    kind = "timeout" if isinstance(exc, httpx.TimeoutException) else "connection"
    return Delivery(False, None, f"{who} could not be reached: {exc.__class__.__name__}", kind)
