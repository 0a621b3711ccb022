"""A loopback stand-in for Microsoft Teams incoming webhooks, both kinds.

- Office 365 connector, `/webhookb2/<ids>/IncomingWebhook/<id>/<guid>`: a MessageCard
  (`"@type": "MessageCard"`) with `text` or `summary` → 200 with the body `1`; neither →
  400 `Summary or Text is required.`; not a card → 400 `Bad payload received by generic
  incoming webhook.`; another path → 404 (the connector was removed). A payload over 28 KB is
  answered as Teams does, 200 with the failure behind it in the body: `Microsoft Teams
  endpoint returned HTTP error 413 with ContextId …`.
- Workflows, `/workflows/<id>/triggers/manual/paths/invoke`: `{"type": "message",
  "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content":
  {"type": "AdaptiveCard", …}}]}` → 202 with an empty body; anything else → 400
  `{"error": {"code": "InvalidRequestContent", "message"}}`.
Scripted answers (`then`) go first: a 429 with `Retry-After`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.integration.social.loopback import Answer, Seen, StandIn

CONNECTOR_PATH = (
    "/webhookb2/5f0c2f5e-1d2a-4c55-9b1e-0a7d3c9e8f21@72f988bf-86f1-41af-91ab-2d7cd011db47"
    "/IncomingWebhook/9a8b7c6d5e4f4a3b2c1d0e9f8a7b6c5d/3e1f2a4b-6c7d-4e8f-9a0b-1c2d3e4f5a6b"
)
WORKFLOW_PATH = "/workflows/8c1e0f6a2b3d4e5f9a7b/triggers/manual/paths/invoke"
MAX_PAYLOAD = 28 * 1024


def rate_limited(retry_after: int) -> Answer:
    text = "Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0,server=msgapi"
    return 429, {"retry-after": str(retry_after)}, text.encode()


def _text(status: int, text: str) -> Answer:
    return status, {}, text.encode()


@dataclass
class TeamsStandIn(StandIn):
    cards: list[dict[str, Any]] = field(default_factory=list)

    def url(self, path: str = CONNECTOR_PATH) -> str:
        return self.base_url + path

    def answer(self, seen: Seen) -> Answer:
        if seen.method != "POST":
            return _text(405, "Method Not Allowed")
        try:
            payload = json.loads(seen.raw or b"null")
        except ValueError:
            payload = None
        if seen.path == CONNECTOR_PATH:
            return self._connector(seen, payload)
        if seen.path == WORKFLOW_PATH:
            return self._workflow(payload)
        return _text(404, "Webhook not found")

    def _connector(self, seen: Seen, card: Any) -> Answer:
        if not isinstance(card, dict) or card.get("@type") != "MessageCard":
            return _text(400, "Bad payload received by generic incoming webhook.")
        if not card.get("text") and not card.get("summary"):
            return _text(400, "Summary or Text is required.")
        if len(seen.raw) > MAX_PAYLOAD:
            return _text(200, "Microsoft Teams endpoint returned HTTP error 413 with ContextId x")
        self.cards.append(card)
        return _text(200, "1")

    def _workflow(self, message: Any) -> Answer:
        attachments = message.get("attachments") if isinstance(message, dict) else None
        card = attachments[0] if isinstance(attachments, list) and attachments else {}
        content = card.get("content") if isinstance(card, dict) else None
        if (
            message.get("type") != "message"
            or card.get("contentType") != "application/vnd.microsoft.card.adaptive"
            or not isinstance(content, dict)
            or content.get("type") != "AdaptiveCard"
        ):
            error = {"code": "InvalidRequestContent", "message": "not an Adaptive Card message"}
            return 400, {}, {"error": error}
        self.cards.append(content)
        return 202, {}, b""
