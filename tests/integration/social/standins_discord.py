"""A loopback stand-in for a Discord channel webhook (`/api/webhooks/<id>/<token>`), as
documented for Execute Webhook and Get Webhook with Token.

- A wrong token → 401 `{"message": "Invalid Webhook Token", "code": 50027}`; an unknown id →
  404 `{"message": "Unknown Webhook", "code": 10015}`.
- `GET` → 200 the webhook (`type`, `id`, `name`, `channel_id`, `guild_id`).
- `POST` JSON `{"content", "username"?}`: no content → 400 `{"message": "Cannot send an empty
  message", "code": 50006}`; over 2000 characters → 400 "Invalid Form Body" (code 50035) with
  `errors.content._errors`; otherwise the message is posted: `?wait=true` → 200 with the
  message object, without it 204.
Scripted answers (`then`) go first: a 429 with `retry_after` in the body and `Retry-After`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.integration.social.loopback import Answer, Seen, StandIn

HOOK_ID = "1187654321098765432"
HOOK_TOKEN = "dWbhk-Tok3n_Rq8Zx2Lm5Vn7Bc4Hs9Jt1Kp6Yw0Ae3Gf"
HOOK_PATH = f"/api/webhooks/{HOOK_ID}/{HOOK_TOKEN}"
CHANNEL_ID, GUILD_ID = "1187000000000000001", "1187000000000000002"


def rate_limited(retry_after: float) -> Answer:
    headers = {"retry-after": str(max(1, round(retry_after))), "x-ratelimit-scope": "user"}
    body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
    return 429, headers, body


@dataclass
class DiscordStandIn(StandIn):
    messages: list[dict[str, Any]] = field(default_factory=list)
    waits: list[bool] = field(default_factory=list)

    def webhook_url(self, token: str = HOOK_TOKEN) -> str:
        return f"{self.base_url}/api/webhooks/{HOOK_ID}/{token}"

    def answer(self, seen: Seen) -> Answer:
        hook_id, _, token = seen.path.removeprefix("/api/webhooks/").partition("/")
        if hook_id != HOOK_ID:
            return 404, {}, {"message": "Unknown Webhook", "code": 10015}
        if token != HOOK_TOKEN:
            return 401, {}, {"message": "Invalid Webhook Token", "code": 50027}
        if seen.method == "GET":
            hook = {"type": 1, "id": HOOK_ID, "name": "Flowdeck news", "avatar": None}
            return 200, {}, {**hook, "channel_id": CHANNEL_ID, "guild_id": GUILD_ID}
        return self._execute(seen)

    def _execute(self, seen: Seen) -> Answer:
        body = seen.json() or {}
        content = str(body.get("content") or "")
        if not content:
            return 400, {}, {"message": "Cannot send an empty message", "code": 50006}
        if len(content) > 2000:
            problem = {
                "code": "BASE_TYPE_MAX_LENGTH",
                "message": "Must be 2000 or fewer in length.",
            }
            errors = {"content": {"_errors": [problem]}}
            return 400, {}, {"message": "Invalid Form Body", "code": 50035, "errors": errors}
        message = {
            "id": str(1_188_000_000_000_000_000 + len(self.messages)),
            "type": 0,
            "content": content,
            "channel_id": CHANNEL_ID,
            "webhook_id": HOOK_ID,
            "author": {"id": HOOK_ID, "username": body.get("username") or "Flowdeck news"},
        }
        self.messages.append(message)
        wait = "wait=true" in seen.query.split("&")
        self.waits.append(wait)
        return (200, {}, message) if wait else (204, {}, b"")
