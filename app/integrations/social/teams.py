"""Microsoft Teams: post a card to a channel's incoming webhook.

Two kinds of webhook exist. The Office 365 connector (`https://<tenant>.webhook.office.com/
webhookb2/…`) takes a MessageCard `{"@type": "MessageCard", "summary", "title", "text"}` and
answers 200 with the body `1`; a failure behind it can also come back as 200 with an error
text ("Microsoft Teams endpoint returned HTTP error 429 …"), so only `1` counts as posted. A
Workflows webhook (Power Automate, `…logic.azure.com…/workflows/…` or
`…powerplatform.com…`) takes `{"type": "message", "attachments": [<Adaptive Card>]}` and
answers 202. Errors: 400 with a text ("Summary or Text is required.") or
`{"error": {"code", "message"}}`; 429 with `Retry-After`. Text is Teams' Markdown. Teams has no
read-only request for a webhook: the check posts a short test card, as Slack's does.
"""

from __future__ import annotations

from typing import Any, Literal

import httpx
from pydantic import Field

from app.core.social_text import SocialPost, fit
from app.integrations.credentials import ResolvedConnection
from app.integrations.delivery import Delivery, VerifyResult
from app.integrations.platform_fields import HttpUrl, PlatformSpec, _Fields
from app.integrations.social._http import failed, json_of, send

LABEL = "Microsoft Teams"
_WORKFLOW_HOSTS = ("logic.azure.com", "powerplatform.com", "powerautomate.com")


class TeamsSecrets(_Fields):
    """The channel's incoming webhook URL (whoever has it can post)."""

    webhook_url: HttpUrl = Field(
        title="Webhook URL",
        description="Channel → Workflows → 'Post to a channel when a webhook request is "
        "received' (or a legacy Incoming Webhook connector): copy its URL",
    )


class TeamsConfig(_Fields):
    """The card format and the text of the check."""

    card: Literal["auto", "message_card", "adaptive_card"] = Field(
        "auto",
        title="Card format",
        description="auto: Adaptive Card for Workflows URLs, MessageCard for connector URLs",
    )
    test_message: str = Field(
        "Flowdeck connection check",
        min_length=1,
        max_length=500,
        title="Test message",
        description="posted to the channel by Verify",
    )


SPEC = PlatformSpec(
    ("webhook",), {"webhook": TeamsSecrets}, TeamsConfig, {"webhook": "webhook_url"}
)


def card_format(conn: ResolvedConnection) -> str:
    """`adaptive_card` or `message_card`, as configured or as the webhook URL suggests."""
    chosen = conn.config.get("card") or "auto"
    if chosen != "auto":
        return str(chosen)
    host = httpx.URL(conn.credentials.get("webhook_url", "")).host
    return "adaptive_card" if host.endswith(_WORKFLOW_HOSTS) else "message_card"


def card(kind: str, text: str, title: str | None, summary: str | None = None) -> dict[str, Any]:
    """The JSON body: a MessageCard, or a message with one Adaptive Card attachment.

    `summary` (a MessageCard's notification text) defaults to the title, else the text.
    """
    if kind == "message_card":
        summary = (summary or title or text)[:150]
        body = {"@type": "MessageCard", "@context": "https://schema.org/extensions"}
        return {**body, "summary": summary, **({"title": title} if title else {}), "text": text}
    blocks: list[dict[str, Any]] = []
    if title:
        blocks.append(
            {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": True}
        )
    blocks.append({"type": "TextBlock", "text": text, "wrap": True})
    content = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": blocks,
    }
    attachment = {"contentType": "application/vnd.microsoft.card.adaptive", "content": content}
    return {"type": "message", "attachments": [attachment]}


def _detail(response: httpx.Response) -> str:
    error = json_of(response).get("error")
    if isinstance(error, dict) and error.get("message"):
        return f"{error.get('code') or 'error'}: {error['message']}"
    return ""


async def _send_card(
    client: httpx.AsyncClient,
    conn: ResolvedConnection,
    text: str,
    title: str | None,
    summary: str | None = None,
) -> tuple[httpx.Response, Delivery]:
    payload = card(card_format(conn), text, title, summary)
    response = await send(client, "POST", conn.credentials.get("webhook_url", ""), json=payload)
    code, answer = response.status_code, response.text.strip()
    if code == 202 or (code == 200 and answer in ("1", "")):
        return response, Delivery(True, code, text=text)
    if code == 200:  # the connector's 200 carrying the failure behind it
        kind = "http_429" if "429" in answer else "error"
        return response, Delivery(False, code, f"Microsoft Teams answered: {answer[:300]}", kind)
    return response, failed(response, "Microsoft Teams", _detail(response))


async def post(
    client: httpx.AsyncClient, conn: ResolvedConnection, post: SocialPost, *, key: str = ""
) -> Delivery:
    """Post `post` as a card (Markdown text; the title heads the card unless the text already
    shows it, as the link's label); `key` is unused."""
    fitted = fit(post, "teams")
    if not fitted.ok:
        return Delivery(False, None, f"Microsoft Teams: {fitted.error}", "error")
    title = post.title if post.title and post.title not in fitted.text else None
    return (await _send_card(client, conn, fitted.text, title, post.title))[1]


async def verify(conn: ResolvedConnection, client: httpx.AsyncClient) -> VerifyResult:
    """Post the configured test message (a webhook cannot be checked without posting)."""
    text = str(conn.config.get("test_message") or "Flowdeck connection check")
    response, delivery = await _send_card(client, conn, text, None)
    if delivery.ok:
        kind = "Workflows" if card_format(conn) == "adaptive_card" else "connector"
        return VerifyResult(
            True, f"Microsoft Teams ({kind}) accepted the test card", delivery.status
        )
    return VerifyResult(False, delivery.error or "", response.status_code)
