"""Plausible Analytics: traffic and engagement of a page through the Stats API v2.

`POST {api_base}/api/v2/query` with `Authorization: Bearer <API key>` and
`{"site_id", "metrics", "date_range": [first, last], "filters": [["is", "event:page", [path]]]}`;
the answer's `results[0].metrics` holds the numbers in the order asked (see
`app.core.metric_answers`). Errors come as `{"error": "…"}` (401 for a bad key, 400 for an
unknown site or a bad query, 429 when rate limited).
"""

from __future__ import annotations

import httpx
from pydantic import Field

from app.core.metric_answers import AnswerError, plausible_query, plausible_values
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

LABEL = "Plausible"
METRICS = ("traffic", "engagement")


class PlausibleSecrets(_Fields):
    """A Stats API key."""

    api_key: str = Field(
        min_length=1,
        title="Stats API key",
        description="Stats API key (Plausible → Account settings → API keys)",
    )


class PlausibleConfig(_Fields):
    """Which site, on which Plausible."""

    site_id: str = Field(
        min_length=1,
        max_length=253,
        title="Site ID",
        description="The site's domain in Plausible: blog.example.com",
    )
    api_base: HttpUrl = Field(
        "https://plausible.io",
        title="Plausible address",
        description="Plausible's address (your instance if self-hosted)",
    )


SPEC = PlatformSpec(
    ("api_key",), {"api_key": PlausibleSecrets}, PlausibleConfig, {"api_key": "api_key"}
)


def _endpoint(conn: ResolvedConnection) -> tuple[str, dict[str, str]]:
    url = conn.config["api_base"].rstrip("/") + "/api/v2/query"
    return url, {"Authorization": f"Bearer {conn.credentials['api_key']}"}


async def verify(conn: ResolvedConnection, client: httpx.AsyncClient) -> VerifyResult:
    """Today's visitors of the site: proves the key, the site and the API answer."""
    url, headers = _endpoint(conn)
    site = conn.config["site_id"]
    body = {"site_id": site, "metrics": ["visitors"], "date_range": "day"}
    response = await send(client, "POST", url, headers=headers, json=body)
    if response.status_code != 200:
        return refused_check(response, LABEL)
    results = json_of(response).get("results") or [{}]
    visitors = (results[0].get("metrics") or ["?"])[0] if isinstance(results[0], dict) else "?"
    return VerifyResult(True, f"Plausible site {site}: {visitors} visitors today", 200)


async def measure(
    client: httpx.AsyncClient, conn: ResolvedConnection, page: Page, metrics: list[str]
) -> Reading:
    """The page's traffic and/or engagement over the window."""
    url, headers = _endpoint(conn)
    wanted = [m for m in metrics if m in METRICS]
    query = plausible_query(conn.config["site_id"], page.path, wanted, page.first, page.last)
    response = await send(client, "POST", url, headers=headers, json=query)
    if response.status_code != 200:
        return refused(response, LABEL)
    try:
        values = plausible_values(query, response.json())
    except (AnswerError, ValueError) as exc:
        return Reading(False, status=200, error=f"{LABEL}: {exc}", kind="error")
    return Reading(True, values, 200)
