"""A loopback stand-in for a Mastodon instance, as documented for `POST /api/v1/statuses` and
`GET /api/v1/accounts/verify_credentials`.

- Auth: `Authorization: Bearer <token>`; anything else → 401 `{"error": "The access token is
  invalid"}`.
- `POST /api/v1/statuses` (JSON `{"status", "visibility"}`): empty → 422 `{"error":
  "Validation failed: Text can't be blank"}`; longer than the instance's limit (counted as
  Mastodon does, here independently of the app: every URL 23, other characters 1) → 422
  `{"error": "Validation failed: Text character limit of 500 exceeded"}`; otherwise 200 with
  the status. An `Idempotency-Key` seen before answers the first status again, posting nothing.
- `GET /api/v1/accounts/verify_credentials` → 200 the account.
Scripted answers (`then`) go first: a 429 with `X-RateLimit-Reset` (ISO 8601), as Mastodon
sends it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.integration.social.loopback import Answer, Seen, StandIn

MASTODON_TOKEN = "mstdn-app-token-Qe7Lk2Vx9Rb4Np6Zt1Wc"
_URL = re.compile(r"https?://\S+")


def mastodon_length(text: str) -> int:
    return 23 * len(_URL.findall(text)) + len(_URL.sub("", text))


def rate_limited(reset_in_s: float) -> Answer:
    reset = (datetime.now(UTC) + timedelta(seconds=reset_in_s)).isoformat(timespec="milliseconds")
    headers = {
        "x-ratelimit-limit": "300",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": reset.replace("+00:00", "Z"),
    }
    return 429, headers, {"error": "Too many requests"}


@dataclass
class MastodonStandIn(StandIn):
    token: str = MASTODON_TOKEN
    max_characters: int = 500
    statuses: list[dict[str, Any]] = field(default_factory=list)
    by_key: dict[str, dict[str, Any]] = field(default_factory=dict)

    def answer(self, seen: Seen) -> Answer:
        if seen.headers.get("authorization") != f"Bearer {self.token}":
            return 401, {}, {"error": "The access token is invalid"}
        if seen.method == "GET" and seen.path == "/api/v1/accounts/verify_credentials":
            account = {"id": "109", "username": "flowdeck", "acct": "flowdeck"}
            return 200, {}, {**account, "display_name": "Flowdeck", "locked": False}
        if seen.method == "POST" and seen.path == "/api/v1/statuses":
            return self._status(seen)
        return 404, {}, {"error": "Record not found"}

    def _status(self, seen: Seen) -> Answer:
        key = seen.headers.get("idempotency-key")
        if key and key in self.by_key:
            return 200, {}, self.by_key[key]
        body = seen.json() or {}
        text = str(body.get("status") or "")
        if not text.strip():
            return 422, {}, {"error": "Validation failed: Text can't be blank"}
        if mastodon_length(text) > self.max_characters:
            limit = self.max_characters
            return (
                422,
                {},
                {"error": f"Validation failed: Text character limit of {limit} exceeded"},
            )
        status_id = str(110_000 + len(self.statuses))
        status = {
            "id": status_id,
            "url": f"{self.base_url}/@flowdeck/{status_id}",
            "uri": f"{self.base_url}/users/flowdeck/statuses/{status_id}",
            "visibility": body.get("visibility", "public"),
            "content": f"<p>{text}</p>",
            "text": text,
        }
        self.statuses.append(status)
        if key:
            self.by_key[key] = status
        return 200, {}, status
