"""Sending a message or a JSON document through a connection, as each platform expects it.

Shared by `share`, `notify` (with a connection) and `publish`:

- `post_message`: Slack incoming webhook `{"text"}` (success is 200 with the body `ok`);
  Telegram Bot API `sendMessage` to the connection's `default_chat_id` (success is
  `{"ok": true}`); n8n / Zapier webhooks and generic `http` connections get JSON
  `{"message", …data}` (any 2xx).
- `post_document`: a JSON POST to an n8n / Zapier webhook or an `http` connection.

- `post_social`: a `SocialPost` to a social platform (`app.integrations.social`: Mastodon,
  Discord, Teams, X, LinkedIn, Bluesky), fitted there to the platform; `post_message` to a
  social connection posts its text that way too.

Neither raises for what the network or the remote side did: a `Delivery`
(`app.integrations.delivery`) says whether it worked, the status, the error and its failure
kind in the retry policy's words, so that one share to five platforms can report each of them.
All requests go through `outbound_client`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import httpx
from pydantic import BeforeValidator

from app.core.errors import FlowdeckError
from app.core.social_text import SocialPost
from app.engine.http import outbound_client
from app.integrations import social
from app.integrations.credentials import ResolvedConnection, join_url, load_connection
from app.integrations.delivery import Delivery, http_failure_kind

__all__ = ["ConnectionRef", "Delivery", "load", "post_document", "post_message", "post_social"]

MESSAGE_PLATFORMS = ("slack", "telegram", "n8n", "zapier", "http")
DOCUMENT_PLATFORMS = ("n8n", "zapier", "http")
TELEGRAM_MAX = 4096
SLACK_MAX = 40_000
_DETAIL = 300


def _connection_ref(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | str) or value == "":
        raise ValueError("must be a connection id or name")
    return value


#: A connection named by id or by name in an action's config.
ConnectionRef = Annotated[int | str, BeforeValidator(_connection_ref)]


async def load(ref: int | str) -> ResolvedConnection:
    """The connection `ref` with its credentials (NotFound / SecretUnreadable otherwise)."""
    return await asyncio.to_thread(load_connection, ref)


def _failed(response: httpx.Response, who: str, detail: str | None = None) -> Delivery:
    code = response.status_code
    text = detail or response.text.strip()[:_DETAIL] or "(empty body)"
    return Delivery(False, code, f"{who} answered {code}: {text}", http_failure_kind(code))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def _slack(client: httpx.AsyncClient, conn: ResolvedConnection, text: str) -> Delivery:
    response = await client.post(conn.base_url(), json={"text": _clip(text, SLACK_MAX)})
    if response.status_code == 200 and response.text.strip() == "ok":
        return Delivery(True, 200)
    return _failed(response, "Slack")


async def _telegram(client: httpx.AsyncClient, conn: ResolvedConnection, text: str) -> Delivery:
    chat_id = conn.config.get("default_chat_id")
    if chat_id in (None, ""):
        return Delivery(False, None, f"connection {conn.name!r} has no default_chat_id", "error")
    body = {"chat_id": chat_id, "text": _clip(text, TELEGRAM_MAX)}
    response = await client.post(join_url(conn.base_url(), "sendMessage"), json=body)
    try:
        data = response.json()
    except ValueError:
        data = {}
    data = data if isinstance(data, dict) else {}
    if response.status_code == 200 and data.get("ok") is True:
        return Delivery(True, 200)
    return _failed(response, "Telegram", str(data.get("description") or "") or None)


async def _json_post(
    client: httpx.AsyncClient, conn: ResolvedConnection, payload: Any, path: str = ""
) -> Delivery:
    url = conn.url_for(path) if path else conn.base_url()
    response = await client.post(url, json=payload, headers=conn.auth_headers() or None)
    if response.is_success:
        return Delivery(True, response.status_code)
    return _failed(response, conn.platform)


async def _guarded(
    send: Callable[[httpx.AsyncClient], Awaitable[Delivery]], timeout_s: float
) -> Delivery:
    """Run `send` with a guarded client; network and guard errors become a failed Delivery."""
    try:
        async with outbound_client(timeout=timeout_s) as client:
            return await send(client)
    except httpx.TimeoutException:
        return Delivery(False, None, f"no answer within {timeout_s:g} s", "timeout")
    except httpx.TransportError as exc:
        return Delivery(False, None, f"connection failed: {exc.__class__.__name__}", "connection")
    except FlowdeckError as exc:  # the address guard, a URL outside the connection
        return Delivery(False, None, exc.message, "error")


async def post_message(
    conn: ResolvedConnection, text: str, data: dict[str, Any], *, timeout_s: float = 30.0
) -> Delivery:
    """Post `text` through `conn`; webhooks also get `data` next to the message."""
    if conn.platform in social.POSTERS:
        return await post_social(conn, SocialPost(text=text), timeout_s=timeout_s)
    if conn.platform not in MESSAGE_PLATFORMS:
        kinds = ", ".join(MESSAGE_PLATFORMS)
        return Delivery(False, None, f"{conn.platform} connections cannot post ({kinds})", "error")
    if conn.platform == "slack":
        return await _guarded(lambda client: _slack(client, conn, text), timeout_s)
    if conn.platform == "telegram":
        return await _guarded(lambda client: _telegram(client, conn, text), timeout_s)
    payload = {"message": text, **data}
    return await _guarded(lambda client: _json_post(client, conn, payload), timeout_s)


async def post_social(
    conn: ResolvedConnection, post: SocialPost, *, key: str = "", timeout_s: float = 30.0
) -> Delivery:
    """Publish `post` on the social platform of `conn` (fitted there to its length and format).

    `key` is stable per execution, step and connection: platforms with idempotency keys
    (Mastodon) then do not post twice when a step is retried.
    """
    poster = social.POSTERS.get(conn.platform)
    if poster is None:
        kinds = ", ".join(social.POSTERS) or "none yet"
        return Delivery(False, None, f"{conn.platform} is not a social platform ({kinds})", "error")
    return await _guarded(lambda client: poster(client, conn, post, key=key), timeout_s)


async def post_document(
    conn: ResolvedConnection, payload: Any, *, path: str = "", timeout_s: float = 30.0
) -> Delivery:
    """POST `payload` as JSON to an n8n / Zapier webhook or under an `http` connection."""
    if conn.platform not in DOCUMENT_PLATFORMS:
        kinds = ", ".join(DOCUMENT_PLATFORMS)
        return Delivery(
            False, None, f"{conn.platform} connections take no documents ({kinds})", "error"
        )
    return await _guarded(lambda client: _json_post(client, conn, payload, path), timeout_s)
