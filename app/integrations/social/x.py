"""X (Twitter): post with API v2 `POST /2/tweets` and an OAuth 2.0 user access token.

The request is `{"text"}` with `Authorization: Bearer <user token>`; success is 201
`{"data": {"id", "text"}}`. Errors are problem documents `{"title", "detail", "type"}`
(401 bad token, 403 not allowed, e.g. duplicate content or missing scope); older validation
errors come as `{"errors": [{"message"}]}`. A 429 carries `x-rate-limit-reset` (epoch seconds)
and sometimes `Retry-After`. The text is fitted to 280 weighted characters (`social_text`):
shortened at a word with the link kept. The check is `GET /2/users/me`. A refused token is
refreshed once when the connection has a refresh token and the client id (`x_tokens`).
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
from app.integrations.social.x_tokens import can_refresh, refreshed

LABEL = "X"
DEFAULT_API = "https://api.x.com"
_WAIT = reset_wait("x-rate-limit-reset")


class XSecrets(_Fields):
    """An OAuth 2.0 user access token of the account that posts, and what renews it."""

    access_token: str = Field(
        min_length=1,
        title="User access token",
        description="OAuth 2.0 user token of the posting account (developer.x.com app with "
        "scopes tweet.read, tweet.write, users.read); an app-only bearer token cannot post",
    )
    refresh_token: str | None = Field(
        None,
        title="Refresh token",
        description="with scope offline.access: renews the access token, which lives 2 hours "
        "(needs the client id)",
    )
    client_secret: str | None = Field(
        None, title="Client secret", description="only for a confidential client (web app)"
    )


class XConfig(_Fields):
    """The app's client id (for refreshing the token) and where X's API is."""

    client_id: str | None = Field(
        None,
        title="Client ID",
        description="OAuth 2.0 client id of the developer app (Keys and tokens)",
    )

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


async def _signed_in(
    client: httpx.AsyncClient, conn: ResolvedConnection, method: str, path: str, **kwargs: Any
) -> tuple[httpx.Response, str]:
    """The answer to a request with the connection's token; a refused token is refreshed
    once when the connection can (then the request is sent again). Also why a refresh failed."""
    response = await send(
        client, method, _url(conn, path), headers=_headers(conn), wait_of=_WAIT, **kwargs
    )
    if response.status_code != 401 or not can_refresh(conn):
        return response, ""
    fresh = await refreshed(client, conn, _url(conn, "/2/oauth2/token"))
    if isinstance(fresh, str):
        return response, fresh
    again = await send(
        client, method, _url(fresh, path), headers=_headers(fresh), wait_of=_WAIT, **kwargs
    )
    return again, ""


def _detail(response: httpx.Response, refresh_error: str) -> str:
    detail = error_detail(json_of(response))
    return f"{detail}; {refresh_error}" if refresh_error else detail


async def post(
    client: httpx.AsyncClient, conn: ResolvedConnection, post: SocialPost, *, key: str = ""
) -> Delivery:
    """Publish `post` as a tweet (fitted to 280); `key` is unused (X has no idempotency key)."""
    fitted = fit(post, "x")
    if not fitted.ok:
        return Delivery(False, None, f"X: {fitted.error}", "error")
    response, refresh_error = await _signed_in(
        client, conn, "POST", "/2/tweets", json={"text": fitted.text}
    )
    if response.status_code in (200, 201):
        data = json_of(response).get("data")
        tweet_id = data.get("id") if isinstance(data, dict) else None
        link = f"https://x.com/i/web/status/{tweet_id}" if tweet_id else None
        return Delivery(True, response.status_code, text=fitted.text, url=link)
    detail = _detail(response, refresh_error)
    if response.status_code == 403 and detail:  # duplicate text, a missing scope…: X says which
        return Delivery(False, 403, f"X answered 403: {detail}", "error")
    return failed(response, LABEL, detail, wait_of=_WAIT)


async def verify(conn: ResolvedConnection, client: httpx.AsyncClient) -> VerifyResult:
    """`GET /2/users/me`: the token is valid (refreshed if need be) and names the account."""
    response, refresh_error = await _signed_in(client, conn, "GET", "/2/users/me")
    if response.status_code == 200:
        data = json_of(response).get("data")
        name = data.get("username") if isinstance(data, dict) else None
        who = f" as @{name}" if name else ""
        return VerifyResult(True, f"X accepted the token{who}", 200)
    return check_failed(response, LABEL, _detail(response, refresh_error))
