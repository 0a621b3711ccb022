"""Jira Cloud REST API v3: issues created with `POST {site}/rest/api/3/issue`.

Basic auth with the account's email as the user and an API token as the password. The body is
`{"fields": {"project": {"key"}, "issuetype": {"name"}, "summary", "description", "labels"}}`
where `description` is an Atlassian Document Format document (`app.core.tickets.adf`). Jira
answers 201 `{"id", "key", "self"}`, 400 `{"errorMessages": [...], "errors": {field: text}}`,
401 for bad credentials. The check is `GET /rest/api/3/myself`.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import Field

from app.integrations.credentials import ResolvedConnection, join_url
from app.integrations.delivery import Delivery, VerifyResult
from app.integrations.ops._http import delivered, json_of
from app.integrations.platform_fields import HttpUrl, PlatformSpec, _Fields

LABEL = "Jira"


class JiraSecrets(_Fields):
    """An API token (id.atlassian.com → Security → API tokens)."""

    api_token: str = Field(min_length=1, max_length=500, title="API token")


class JiraConfig(_Fields):
    """The site, the account the token belongs to, and the defaults for new issues."""

    site_url: HttpUrl = Field(title="Site URL", description="https://your-team.atlassian.net")
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$", max_length=320, title="Account email")
    project_key: str | None = Field(None, pattern=r"^[A-Z][A-Z0-9_]{0,19}$", title="Project key")
    issue_type: str = Field("Task", min_length=1, max_length=60, title="Issue type")


SPEC = PlatformSpec(("basic",), {"basic": JiraSecrets}, JiraConfig, {"basic": "api_token"})


def _auth(conn: ResolvedConnection) -> httpx.BasicAuth:
    return httpx.BasicAuth(conn.config["email"], conn.credentials["api_token"])


def _detail(response: httpx.Response) -> str:
    data = json_of(response)
    if not isinstance(data, dict):
        return ""
    parts = [str(m) for m in data.get("errorMessages") or []]
    errors = data.get("errors")
    if isinstance(errors, dict):
        parts += [f"{k}: {v}" for k, v in errors.items()]
    return "; ".join(parts)


async def create_issue(
    client: httpx.AsyncClient, conn: ResolvedConnection, fields: dict[str, Any]
) -> tuple[Delivery, dict[str, Any]]:
    url = join_url(conn.config["site_url"], "/rest/api/3/issue")
    response = await client.post(url, json={"fields": fields}, auth=_auth(conn))
    data = json_of(response)
    return delivered(response, LABEL, _detail(response)), data if isinstance(data, dict) else {}


async def verify(conn: ResolvedConnection, client: httpx.AsyncClient) -> VerifyResult:
    url = join_url(conn.config["site_url"], "/rest/api/3/myself")
    response = await client.get(url, auth=_auth(conn))
    data = json_of(response)
    if response.is_success and isinstance(data, dict):
        return VerifyResult(True, f"Jira user {data.get('displayName') or '?'}", 200)
    result = delivered(response, LABEL, _detail(response))
    return VerifyResult(False, result.error or "refused", response.status_code)
