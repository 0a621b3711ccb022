"""A loopback stand-in for X's API v2, as documented for `POST /2/tweets` and `GET /2/users/me`.

- Auth: `Authorization: Bearer <OAuth 2 user token>`; anything else → 401 with the problem
  document `{"title": "Unauthorized", "type": "about:blank", "status": 401, "detail"}`.
- `POST /2/tweets` takes JSON `{"text"}`; the text is counted as X does (every URL 23, a
  character outside the Latin ranges 2, counted here independently of the app): over 280 →
  400 invalid request with `errors`; the same text twice → 403 duplicate content; otherwise
  201 `{"data": {"id", "text"}}`.
- `GET /2/users/me` → 200 `{"data": {"id", "name", "username"}}`.
- `POST /2/oauth2/token` (form `grant_type=refresh_token`, `refresh_token`, `client_id`; HTTP
  Basic `client_id:client_secret` for a confidential client) → 200 `{"token_type", "expires_in",
  "access_token", "scope", "refresh_token"}`; the refresh token is single-use and the old
  access token stops working; a bad one → 400 `{"error", "error_description"}`.
Scripted answers (`then`) go first: a 429 with `x-rate-limit-reset` or `Retry-After`.
"""

from __future__ import annotations

import base64
import re
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from tests.integration.social.loopback import Answer, Seen, StandIn

X_TOKEN = "x-user-token-Vt5Qm2Rk8Wn4Zp7Lc3Hj"
X_REFRESH = "x-refresh-token-Qa8Zd3Mv6Ty1Np4"
X_CLIENT_ID = "M1M5R3BMVy13QmpScXkzTUt5OE46MTpjaQ"
_URL = re.compile(r"https?://\S+")


def x_weight(text: str) -> int:
    rest = _URL.sub("", text)
    light = sum(1 for ch in rest if ord(ch) <= 4351 or 8192 <= ord(ch) <= 8223)
    return 23 * len(_URL.findall(text)) + light + 2 * (len(rest) - light)


def problem(status: int, title: str, detail: str) -> dict:
    return {"title": title, "detail": detail, "type": "about:blank", "status": status}


def rate_limited(reset_in_s: int | None = None, retry_after: str | None = None) -> Answer:
    headers = {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0"}
    if reset_in_s is not None:
        headers["x-rate-limit-reset"] = str(int(time.time()) + reset_in_s)
    if retry_after is not None:
        headers["retry-after"] = retry_after
    return 429, headers, problem(429, "Too Many Requests", "Too Many Requests")


@dataclass
class XStandIn(StandIn):
    token: str = X_TOKEN
    tweets: list[str] = field(default_factory=list)
    echo_token: bool = False  # a careless server that repeats the token it refused
    refresh_tokens: set[str] = field(default_factory=lambda: {X_REFRESH})
    client_secret: str | None = None  # set: a confidential client (Basic auth on refresh)
    refreshes: int = 0

    def answer(self, seen: Seen) -> Answer:
        if seen.method == "POST" and seen.path == "/2/oauth2/token":
            return self._refresh(seen)
        auth = seen.headers.get("authorization", "")
        if auth != f"Bearer {self.token}":
            detail = f"Unauthorized: {auth}" if self.echo_token else "Unauthorized"
            return 401, {}, problem(401, "Unauthorized", detail)
        if seen.method == "GET" and seen.path == "/2/users/me":
            return (
                200,
                {},
                {"data": {"id": "2244994945", "name": "Flowdeck", "username": "flowdeck"}},
            )
        if seen.method == "POST" and seen.path == "/2/tweets":
            return self._tweet(seen)
        return 404, {}, problem(404, "Not Found Error", f"no route {seen.path}")

    def _tweet(self, seen: Seen) -> Answer:
        if not seen.headers.get("content-type", "").startswith("application/json"):
            return 415, {}, problem(415, "Unsupported Media Type", "JSON expected")
        body = seen.json()
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text:
            return 400, {}, self._invalid("text is required")
        if x_weight(text) > 280:
            return 400, {}, self._invalid("Tweet text is too long")
        if text in self.tweets:
            detail = "You are not allowed to create a Tweet with duplicate content."
            return 403, {}, problem(403, "Forbidden", detail)
        self.tweets.append(text)
        return 201, {}, {"data": {"id": str(1445880548472328192 + len(self.tweets)), "text": text}}

    def _refresh(self, seen: Seen) -> Answer:
        if not seen.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return 400, {}, {"error": "invalid_request", "error_description": "form expected"}
        form = {k: v[0] for k, v in parse_qs(seen.raw.decode()).items()}
        if self.client_secret is not None:
            pair = base64.b64encode(f"{X_CLIENT_ID}:{self.client_secret}".encode()).decode()
            if seen.headers.get("authorization") != f"Basic {pair}":
                return 401, {}, {"error": "unauthorized_client", "error_description": "Missing"}
        if form.get("grant_type") != "refresh_token" or form.get("client_id") != X_CLIENT_ID:
            return (
                400,
                {},
                {
                    "error": "invalid_request",
                    "error_description": "Missing required parameter [client_id].",
                },
            )
        if form.get("refresh_token") not in self.refresh_tokens:
            desc = "Value passed for the token was invalid."
            return 400, {}, {"error": "invalid_request", "error_description": desc}
        self.refresh_tokens.discard(form["refresh_token"])
        self.refreshes += 1
        self.token = f"x-access-{secrets.token_urlsafe(16)}"
        new_refresh = f"x-refresh-{secrets.token_urlsafe(16)}"
        self.refresh_tokens.add(new_refresh)
        return 200, {}, {"token_type": "bearer", "expires_in": 7200, "access_token": self.token,
                         "scope": "tweet.read tweet.write users.read offline.access",
                         "refresh_token": new_refresh}  # fmt: skip

    @staticmethod
    def _invalid(message: str) -> dict:
        return {
            "errors": [{"parameters": {"text": []}, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request",
        }
