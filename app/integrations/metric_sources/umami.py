"""Umami: traffic and engagement of a page through the website stats endpoint.

`GET {api_base}/websites/{website_id}/stats?startAt=<ms>&endAt=<ms>&url=<path>&path=<path>`.
`api_base` is `https://api.umami.is/v1` on Umami Cloud (API key in `x-umami-api-key`,
connection type `api_key`) or `https://<your instance>/api` self-hosted (a token from
`POST /api/auth/login` as `Authorization: Bearer`, connection type `oauth`). The page filter
is `url` up to Umami 2.12 and `path` since; both are sent (each version ignores the other).
The answer's shapes (Umami 1, 2 and 3) are read by `app.core.metric_answers.umami_values`.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import httpx
from pydantic import Field

from app.core.metric_answers import AnswerError, umami_values
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

LABEL = "Umami"
METRICS = ("traffic", "engagement")


class UmamiKeySecrets(_Fields):
    """Umami Cloud: an API key."""

    api_key: str = Field(
        min_length=1, title="API key", description="Umami Cloud API key (Settings → API keys)"
    )


class UmamiTokenSecrets(_Fields):
    """Self-hosted Umami: a bearer token."""

    token: str = Field(min_length=1, title="Token", description="Token from POST /api/auth/login")


class UmamiConfig(_Fields):
    """Which website, on which Umami."""

    website_id: str = Field(
        pattern=r"^[0-9A-Za-z-]{1,64}$",
        title="Website ID",
        description="The website's id (Settings → Websites)",
    )
    api_base: HttpUrl = Field(
        "https://api.umami.is/v1",
        title="API address",
        description="API address: https://api.umami.is/v1 (Cloud) or https://<host>/api",
    )


SPEC = PlatformSpec(
    ("api_key", "oauth"),
    {"api_key": UmamiKeySecrets, "oauth": UmamiTokenSecrets},
    UmamiConfig,
    {"api_key": "api_key", "oauth": "token"},
)


def _website(conn: ResolvedConnection) -> tuple[str, dict[str, str]]:
    url = f"{conn.config['api_base'].rstrip('/')}/websites/{conn.config['website_id']}"
    if conn.connection_type == "api_key":
        return url, {"x-umami-api-key": conn.credentials["api_key"]}
    return url, {"Authorization": f"Bearer {conn.credentials['token']}"}


async def verify(conn: ResolvedConnection, client: httpx.AsyncClient) -> VerifyResult:
    """The website itself: proves the key or token, the id and the API address."""
    url, headers = _website(conn)
    response = await send(client, "GET", url, headers=headers)
    if response.status_code != 200:
        return refused_check(response, LABEL)
    site = json_of(response)
    name = site.get("name") or site.get("domain") or conn.config["website_id"]
    return VerifyResult(True, f"Umami website {name}", 200)


def _ms(day: datetime) -> int:
    return int(day.timestamp() * 1000)


async def measure(
    client: httpx.AsyncClient, conn: ResolvedConnection, page: Page, metrics: list[str]
) -> Reading:
    """The page's traffic and/or engagement over the window (whole UTC days)."""
    url, headers = _website(conn)
    start = datetime.combine(page.first, time.min, UTC)
    end = datetime.combine(page.last + timedelta(days=1), time.min, UTC)
    params = {"startAt": _ms(start), "endAt": _ms(end) - 1, "url": page.path, "path": page.path}
    response = await send(client, "GET", url + "/stats", headers=headers, params=params)
    if response.status_code != 200:
        return refused(response, LABEL)
    try:
        values = umami_values(response.json(), [m for m in metrics if m in METRICS])
    except (AnswerError, ValueError) as exc:
        return Reading(False, status=200, error=f"{LABEL}: {exc}", kind="error")
    return Reading(True, values, 200)
