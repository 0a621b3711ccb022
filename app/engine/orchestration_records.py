"""What an orchestration run keeps of each call, and how it is stored: masked, then capped.

A `CallRecord` holds what the call really did (the rendered URL, the request it sent, the
response as received) for the run itself: later calls read it through their templates and a
workflow step hands it on. `as_dict()` is the form everything stored, published or shown
takes: every known secret value and secret-named key masked (`app.core.redact`), response and
request bodies capped to `BODY_LIMIT` bytes of JSON (`app.core.stored_data`). Masking happens
when `as_dict()` is called, with every secret the run knows by then, so a credential a later
call loads is masked in an earlier call's record too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.core.redact import SecretValues, redact
from app.core.stored_data import cap_value, stored_error, stored_value

BODY_LIMIT = 64 * 1024  # bytes of JSON kept of one response or request body
#: A body bigger than this is masked and capped once in a thread when it arrives, and
#: `as_dict()` reuses that (on the loop, where callers store records as calls go on).
BIG_BODY_BYTES = 256 * 1024
ERROR_LIMIT = 5_000
CALL_STATUSES = ("pending", "running", "succeeded", "failed", "skipped", "cancelled")


@dataclass
class CallAttempt:
    """One try of a call: when it started (ms from the run's start), how long, how it failed."""

    number: int
    start_ms: float
    duration_ms: float | None = None
    status_code: int | None = None
    error: str | None = None
    kind: str | None = None

    def as_dict(self, secrets: tuple[str, ...]) -> dict[str, Any]:
        return {
            "number": self.number,
            "start_ms": self.start_ms,
            "duration_ms": self.duration_ms,
            "status_code": self.status_code,
            "error": stored_error(self.error, secrets, ERROR_LIMIT),
            "kind": self.kind,
        }


@dataclass
class CallRecord:
    """One call of a run. `response`/`request` hold what was sent and received, unmasked."""

    id: str
    method: str
    status: str = "pending"
    reason: str | None = None
    url: str = ""
    status_code: int | None = None
    start_ms: float | None = None
    duration_ms: float | None = None
    attempts: list[CallAttempt] = field(default_factory=list)
    extracted: dict[str, Any] = field(default_factory=dict)
    response_bytes: int | None = None
    #: {"status", "headers", "body"} of the last answer, as received (body parsed when JSON).
    response: dict[str, Any] | None = None
    #: {"headers", "body"} as sent (connection credentials included).
    request: dict[str, Any] | None = None
    error: str | None = None
    secrets: SecretValues = field(default_factory=SecretValues, repr=False, compare=False)
    #: "response"/"request" → (the body, secrets known, its stored form): see `stored_body`.
    _stored: dict[str, tuple[Any, int, Any]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def ended(self) -> bool:
        return self.status not in ("pending", "running")

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe, secrets masked, bodies capped: what may be stored or shown."""
        known = self.secrets.snapshot()
        return {
            "id": self.id,
            "status": self.status,
            "reason": self.reason,
            "method": self.method,
            "url": redact(self.url, known),
            "status_code": self.status_code,
            "start_ms": self.start_ms,
            "duration_ms": self.duration_ms,
            "attempts": [attempt.as_dict(known) for attempt in self.attempts],
            "extracted": stored_value(self.extracted, known, BODY_LIMIT),
            "response_bytes": self.response_bytes,
            "response": self._stored_message("response", known),
            "request": self._stored_message("request", known),
            "error": stored_error(self.error, known, ERROR_LIMIT),
        }

    def stored_body(self, which: str, known: tuple[str, ...] | None = None) -> Any:
        """The body of the response or request as stored: masked, then capped. Kept until the
        body changes or more secrets are known (a big body costs a JSON dump each time)."""
        known = self.secrets.snapshot() if known is None else known
        message = getattr(self, which) or {}
        body = message.get("body")
        kept = self._stored.get(which)
        if kept is not None and kept[0] is body and kept[1] == len(known):
            return kept[2]
        stored = stored_value(body, known, BODY_LIMIT)
        self._stored[which] = (body, len(known), stored)
        return stored

    def _stored_message(self, which: str, known: tuple[str, ...]) -> Any:
        message = getattr(self, which)
        if message is None:
            return None
        stored = {key: redact(value, known) for key, value in message.items() if key != "body"}
        stored["body"] = self.stored_body(which, known)
        return stored

    def output(self) -> dict[str, Any]:
        """What a workflow step hands on of this call (in memory: the engine masks what it
        stores of a step's output)."""
        body = self.response.get("body") if self.response else None
        return {
            "status": self.status,
            "status_code": self.status_code,
            "extracted": dict(self.extracted),
            "body": cap_value(body, BODY_LIMIT),
        }


@dataclass
class RunRecord:
    """A finished run: `succeeded`, `failed` (also when it timed out) or `partial`."""

    status: str
    duration_ms: float
    calls: list[CallRecord]
    error: str | None = None
    secrets: SecretValues = field(default_factory=SecretValues, repr=False, compare=False)

    def call(self, call_id: str) -> CallRecord:
        return next(record for record in self.calls if record.id == call_id)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "duration_ms": self.duration_ms,
            "calls": [record.as_dict() for record in self.calls],
            "error": stored_error(self.error, self.secrets.snapshot(), ERROR_LIMIT),
        }
