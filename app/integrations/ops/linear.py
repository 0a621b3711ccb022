"""Linear's GraphQL API: `POST {api_base}/graphql` with `Authorization: <API key>`.

A personal API key goes in the header as it is (no `Bearer`; OAuth tokens would use it).
Issues are made with the `issueCreate` mutation (`app.core.tickets.linear_issue_create`);
Linear answers 200 with `{"data": {"issueCreate": {"success", "issue": {"id", "identifier",
"url"}}}}`, or with `{"errors": [{"message", "extensions"}]}` (an HTTP 400 for bad input, 200
with errors for some failures, 401 without a valid key). The check asks for `viewer`.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import Field

from app.integrations.credentials import ResolvedConnection, join_url
from app.integrations.delivery import Delivery, VerifyResult
from app.integrations.ops._http import delivered, json_of
from app.integrations.platform_fields import HttpUrl, PlatformSpec, _Fields

LABEL = "Linear"
DEFAULT_BASE = "https://api.linear.app"


class LinearSecrets(_Fields):
    """A personal API key (Settings → Security & access → Personal API keys)."""

    api_key: str = Field(min_length=1, max_length=500, title="API key")


class LinearConfig(_Fields):
    """The team new issues go to, and where requests go."""

    team_id: str | None = Field(None, max_length=100, title="Team id", description="a UUID")
    api_base: HttpUrl = Field(DEFAULT_BASE, title="API base URL")


SPEC = PlatformSpec(("api_key",), {"api_key": LinearSecrets}, LinearConfig, {"api_key": "api_key"})


def _errors(data: Any) -> str:
    if isinstance(data, dict) and isinstance(data.get("errors"), list):
        return "; ".join(
            str(e.get("message") if isinstance(e, dict) else e) for e in data["errors"]
        )
    return ""


async def graphql(
    client: httpx.AsyncClient, conn: ResolvedConnection, request: dict[str, Any]
) -> tuple[Delivery, dict[str, Any]]:
    """One GraphQL request; an answer with `errors` is a failure even when it is a 200."""
    url = join_url(conn.config.get("api_base") or DEFAULT_BASE, "/graphql")
    headers = {"Authorization": conn.credentials["api_key"]}
    response = await client.post(url, json=request, headers=headers)
    data = json_of(response)
    errors = _errors(data)
    if response.is_success and errors:
        return Delivery(False, response.status_code, f"{LABEL}: {errors}", "error"), {}
    body = data.get("data") if isinstance(data, dict) else None
    return delivered(response, LABEL, errors), body if isinstance(body, dict) else {}


async def verify(conn: ResolvedConnection, client: httpx.AsyncClient) -> VerifyResult:
    sent, data = await graphql(client, conn, {"query": "query { viewer { id name } }"})
    if sent.ok and isinstance(data.get("viewer"), dict):
        return VerifyResult(True, f"Linear user {data['viewer'].get('name') or '?'}", 200)
    return VerifyResult(False, sent.error or "no viewer in the answer", sent.status)
