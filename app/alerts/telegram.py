"""Telegram: the Bot API's `sendMessage`, with HTML (default) or MarkdownV2 formatting.

`POST {api_base}/bot<token>/sendMessage` with `chat_id`, `text` and `parse_mode`. Telegram
answers `{"ok": true, "result": …}` on success and `{"ok": false, "error_code",
"description", "parameters": {"retry_after": N}}` otherwise; 429 means wait `retry_after`
seconds. The bot token and API base come from a Telegram connection; the alert's `channel`
is the chat id (or the connection's default chat).
"""

from __future__ import annotations

import html
import re
from typing import Any, Literal

from app.alerts.base import (
    SEND_TIMEOUT_S,
    ChannelOptions,
    ChannelType,
    SendResult,
    Target,
    http_failure_kind,
    register,
)
from app.alerts.messages import AlertMessage
from app.integrations.credentials import join_url
from app.integrations.http import outbound_client

MAX_TEXT = 4096
_CHAT_ID = re.compile(r"^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$")
_MARKDOWN_V2 = re.compile(r"([_*\[\]()~`>#+\-=|{}.!\\])")
_ICON = {"info": "ℹ️", "warning": "⚠️", "error": "❌", "critical": "🚨"}


class TelegramOptions(ChannelOptions):
    """How the message is formatted and whether it makes a sound."""

    parse_mode: Literal["HTML", "MarkdownV2", "none"] = "HTML"
    disable_notification: bool = False


def escape_html(text: str) -> str:
    """Telegram's HTML mode needs `<`, `>` and `&` escaped (and quotes in attributes)."""
    return html.escape(text, quote=True)


def escape_markdown(text: str) -> str:
    """MarkdownV2: every one of Telegram's special characters gets a backslash."""
    return _MARKDOWN_V2.sub(r"\\\1", text)


def render_html(message: AlertMessage) -> str:
    """The message in Telegram's HTML mode: bold title, facts, the error as <pre>."""
    icon = _ICON.get(message.severity, "")
    lines = [f"{icon} <b>{escape_html(message.title)}</b>", escape_html(message.summary)]
    if message.note:
        lines.append(f"<i>{escape_html(message.note)}</i>")
    for label, value in message.facts:
        if label == "Error":
            lines.append(f"<b>Error:</b>\n<pre>{escape_html(value)}</pre>")
        else:
            lines.append(f"<b>{escape_html(label)}:</b> {escape_html(value)}")
    if message.link:
        lines.append(f'<a href="{escape_html(message.link)}">{escape_html(message.link_label)}</a>')
    return "\n".join(lines)


def render_markdown(message: AlertMessage) -> str:
    """The message in MarkdownV2, every special character escaped."""
    icon = _ICON.get(message.severity, "")
    lines = [f"{icon} *{escape_markdown(message.title)}*", escape_markdown(message.summary)]
    if message.note:
        lines.append(f"_{escape_markdown(message.note)}_")
    lines += [f"*{escape_markdown(k)}:* {escape_markdown(v)}" for k, v in message.facts]
    if message.link:
        url = message.link.replace("\\", "\\\\").replace(")", "\\)")
        lines.append(f"[{escape_markdown(message.link_label)}]({url})")
    return "\n".join(lines)


def request_body(chat_id: str, message: AlertMessage, options: dict[str, Any]) -> dict[str, Any]:
    """The sendMessage body; a message too long once formatted goes as plain text."""
    mode = options.get("parse_mode") or "HTML"
    text = {"HTML": render_html, "MarkdownV2": render_markdown}.get(mode, lambda m: m.text())(
        message
    )
    body: dict[str, Any] = {"chat_id": chat_id, "link_preview_options": {"is_disabled": True}}
    if mode != "none" and len(text) <= MAX_TEXT:
        body["parse_mode"] = mode
    else:
        text = message.text()[:MAX_TEXT]
    body["text"] = text
    if options.get("disable_notification"):
        body["disable_notification"] = True
    return body


async def send(target: Target, message: AlertMessage) -> SendResult:
    """One sendMessage call; `ok: true` is success, 429 says how long to wait."""
    conn = target.connection
    if conn is None:
        return SendResult.failed("the alert's Telegram connection no longer exists")
    chat_id = target.channel or str(conn.config.get("default_chat_id") or "")
    if not chat_id:
        return SendResult.failed("no chat id: set the alert's channel or the connection's chat")
    url = join_url(conn.base_url(), "sendMessage")
    async with outbound_client(timeout=SEND_TIMEOUT_S) as client:
        response = await client.post(url, json=request_body(chat_id, message, target.options))
    try:
        data = response.json()
    except ValueError:
        data = {}
    data = data if isinstance(data, dict) else {}
    code = response.status_code
    if code == 200 and data.get("ok") is True:
        return SendResult(True, code)
    parameters = data.get("parameters") if isinstance(data.get("parameters"), dict) else {}
    wait = parameters.get("retry_after")
    retry_after = float(wait) if isinstance(wait, int | float) and wait >= 0 else None
    detail = str(data.get("description") or response.text.strip()[:300] or "(empty body)")
    kind = http_failure_kind(code) if code != 200 else "error"
    return SendResult.failed(
        f"Telegram answered {code}: {detail}", code=code, kind=kind, retry_after=retry_after
    )


def check_channel(channel: str, has_connection: bool) -> str | None:
    """A chat id or @channel; empty means the connection's default chat."""
    if channel and not _CHAT_ID.match(channel):
        return "must be a chat id (such as -1001234567890) or a public @channelname"
    return None


CHANNEL = register(
    ChannelType(
        name="telegram",
        label="Telegram",
        send=send,
        options=TelegramOptions,
        check_channel=check_channel,
        platforms=("telegram",),
        needs_connection=True,
        description="Bot API sendMessage through a Telegram connection",
    )
)
