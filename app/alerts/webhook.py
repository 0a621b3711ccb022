"""Webhook: a JSON POST of the event and the message, signed so that receivers can verify it.

The signature is Flowdeck's own scheme (`app.core.signatures.flowdeck_signature`):
`X-Flowdeck-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + raw body>`, so a receiver
checks it with the alert's signing secret and refuses replays. `X-Flowdeck-Delivery` is the
same on every retry of one delivery, so a receiver can drop duplicates. The URL is the alert's
(stored encrypted) or an n8n / Zapier / http connection's, with that connection's auth.
"""

from __future__ import annotations

import json
import time

from pydantic import Field

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
from app.core.signatures import flowdeck_signature
from app.integrations.http import outbound_client

SIGNATURE_HEADER = "X-Flowdeck-Signature"


class WebhookOptions(ChannelOptions):
    """The signing secret; Flowdeck generates one when none is given."""

    secret: str | None = Field(None, min_length=16, max_length=256)


def signed_request(
    message: AlertMessage, secret: str, *, alert_id: int, alert_name: str, now: float
) -> tuple[bytes, dict[str, str]]:
    """The exact body bytes and the headers that sign them."""
    payload = {**message.payload(), "alert": {"id": alert_id, "name": alert_name}}
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: flowdeck_signature(secret, int(now), body),
        "X-Flowdeck-Event": message.event,
    }
    if message.delivery_id is not None:
        headers["X-Flowdeck-Delivery"] = str(message.delivery_id)
    return body, headers


async def send(target: Target, message: AlertMessage) -> SendResult:
    """One signed POST; any 2xx is success (receivers answer what they like)."""
    if not target.signing_secret:
        return SendResult.failed("the alert has no signing secret; save it again to make one")
    body, headers = signed_request(
        message,
        target.signing_secret,
        alert_id=target.alert_id,
        alert_name=target.alert_name,
        now=time.time(),
    )
    url = target.channel
    if target.connection is not None:
        url = target.connection.url_for(target.channel or "")
        headers = {**target.connection.auth_headers(), **headers}
    async with outbound_client(timeout=SEND_TIMEOUT_S) as client:
        response = await client.post(url, content=body, headers=headers)
    code = response.status_code
    if response.is_success:
        return SendResult(True, code)
    retry_after = None
    if code == 429:
        try:
            retry_after = max(float(response.headers.get("retry-after", "")), 0.0)
        except ValueError:
            retry_after = None
    text = response.text.strip()[:300] or "(empty body)"
    return SendResult.failed(
        f"the webhook answered {code}: {text}",
        code=code,
        kind=http_failure_kind(code),
        retry_after=retry_after,
    )


def check_channel(channel: str, has_connection: bool) -> str | None:
    """A URL of its own, or a path under the connection's URL."""
    if has_connection:
        if channel and ("://" in channel or not channel.startswith("/")):
            return "with a connection, give a path under its URL (such as /alerts) or nothing"
        return None
    if not channel:
        return "required: the URL to POST to (or give an n8n, Zapier or http connectionId)"
    return http_url_problem(channel)


CHANNEL = register(
    ChannelType(
        name="webhook",
        label="Webhook",
        send=send,
        options=WebhookOptions,
        check_channel=check_channel,
        platforms=("n8n", "zapier", "http"),
        secret_channel=True,
        secret_options=("secret",),
        description="Signed JSON POST (HMAC-SHA256)",
    )
)
