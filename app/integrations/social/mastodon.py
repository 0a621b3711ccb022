"""Mastodon: post a status with `POST /api/v1/statuses` on the account's instance.

The request is `{"status", "visibility"}` with `Authorization: Bearer <access token>` (an
application's token with the `write:statuses` scope) and an `Idempotency-Key` header that is
the same for one execution, step and connection: a retried step does not post twice (Mastodon
answers the first status again for an hour). Success is 200 with the status (`id`, `url`).
Errors are `{"error": "..."}`: 401 for a bad token, 422 for a refused status (e.g. "Text
character limit of 500 exceeded"). A 429 carries `X-RateLimit-Reset` (an ISO 8601 time), not
`Retry-After`. The text is fitted to the instance's limit (500 unless configured otherwise:
every link counts 23). The check is `GET /api/v1/accounts/verify_credentials`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

import httpx
from pydantic import Field

from app.core.social_text import SocialPost, fit
from app.integrations.credentials import ResolvedConnection
from app.integrations.delivery import Delivery, VerifyResult
from app.integrations.platform_fields import HttpUrl, PlatformSpec, _Fields
from app.integrations.social._http import check_failed, failed, json_of, retry_after_of, send

LABEL = "Mastodon"


class MastodonSecrets(_Fields):
    """An access token of an application registered on the instance."""

    access_token: str = Field(
        min_length=1,
        title="Access token",
        description="Preferences → Development → New application (scope write:statuses), "
        "then copy 'Your access token'",
    )


class MastodonConfig(_Fields):
    """The instance, its post length limit and the visibility of the posts."""

    instance_url: HttpUrl = Field(
        title="Instance URL",
        description="the server the account is on, e.g. https://mastodon.social",
    )
    max_characters: int = Field(
        500,
        ge=1,
        le=100_000,
        title="Max characters",
        description="the instance's post limit (500 on most servers; links count 23)",
    )
    visibility: Literal["public", "unlisted", "private", "direct"] = Field(
        "public", title="Visibility"
    )


SPEC = PlatformSpec(
    ("oauth",), {"oauth": MastodonSecrets}, MastodonConfig, {"oauth": "access_token"}
)


def _url(conn: ResolvedConnection, path: str) -> str:
    return str(conn.config["instance_url"]).rstrip("/") + path


def _headers(conn: ResolvedConnection) -> dict[str, str]:
    return {"Authorization": f"Bearer {conn.credentials.get('access_token', '')}"}


def reset_wait(response: httpx.Response) -> float | None:
    """Seconds until `X-RateLimit-Reset` (ISO 8601), else what `Retry-After` says."""
    raw = (response.headers.get("x-ratelimit-reset") or "").strip()
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00")) if raw else None
    except ValueError:
        when = None
    if when is None:
        return retry_after_of(response)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


async def post(
    client: httpx.AsyncClient, conn: ResolvedConnection, post: SocialPost, *, key: str = ""
) -> Delivery:
    """Publish `post` as a status fitted to the instance's limit; `key` is the idempotency key."""
    fitted = fit(post, "mastodon", int(conn.config.get("max_characters") or 500))
    if not fitted.ok:
        return Delivery(False, None, f"Mastodon: {fitted.error}", "error")
    headers = _headers(conn)
    if key:
        headers["Idempotency-Key"] = key
    body = {"status": fitted.text, "visibility": conn.config.get("visibility") or "public"}
    response = await send(
        client,
        "POST",
        _url(conn, "/api/v1/statuses"),
        json=body,
        headers=headers,
        wait_of=reset_wait,
    )
    data = json_of(response)
    if response.status_code == 200 and data.get("id"):
        url = data.get("url") or data.get("uri")
        return Delivery(True, 200, text=fitted.text, url=str(url) if url else None)
    return failed(response, "Mastodon", str(data.get("error") or ""), wait_of=reset_wait)


async def verify(conn: ResolvedConnection, client: httpx.AsyncClient) -> VerifyResult:
    """Who the token belongs to (`verify_credentials`); no status is posted."""
    response = await client.get(
        _url(conn, "/api/v1/accounts/verify_credentials"), headers=_headers(conn)
    )
    data = json_of(response)
    if response.status_code != 200:
        return check_failed(response, "Mastodon", str(data.get("error") or ""))
    host = httpx.URL(str(conn.config["instance_url"])).host
    account = f"@{data.get('acct') or data.get('username') or '?'}"
    if "@" not in account[1:]:
        account += f"@{host}"
    return VerifyResult(True, f"Mastodon account {account}", response.status_code)
