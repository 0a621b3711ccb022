"""A loopback stand-in for a Bluesky PDS: createSession, then createRecord of a post.

- `POST /xrpc/com.atproto.server.createSession` `{"identifier", "password"}` → 200
  `{"accessJwt", "refreshJwt", "handle", "did"}` for the account's handle and app password,
  401 `{"error": "AuthenticationRequired", "message": "Invalid identifier or password"}`.
- `POST /xrpc/com.atproto.repo.createRecord` with `Authorization: Bearer <accessJwt>` (missing
  → 401 AuthenticationRequired, expired → 400 ExpiredToken, unknown → 400 InvalidToken) and
  `{"repo": did, "collection": "app.bsky.feed.post", "record"}` → 200 `{"uri", "cid"}`.
  The record needs `$type`, `text` (at most 300 graphemes: counted here as code points,
  enough for the tests' texts), `createdAt` (ISO with a zone), facets whose byte ranges lie
  inside the UTF-8 text, and an `embed`, if any, must be a link card
  (`app.bsky.embed.external` with `external: {uri, title, description}`); otherwise 400
  `{"error": "InvalidRequest", "message"}`.
Scripted answers (`then`) go first: a 429 with `ratelimit-reset` (epoch seconds).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tests.integration.social.loopback import Answer, Seen, StandIn

HANDLE = "flowdeck.bsky.social"
DID = "did:plc:z72i7hdynmk6r22z27h6tvur"


def app_password() -> str:
    """A new app password per stand-in: sessions are kept per account (a PDS of its own)."""
    return "-".join(secrets.token_hex(2) for _ in range(4))


def xrpc_error(error: str, message: str) -> dict[str, str]:
    return {"error": error, "message": message}


def rate_limited(reset_in_s: int) -> Answer:
    headers = {"ratelimit-limit": "30", "ratelimit-remaining": "0",
               "ratelimit-reset": str(int(time.time()) + reset_in_s)}  # fmt: skip
    return 429, headers, xrpc_error("RateLimitExceeded", "Rate Limit Exceeded")


@dataclass
class BlueskyStandIn(StandIn):
    password: str = field(default_factory=app_password)
    jwts: list[str] = field(default_factory=list)
    expired: set[str] = field(default_factory=set)
    records: list[dict[str, Any]] = field(default_factory=list)

    def answer(self, seen: Seen) -> Answer:
        if seen.method == "POST" and seen.path == "/xrpc/com.atproto.server.createSession":
            return self._session(seen.json())
        if seen.method == "POST" and seen.path == "/xrpc/com.atproto.repo.createRecord":
            return self._create(seen)
        return 404, {}, xrpc_error("MethodNotImplemented", "Method Not Implemented")

    def expire_sessions(self) -> None:
        """Every access token issued so far expires (as two hours later)."""
        self.expired.update(self.jwts)

    def _session(self, body: Any) -> Answer:
        if not isinstance(body, dict) or body.get("identifier") not in (HANDLE, DID):
            return 401, {}, xrpc_error("AuthenticationRequired", "Invalid identifier or password")
        if body.get("password") != self.password:
            return 401, {}, xrpc_error("AuthenticationRequired", "Invalid identifier or password")
        jwt = "eyJhbGciOiJFUzI1NksifQ." + secrets.token_urlsafe(24)
        self.jwts.append(jwt)
        return 200, {}, {"accessJwt": jwt, "refreshJwt": jwt + "r", "handle": HANDLE, "did": DID}

    def _create(self, seen: Seen) -> Answer:
        auth = seen.headers.get("authorization", "")
        if not auth:
            return 401, {}, xrpc_error("AuthenticationRequired", "Authentication Required")
        if auth.removeprefix("Bearer ") in self.expired:
            return 400, {}, xrpc_error("ExpiredToken", "Token has expired")
        if auth.removeprefix("Bearer ") not in self.jwts:
            return 400, {}, xrpc_error("InvalidToken", "Token could not be verified")
        body = seen.json()
        problem = _record_problem(body)
        if problem:
            return 400, {}, xrpc_error("InvalidRequest", problem)
        self.records.append(body["record"])
        rkey = f"3k{len(self.records):011d}"
        uri = f"at://{DID}/app.bsky.feed.post/{rkey}"
        return 200, {}, {"uri": uri, "cid": "bafyreig" + "a" * 51}


def _record_problem(body: Any) -> str:
    if not isinstance(body, dict) or body.get("repo") != DID:
        return "Input/repo must be the session's DID"
    if body.get("collection") != "app.bsky.feed.post":
        return "Input/collection must be app.bsky.feed.post"
    record = body.get("record")
    if not isinstance(record, dict) or record.get("$type") != "app.bsky.feed.post":
        return "Invalid app.bsky.feed.post record: $type"
    text = record.get("text")
    if not isinstance(text, str) or len(text) > 300:
        return (
            "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes"
        )
    try:
        if datetime.fromisoformat(str(record.get("createdAt"))).tzinfo is None:
            return "Invalid app.bsky.feed.post record: Record/createdAt must have a timezone"
    except ValueError:
        return "Invalid app.bsky.feed.post record: Record/createdAt must be a datetime"
    embed = record.get("embed")
    if embed is not None and (
        embed.get("$type") != "app.bsky.embed.external"
        or not {"uri", "title", "description"} <= set(embed.get("external") or {})
    ):
        return "Invalid app.bsky.feed.post record: Record/embed must be an external link card"
    size = len(text.encode())
    for facet in record.get("facets", []):
        index, features = facet.get("index", {}), facet.get("features", [])
        if not 0 <= index.get("byteStart", -1) < index.get("byteEnd", -1) <= size or not features:
            return "Invalid app.bsky.feed.post record: Record/facets has a bad index"
    return ""
