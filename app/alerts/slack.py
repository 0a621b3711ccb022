"""Slack: POST to an incoming webhook with `text` and rich `blocks`.

Slack's contract: 200 with the body `ok` is success; anything else is a failure whose body
names it (`no_service`, `invalid_token`, `invalid_payload`, …); 429 carries `Retry-After`.
The webhook URL authorises posting, so it is stored encrypted and comes from the alert or
from a Slack connection.
"""

from __future__ import annotations

from typing import Any

from app.alerts.base import (
    SEND_TIMEOUT_S,
    ChannelOptions,
    ChannelType,
    SendResult,
    Target,
    http_failure_kind,
    http_url_problem,
    register,
)
from app.alerts.messages import AlertMessage
from app.integrations.http import outbound_client

_EMOJI = {"info": ":information_source:", "warning": ":warning:", "error": ":x:",
          "critical": ":rotating_light:"}  # fmt: skip


class SlackOptions(ChannelOptions):
    """Slack needs nothing beyond the webhook URL."""


def escape(text: str) -> str:
    """Slack mrkdwn control characters, as Slack documents them."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def blocks(message: AlertMessage) -> list[dict[str, Any]]:
    """Header, a section with the summary and facts, and a context line with the link."""
    facts = [
        {"type": "mrkdwn", "text": f"*{escape(label)}*\n{escape(value)[:1900]}"}
        for label, value in message.facts
        if label != "Error"
    ][:10]
    section: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": ""}}
    body = escape(message.summary)
    if message.note:
        body += f"\n_{escape(message.note)}_"
    section["text"]["text"] = body[:3000]
    if facts:
        section["fields"] = facts
    result: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": message.title[:150]}},
        section,
    ]
    if message.error:
        error = escape(message.error)[:2900]
        result.append({"type": "section", "text": {"type": "mrkdwn", "text": f"```{error}```"}})
    context = f"{_EMOJI.get(message.severity, '')} *{message.severity.upper()}*"
    if message.link:
        context += f"  •  <{message.link}|{escape(message.link_label)}>"
    result.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    return result


def webhook_url(target: Target) -> str:
    """The alert's own webhook URL, or its Slack connection's."""
    if target.connection is not None:
        return target.connection.base_url()
    return target.channel


async def send(target: Target, message: AlertMessage) -> SendResult:
    """One POST; any 2xx is delivered, anything else is a failure with Slack's answer."""
    payload = {"text": message.text()[:3000], "blocks": blocks(message)}
    async with outbound_client(timeout=SEND_TIMEOUT_S) as client:
        response = await client.post(webhook_url(target), json=payload)
    code, body = response.status_code, response.text.strip()
    if response.is_success:  # Slack answers "ok"; Slack-compatible servers answer otherwise
        return SendResult(True, code)
    retry_after = _seconds(response.headers.get("retry-after")) if code == 429 else None
    error = f"Slack answered {code}: {body[:300] or '(empty body)'}"
    return SendResult.failed(
        error, code=code, kind=http_failure_kind(code), retry_after=retry_after
    )


def _seconds(value: str | None) -> float | None:
    try:
        return max(float(value), 0.0) if value else None
    except ValueError:
        return None


def check_channel(channel: str, has_connection: bool) -> str | None:
    """The webhook URL, unless a Slack connection supplies it."""
    if has_connection:
        return "leave empty: the webhook URL comes from the connection" if channel else None
    if not channel:
        return "required: the Slack incoming webhook URL (or give a Slack connectionId)"
    return http_url_problem(channel)


CHANNEL = register(
    ChannelType(
        name="slack",
        label="Slack",
        send=send,
        options=SlackOptions,
        check_channel=check_channel,
        platforms=("slack",),
        secret_channel=True,
        description="Incoming webhook, rich blocks",
    )
)
