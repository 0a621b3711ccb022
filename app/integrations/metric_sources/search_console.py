"""Google Search Console: the ranking of a page (average position, clicks, impressions, CTR).

`POST {api_base}/webmasters/v3/sites/{siteUrl}/searchAnalytics/query` with an OAuth 2 bearer
token (scope `webmasters.readonly`) and `{startDate, endDate, dimensions: ["page"],
dimensionFilterGroups: [page equals <the article's URL>]}`; the answer's `rows` hold
`clicks`, `impressions`, `ctr` and `position` (see `app.core.metric_answers`).

An access token lives an hour, so the connection can hold a refresh token with its OAuth
client instead: each use first trades it at `token_url` (`grant_type=refresh_token`) for a
fresh access token. Google's errors are `{"error": {"code", "message", "status"}}`.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx
from pydantic import Field, model_validator

from app.core.metric_answers import AnswerError, search_console_query, search_console_values
from app.integrations.credentials import ResolvedConnection
from app.integrations.delivery import VerifyResult
from app.integrations.metric_sources.reading import (
    Page,
    Reading,
    json_of,
    refused,
    refused_check,
    send,
)
from app.integrations.platform_fields import HttpUrl, PlatformSpec, _Fields

LABEL = "Search Console"
METRICS = ("ranking",)


class SearchConsoleSecrets(_Fields):
    """An access token, or a refresh token with its OAuth client (kept fresh by Flowdeck)."""

    access_token: str | None = Field(
        None, title="Access token", description="OAuth access token (lives an hour)"
    )
    refresh_token: str | None = Field(
        None, title="Refresh token", description="OAuth refresh token (instead)"
    )
    client_id: str | None = Field(
        None, title="OAuth client ID", description="OAuth client id (with a refresh token)"
    )
    client_secret: str | None = Field(
        None, title="OAuth client secret", description="OAuth client secret (with it too)"
    )

    @model_validator(mode="after")
    def _usable(self) -> SearchConsoleSecrets:
        refresh = (self.refresh_token, self.client_id, self.client_secret)
        if any(refresh) and not all(refresh):
            raise ValueError("a refresh token needs client_id and client_secret too")
        if not self.access_token and not all(refresh):
            raise ValueError("give an access token, or a refresh token with its client")
        return self


class SearchConsoleConfig(_Fields):
    """Which property, and where Google's APIs answer."""

    site_url: str = Field(
        min_length=1,
        max_length=500,
        title="Property",
        description="The property: https://blog.example.com/ or sc-domain:example.com",
    )
    api_base: HttpUrl = Field(
        "https://www.googleapis.com", title="Google APIs address", description="Google APIs address"
    )
    token_url: HttpUrl = Field(
        "https://oauth2.googleapis.com/token",
        title="Token URL",
        description="Where a refresh token is traded",
    )


SPEC = PlatformSpec(
    ("oauth",),
    {"oauth": SearchConsoleSecrets},
    SearchConsoleConfig,
    {"oauth": "refresh_token"},
)


def _site(conn: ResolvedConnection) -> str:
    site = quote(conn.config["site_url"], safe="")
    return f"{conn.config['api_base'].rstrip('/')}/webmasters/v3/sites/{site}"


async def _token(
    client: httpx.AsyncClient, conn: ResolvedConnection
) -> tuple[str | None, httpx.Response | None]:
    """A usable access token, or the token endpoint's refusal."""
    creds = conn.credentials
    if not creds.get("refresh_token"):
        return creds["access_token"], None
    form = {
        "grant_type": "refresh_token",
        "refresh_token": creds["refresh_token"],
        "client_id": creds["client_id"],
        "client_secret": creds["client_secret"],
    }
    response = await send(client, "POST", conn.config["token_url"], data=form)
    token = json_of(response).get("access_token") if response.status_code == 200 else None
    return (str(token), None) if token else (None, response)


async def verify(conn: ResolvedConnection, client: httpx.AsyncClient) -> VerifyResult:
    """The property as the token sees it: a token without access to it is refused."""
    token, refusal = await _token(client, conn)
    if refusal is not None:
        return refused_check(refusal, "Google's token endpoint")
    headers = {"Authorization": f"Bearer {token}"}
    response = await send(client, "GET", _site(conn), headers=headers)
    if response.status_code != 200:
        return refused_check(response, LABEL)
    level = json_of(response).get("permissionLevel") or "?"
    site = conn.config["site_url"]
    if level == "siteUnverifiedUser":
        return VerifyResult(False, f"{LABEL}: this account is not verified for {site}", 200)
    return VerifyResult(True, f"{LABEL} property {site} ({level})", 200)


async def measure(
    client: httpx.AsyncClient, conn: ResolvedConnection, page: Page, metrics: list[str]
) -> Reading:
    """The page's search totals over the window."""
    token, refusal = await _token(client, conn)
    if refusal is not None:
        return refused(refusal, "Google's token endpoint")
    headers = {"Authorization": f"Bearer {token}"}
    body = search_console_query(page.url, page.first, page.last)
    url = _site(conn) + "/searchAnalytics/query"
    response = await send(client, "POST", url, headers=headers, json=body)
    if response.status_code != 200:
        return refused(response, LABEL)
    try:
        values = search_console_values(response.json())
    except (AnswerError, ValueError) as exc:
        return Reading(False, status=200, error=f"{LABEL}: {exc}", kind="error")
    return Reading(True, values, 200)
