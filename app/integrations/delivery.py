"""What one request through a connection achieved: a post (`Delivery`) or a check
(`VerifyResult`).

Neither the senders nor the checks raise for what the network or the remote side did: these
results say whether it worked, the status, the error and (for a post) its failure kind in the
retry policy's words, so that one share to five platforms can report each of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_EXTRAS = ("text", "url")


def http_failure_kind(status_code: int) -> str:
    """How a failed HTTP answer is retried: 429 and 5xx may pass, other 4xx will not."""
    if status_code == 429:
        return "http_429"
    return "http_5xx" if status_code >= 500 else "error"


@dataclass(frozen=True)
class Delivery:
    """What one request through a connection achieved.

    `text` is what was posted when the platform got a text fitted for it, `url` the address
    of the post when the platform gives one back; both are left out of `as_dict` when unset.
    """

    ok: bool
    status: int | None = None
    error: str | None = None
    kind: str | None = None  # timeout, connection, http_5xx, http_429 or error
    text: str | None = None
    url: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data = {"ok": self.ok, "status": self.status, "error": self.error, "kind": self.kind}
        data.update({k: getattr(self, k) for k in _EXTRAS if getattr(self, k) is not None})
        return data


@dataclass(frozen=True)
class VerifyResult:
    """What one check found: verified or not, a message for people, how long it took."""

    ok: bool
    message: str
    status_code: int | None = None
    elapsed_ms: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, as the API returns it under `verification`."""
        return {
            "ok": self.ok,
            "message": self.message,
            "status_code": self.status_code,
            "elapsed_ms": self.elapsed_ms,
        }
