"""What a metric source read for one page (`Reading`), and what every source module shares.

A source never raises for what the network or the remote side did: a `Reading` holds the
values (sample name → number) or the error with its failure kind in the retry policy's words
(`http_429`, `http_5xx`, `timeout`, `connection`, `error`), like a `Delivery` for a post.
A 429 asking for a short wait is waited out inside the request (`app.integrations.social._http
.send`, which honours `Retry-After` up to a bound).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from app.integrations.delivery import VerifyResult
from app.integrations.social._http import failed, json_of, send

__all__ = ["Page", "Reading", "detail_of", "json_of", "refused", "refused_check", "send"]


@dataclass(frozen=True)
class Page:
    """The page metrics are read for: its public URL and that URL's path."""

    url: str
    path: str
    first: date  # the window's first day
    last: date  # and its last (both included)


@dataclass(frozen=True)
class Reading:
    ok: bool
    values: dict[str, float] = field(default_factory=dict)
    status: int | None = None
    error: str | None = None
    kind: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "status": self.status, "error": self.error, "kind": self.kind}


def detail_of(response: httpx.Response) -> str:
    """The error text of an answer: `{"error": "…"}` (Plausible, Umami) or Google's
    `{"error": {"message": "…"}}`; empty when the body says nothing readable."""
    error = json_of(response).get("error")
    if isinstance(error, dict):
        error = error.get("message")
    return str(error)[:300] if error else ""


def refused(response: httpx.Response, who: str) -> Reading:
    """A failed `Reading` for an answer that was not a success, named after the source."""
    delivery = failed(response, who, detail_of(response))
    return Reading(False, status=response.status_code, error=delivery.error, kind=delivery.kind)


def refused_check(response: httpx.Response, who: str) -> VerifyResult:
    delivery = failed(response, who, detail_of(response))
    return VerifyResult(False, delivery.error or "", response.status_code)
