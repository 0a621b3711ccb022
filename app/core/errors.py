"""The one error tree of Flowdeck.

    FlowdeckError
    ├── InvalidInput          bad input from a person or a machine (400/422)
    │   └── ValidationFailed  several problems at once, each with its path
    ├── NotFound              the thing asked for does not exist (404)
    ├── Conflict              the request clashes with the current state (409)
    ├── AuthenticationFailed  no or wrong credentials (401)
    ├── PermissionDenied      authenticated, but the role does not allow it (403)
    ├── RateLimited           too many attempts (429)
    ├── PayloadTooLarge       body over the limit (413)
    └── IntegrationError      a remote service failed or answered badly (502)

The UI and the API translate these into text and status codes in one place each.
"""

from __future__ import annotations

from dataclasses import dataclass


class FlowdeckError(Exception):
    """Root of every error Flowdeck raises on purpose."""

    code = "error"
    status = 500

    def __init__(self, message: str, *, details: dict | list | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(FlowdeckError):
    code = "invalid_input"
    status = 400


@dataclass(frozen=True)
class Problem:
    """One validation problem: where (a dotted path such as `actions[2].config.url`) and what."""

    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


class ValidationFailed(InvalidInput):
    """Every problem found at once, so a form can show each next to its field."""

    code = "validation_failed"
    status = 422

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        text = "; ".join(f"{p.path}: {p.message}" if p.path else p.message for p in self.problems)
        super().__init__(text or "invalid input", details=[p.as_dict() for p in self.problems])

    def for_path(self, path: str) -> str | None:
        return next((p.message for p in self.problems if p.path == path), None)


class NotFound(FlowdeckError, LookupError):
    code = "not_found"
    status = 404


class Conflict(FlowdeckError):
    code = "conflict"
    status = 409


class AuthenticationFailed(FlowdeckError):
    code = "unauthenticated"
    status = 401


class PermissionDenied(FlowdeckError):
    code = "forbidden"
    status = 403


class RateLimited(FlowdeckError):
    code = "rate_limited"
    status = 429


class PayloadTooLarge(FlowdeckError):
    code = "payload_too_large"
    status = 413


class IntegrationError(FlowdeckError):
    code = "integration_error"
    status = 502
