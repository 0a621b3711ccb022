"""X (Twitter): post with API v2 `POST /2/tweets` and an OAuth 2.0 user access token.

The request is `{"text"}` with `Authorization: Bearer <user token>`; success is 201
`{"data": {"id", "text"}}`. Errors are problem documents `{"title", "detail", "type"}`
(401 bad token, 403 not allowed, e.g. duplicate content or missing scope); older validation
errors come as `{"errors": [{"message"}]}`. A 429 carries `x-rate-limit-reset` (epoch seconds)
and sometimes `Retry-After`. The text is fitted to 280 weighted characters (`social_text`):
shortened at a word with the link kept. The check is `GET /2/users/me`.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import Field

from app.core.social_text import SocialPost, fit
from app.integrations.credentials import ResolvedConnection
from app.integrations.delivery import Delivery, VerifyResult
from app.integrations.platform_fields import HttpUrl, PlatformSpec, _Fields
from app.integrations.social._http import check_failed, failed, json_of, send
from app.integrations.social._limits import reset_wait

LABEL = "X"
DEFAULT_API = "https://api.x.com"
_WAIT = reset_wait("x-rate-limit-reset")


class XSecrets(_Fields):
    """An OAuth 2.0 user access token of the account that posts."""

    access_token: str = Field(
        min_length=1,
        title="User access token",
        description="OAuth 2.0 user token of the posting account (developer.x.com app with "
        "scopes tweet.read, tweet.write, users.read); an app-only bearer token cannot post",
    )


class XConfig(_Fields):
    """Where X's API is (change it only for a proxy or a test stand-in)."""

    api_base: HttpUrl = Field(
        DEFAULT_API, title="API base URL", description="https://api.x.com unless behind a proxy"
    )


SPEC = PlatformSpec(("oauth",), {"oauth": XSecrets}, XConfig, {"oauth": "access_token"})


def _url(conn: ResolvedConnection, path: str) -> str:
    return str(conn.config.get("api_base") or DEFAULT_API).rstrip("/") + path


def _headers(conn: ResolvedConnection) -> dict[str, str]:
    return {"Authorization": f"Bearer {conn.credentials.get('access_token', '')}"}


def error_detail(data: dict[str, Any]) -> str:
    """The readable part of an X error body (problem document or `errors` list)."""
    parts = [str(data[k]) for k in ("title", "detail") if data.get(k)]
    errors = data.get("errors")
    if isinstance(errors, list):
        parts += [str(e.get("message")) for e in errors if isinstance(e, dict) and e.get("message")]
    return ": ".join(dict.fromkeys(parts))


async def post(
    client: httpx.AsyncClient, conn: ResolvedConnection, post: SocialPost, *, key: str = ""
) -> Delivery:
    """Publish `post` as a tweet (fitted to 280); `key` is unused (X has no idempotency key)."""
    fitted = fit(post, "x")
    if not fitted.ok:
        return Delivery(False, None, f"X: {fitted.error}", "error")
    response = await send(
        client,
        "POST",
        _url(conn, "/2/tweets"),
        json={"text": fitted.text},
        headers=_headers(conn),
        wait_of=_WAIT,
    )
    if response.status_code in (200, 201):
        data = json_of(response).get("data")
        tweet_id = data.get("id") if isinstance(data, dict) else None
        link = f"https://x.com/i/web/status/{tweet_id}" if tweet_id else None
        return Delivery(True, response.status_code, text=fitted.text, url=link)
    detail = error_detail(json_of(response))
    if response.status_code == 403 and detail:  # duplicate text, a missing scope…: X says which
        return Delivery(False, 403, f"X answered 403: {detail}", "error")
    return failed(response, LABEL, detail, wait_of=_WAIT)


async def verify(conn: ResolvedConnection, client: httpx.AsyncClient) -> VerifyResult:
    """`GET /2/users/me`: the token is valid and names the account that will post."""
    response = await client.get(_url(conn, "/2/users/me"), headers=_headers(conn))
    if response.status_code == 200:
        data = json_of(response).get("data")
        name = data.get("username") if isinstance(data, dict) else None
        who = f" as @{name}" if name else ""
        return VerifyResult(True, f"X accepted the token{who}", 200)
    return check_failed(response, LABEL, error_detail(json_of(response)))
