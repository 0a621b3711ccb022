"""`ticket_create`: an issue in GitHub Issues, Jira Cloud or Linear, by the connection's platform.

- GitHub (`github` connection, bearer token): `POST /repos/{owner}/{repo}/issues` with
  `title`, `body`, `labels`; `project` or the connection's `repo` names the repository.
- Jira Cloud (`jira`, basic auth email:API token): `POST /rest/api/3/issue`, the body as an
  ADF description; `project` or the connection's `project_key`, `issue_type` or its default.
- Linear (`linear`, API key): the `issueCreate` GraphQL mutation; `project` or the
  connection's `team_id` names the team.

Output: `platform`, the ticket's `id`, `key` (`#12`, `OPS-7`, `ENG-42`) and `url`.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from app.core.ops_configs import TicketConfig
from app.core.tickets import github_issue, jira_fields, linear_issue_create
from app.engine.actions import StepContext, action
from app.engine.actions.ops_connections import connection_for
from app.engine.failures import ActionFailed
from app.integrations.credentials import ResolvedConnection, join_url, record_use
from app.integrations.http import outbound_client
from app.integrations.ops import jira, linear
from app.integrations.ops._http import delivered, json_of

PLATFORMS = ("github", "jira", "linear")
TIMEOUT_S = 30.0


def _where(config: TicketConfig, conn: ResolvedConnection, key: str, what: str) -> str:
    found = config.project or conn.config.get(key)
    if not found:
        raise ActionFailed(
            f"project: name the {what} (or set it on connection {conn.name!r})", kind="validation"
        )
    return str(found)


async def _github(client: httpx.AsyncClient, conn: ResolvedConnection, config: TicketConfig):
    repo = _where(config, conn, "repo", "repository (owner/name)")
    if repo.count("/") != 1:
        raise ActionFailed(f"project: {repo!r} is not owner/name", kind="validation")
    url = join_url(conn.base_url(), f"/repos/{repo}/issues")
    body = github_issue(config.title, config.body, config.labels)
    response = await client.post(url, json=body, headers=conn.auth_headers())
    data = json_of(response) if response.is_success else None
    detail = "" if response.is_success else str((json_of(response) or {}).get("message") or "")
    sent = delivered(response, "GitHub", detail)
    data = data if isinstance(data, dict) else {}
    return sent, {"id": data.get("id"), "key": f"#{data.get('number')}",
                  "url": data.get("html_url")}  # fmt: skip


async def _jira(client: httpx.AsyncClient, conn: ResolvedConnection, config: TicketConfig):
    project = _where(config, conn, "project_key", "Jira project key")
    fields = jira_fields(
        project=project,
        issue_type=config.issue_type or conn.config.get("issue_type") or "Task",
        title=config.title,
        body=config.body,
        labels=config.labels,
    )
    sent, data = await jira.create_issue(client, conn, fields)
    url = join_url(conn.config["site_url"], f"/browse/{data.get('key')}") if sent.ok else None
    return sent, {"id": data.get("id"), "key": data.get("key"), "url": url}


async def _linear(client: httpx.AsyncClient, conn: ResolvedConnection, config: TicketConfig):
    team = _where(config, conn, "team_id", "Linear team id")
    request = linear_issue_create(team_id=team, title=config.title, body=config.body)
    sent, data = await linear.graphql(client, conn, request)
    created = data.get("issueCreate") or {}
    issue = created.get("issue") or {}
    if sent.ok and not created.get("success"):
        sent = type(sent)(False, sent.status, "Linear: issueCreate did not succeed", "error")
    return sent, {"id": issue.get("id"), "key": issue.get("identifier"), "url": issue.get("url")}


_CREATORS = {"github": _github, "jira": _jira, "linear": _linear}


@action("ticket_create", TicketConfig, "Create a ticket in GitHub Issues, Jira Cloud or Linear")
async def run(step: StepContext, config: TicketConfig) -> dict[str, Any]:
    conn = await connection_for(step, config.connection, PLATFORMS, "a GitHub, Jira or Linear")
    try:
        async with outbound_client(timeout=TIMEOUT_S) as client:
            sent, ticket = await _CREATORS[conn.platform](client, conn, config)
    except httpx.HTTPError as exc:
        kind = "timeout" if isinstance(exc, httpx.TimeoutException) else "connection"
        raise ActionFailed(f"{conn.name} could not be reached: {exc.__class__.__name__}",
                           kind=kind) from None  # fmt: skip
    finally:
        await asyncio.to_thread(record_use, conn.id)
    if not sent.ok:
        raise ActionFailed(f"{conn.name}: {sent.error}", kind=sent.kind or "error")
    return {"connection": conn.name, "platform": conn.platform, "title": config.title, **ticket}
