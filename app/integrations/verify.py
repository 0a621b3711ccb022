"""Verifying a connection with one real request to its platform.

Slack: post a short text to the webhook (Slack answers 200 `ok`). Telegram: `getMe`. GitHub:
`GET /user` (and the configured repository). SMTP: connect, STARTTLS/SSL, log in. n8n, Zapier
and http: a configurable test request. Every base URL comes from the connection's config, so
the same code talks to the real service or to a stand-in on loopback.

The result's message never contains a secret: every credential value is masked in it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from app.core.redact import redact
from app.integrations import databases, metric_sources, ops, social
from app.integrations.credentials import ResolvedConnection, join_url
from app.integrations.delivery import VerifyResult
from app.integrations.guard import OutboundBlocked
from app.integrations.http import outbound_client
from app.integrations.smtp_check import check_smtp

__all__ = ["CHECKS", "VerifyResult", "verify"]

MAX_MESSAGE = 2000
_LABEL = {"n8n": "n8n", "zapier": "Zapier", "slack": "Slack", "telegram": "Telegram",
          "github": "GitHub", "smtp": "SMTP", "http": "the service"}  # fmt: skip


Check = Callable[[ResolvedConnection, httpx.AsyncClient], Awaitable[VerifyResult]]


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _answered(conn: ResolvedConnection, response: httpx.Response, detail: str = "") -> str:
    body = detail or response.text.strip()[:300] or "(empty body)"
    return f"{_LABEL[conn.platform]} answered {response.status_code}: {body}"


def slack_accepted(what: str, response: httpx.Response) -> str:
    """Any 2xx is accepted; an answer other than Slack's own `ok` is said as a note, since
    Slack-compatible servers (Mattermost, Rocket.Chat) answer otherwise."""
    body = response.text.strip()
    if response.status_code == 200 and body == "ok":
        return f"Slack accepted {what}"
    shown = body[:120] or "(empty body)"
    return (
        f"Accepted {what} ({response.status_code}). Note: the answer was {shown!r}, not "
        "Slack's 'ok', so this may be a Slack-compatible server rather than Slack"
    )


async def _slack(conn: ResolvedConnection, client: httpx.AsyncClient) -> VerifyResult:
    text = conn.config.get("test_message") or "Flowdeck connection check"
    response = await client.post(conn.base_url(), json={"text": text})
    code = response.status_code
    if response.is_success:
        return VerifyResult(True, slack_accepted("the test message", response), code)
    if code == 429:
        wait = response.headers.get("retry-after", "?")
        return VerifyResult(False, f"Slack is rate limiting (429, retry after {wait} s)", code)
    return VerifyResult(False, _answered(conn, response), code)


async def _telegram(conn: ResolvedConnection, client: httpx.AsyncClient) -> VerifyResult:
    response = await client.get(join_url(conn.base_url(), "getMe"))
    data = _json(response)
    if response.status_code == 200 and data.get("ok") is True:
        bot = data.get("result") or {}
        name = f"@{bot['username']}" if bot.get("username") else f"id {bot.get('id')}"
        return VerifyResult(True, f"Telegram bot {name}", response.status_code)
    return VerifyResult(
        False, _answered(conn, response, str(data.get("description") or "")), response.status_code
    )


async def _github(conn: ResolvedConnection, client: httpx.AsyncClient) -> VerifyResult:
    headers = conn.auth_headers()
    response = await client.get(join_url(conn.base_url(), "user"), headers=headers)
    data = _json(response)
    if response.status_code != 200:
        detail = str(data.get("message") or "")
        return VerifyResult(False, _answered(conn, response, detail), response.status_code)
    login = data.get("login") or "?"
    repo = conn.config.get("repo")
    if not repo:
        return VerifyResult(True, f"GitHub user {login}", response.status_code)
    repo_answer = await client.get(join_url(conn.base_url(), f"repos/{repo}"), headers=headers)
    if repo_answer.status_code != 200:
        detail = str(_json(repo_answer).get("message") or "")
        message = f"token works (GitHub user {login}) but repository {repo}: " + _answered(
            conn, repo_answer, detail
        )
        return VerifyResult(False, message, repo_answer.status_code)
    return VerifyResult(True, f"GitHub user {login}, repository {repo}", repo_answer.status_code)


async def _test_request(conn: ResolvedConnection, client: httpx.AsyncClient) -> VerifyResult:
    """n8n, Zapier, http: the configured method and path; 2xx means verified."""
    method = conn.config.get("test_method") or ("GET" if conn.platform == "http" else "POST")
    base, path = conn.base_url(), conn.config.get("test_path") or ""
    if conn.platform == "http":
        url = join_url(base, path, connection=conn.name)
    else:  # a webhook: test_path replaces the path of the webhook URL (n8n's /webhook-test/…)
        url = str(httpx.URL(base).copy_with(raw_path=path.encode())) if path else base
    body = conn.config.get("test_body", {"test": True})
    response = await client.request(
        method,
        url,
        headers=conn.auth_headers(),
        json=body if method not in ("GET", "HEAD") else None,
    )
    if response.is_success:
        return VerifyResult(True, f"{_LABEL[conn.platform]} answered {response.status_code}")
    return VerifyResult(False, _answered(conn, response), response.status_code)


async def _smtp(conn: ResolvedConnection, _client: httpx.AsyncClient) -> VerifyResult:
    ok, message = await asyncio.to_thread(check_smtp, conn)
    return VerifyResult(ok, message)


async def _database(conn: ResolvedConnection, _client: httpx.AsyncClient) -> VerifyResult:
    ok, message = await asyncio.to_thread(databases.check, conn.credentials["url"])
    return VerifyResult(ok, message)


CHECKS: dict[str, Check] = {
    "database": _database,
    "slack": _slack,
    "telegram": _telegram,
    "github": _github,
    "smtp": _smtp,
    "n8n": _test_request,
    "zapier": _test_request,
    "http": _test_request,
}


async def verify(conn: ResolvedConnection, *, timeout_s: float = 15.0) -> VerifyResult:
    """Run the platform's check; any failure becomes a result, never an exception."""
    started = time.perf_counter()
    try:
        async with outbound_client(timeout=timeout_s) as client:
            check = (
                CHECKS.get(conn.platform)
                or social.VERIFIERS.get(conn.platform)
                or ops.VERIFIERS.get(conn.platform)
                or metric_sources.VERIFIERS[conn.platform]
            )
            result = await check(conn, client)
    except OutboundBlocked as exc:
        result = VerifyResult(False, exc.message)
    except httpx.TimeoutException:
        result = VerifyResult(False, f"no answer within {timeout_s:g} s")
    except httpx.HTTPError as exc:
        result = VerifyResult(False, f"connection failed: {exc.__class__.__name__}: {exc}")
    message = str(redact(result.message, conn.secret_values()))[:MAX_MESSAGE]
    elapsed = round((time.perf_counter() - started) * 1000, 2)
    return VerifyResult(result.ok, message, result.status_code, elapsed)
