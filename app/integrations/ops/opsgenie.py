"""Opsgenie Alert API: alerts created, re-prioritised, acknowledged, noted and closed.

Every request carries `Authorization: GenieKey <api key>` (an API integration's key).
`POST /v2/alerts` creates an alert (`message` ≤ 130 characters, `alias` for later requests,
`description`, `priority` P1–P5, `tags`, `source`, `details`); the others address it by alias:
`PUT /v2/alerts/{alias}/priority?identifierType=alias`, `POST …/acknowledge`, `…/notes` and
`…/close` with the same query. Opsgenie answers 202 `{"result": "Request will be processed",
"took", "requestId"}` (processing is asynchronous), 401/403/422 `{"message", "errors"}`. The
check is `GET /v2/alerts?limit=1`, which reads and changes nothing. EU accounts use
`https://api.eu.opsgenie.com`.
"""

from __future__ import annotations

import httpx
from pydantic import Field

from app.core.incident_mirrors import MirrorRequest
from app.integrations.credentials import ResolvedConnection, join_url
from app.integrations.delivery import Delivery, VerifyResult
from app.integrations.ops._http import delivered, json_of
from app.integrations.platform_fields import HttpUrl, PlatformSpec, _Fields

LABEL = "Opsgenie"
DEFAULT_BASE = "https://api.opsgenie.com"


class OpsgenieSecrets(_Fields):
    """An API integration's key."""

    api_key: str = Field(
        min_length=1,
        max_length=200,
        title="API key",
        description="Settings → Integrations → API → API Key",
    )


class OpsgenieConfig(_Fields):
    """Where requests go (EU: https://api.eu.opsgenie.com; a stand-in's URL in tests)."""

    api_base: HttpUrl = Field(DEFAULT_BASE, title="API base URL")


SPEC = PlatformSpec(
    ("api_key",), {"api_key": OpsgenieSecrets}, OpsgenieConfig, {"api_key": "api_key"}
)


def _headers(conn: ResolvedConnection) -> dict[str, str]:
    return {"Authorization": f"GenieKey {conn.credentials['api_key']}"}


def _detail(response: httpx.Response) -> str:
    data = json_of(response)
    return str(data.get("message") or "") if isinstance(data, dict) else ""


def _url(conn: ResolvedConnection, path: str) -> str:
    return join_url(conn.config.get("api_base") or DEFAULT_BASE, path)


async def send(
    client: httpx.AsyncClient, conn: ResolvedConnection, request: MirrorRequest
) -> Delivery:
    response = await client.request(
        request.method,
        _url(conn, request.path),
        params=request.query or None,
        json=request.json,
        headers=_headers(conn),
    )
    return delivered(response, LABEL, _detail(response))


async def verify(conn: ResolvedConnection, client: httpx.AsyncClient) -> VerifyResult:
    response = await client.get(
        _url(conn, "/v2/alerts"), params={"limit": "1"}, headers=_headers(conn)
    )
    if response.is_success:
        return VerifyResult(True, "Opsgenie accepted the API key", response.status_code)
    result = delivered(response, LABEL, _detail(response))
    return VerifyResult(False, result.error or "refused", response.status_code)
