"""`sms_send`: one SMS through a Twilio connection (Messages API).

`to` and `sender` are checked to be E.164 numbers after rendering; `body` is at most 1600
characters (Twilio splits it into segments). Output: Twilio's message `sid`, `status`
(`queued`), `to`, `from` and `segments`. A refusal fails the step (5xx and 429 retryable),
with Twilio's error code in the message.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from app.core.ops_configs import E164, SmsConfig
from app.engine.actions import StepContext, action
from app.engine.actions.ops_connections import connection_for
from app.engine.failures import ActionFailed
from app.integrations.credentials import record_use
from app.integrations.http import outbound_client
from app.integrations.ops import twilio

TIMEOUT_S = 30.0


def _number(field: str, value: str) -> str:
    value = value.strip()
    if not E164.match(value):
        raise ActionFailed(f"{field}: {value!r} is not an E.164 phone number", kind="validation")
    return value


@action("sms_send", SmsConfig, "Send an SMS through a Twilio connection")
async def run(step: StepContext, config: SmsConfig) -> dict[str, Any]:
    to = _number("to", config.to)
    conn = await connection_for(step, config.connection, ("twilio",), "a Twilio")
    sender = _number("sender", config.sender or conn.config["from_number"])
    try:
        async with outbound_client(timeout=TIMEOUT_S) as client:
            sent, message = await twilio.send_sms(
                client, conn, to=to, body=config.body, sender=sender
            )
    except httpx.HTTPError as exc:
        kind = "timeout" if isinstance(exc, httpx.TimeoutException) else "connection"
        message = f"Twilio could not be reached: {exc.__class__.__name__}"
        raise ActionFailed(message, kind=kind) from None
    finally:
        await asyncio.to_thread(record_use, conn.id)
    if not sent.ok:
        raise ActionFailed(f"{conn.name}: {sent.error}", kind=sent.kind or "error")
    return {
        "connection": conn.name,
        "sid": message.get("sid"),
        "status": message.get("status"),
        "to": message.get("to", to),
        "from": message.get("from", sender),
        "segments": message.get("num_segments"),
    }
