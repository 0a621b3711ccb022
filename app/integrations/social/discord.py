"""Discord: post with an incoming webhook (`POST {webhook_url}?wait=true`, JSON `{"content"}`).

The webhook URL (`https://discord.com/api/webhooks/<id>/<token>`) authorises posting, so it is
the secret. With `?wait=true` Discord answers 200 with the message it created (`id`,
`channel_id`); without it 204. Errors are `{"message", "code"}` (401 "Invalid Webhook Token",
404 "Unknown Webhook", 400 "Invalid Form Body" with the field errors nested in `errors`; API
v6 put them per field: `{"content": ["Must be 2000 or fewer in length."]}`). A
429 says how long to wait in its body (`retry_after`, seconds, fractional) and in
`Retry-After`. Content is Markdown, at most 2000 characters (`social_text` fits it). The check
is `GET {webhook_url}`, which describes the webhook without posting.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import Field

from app.core.social_text import SocialPost, fit
from app.integrations.credentials import ResolvedConnection
from app.integrations.delivery import Delivery, VerifyResult
from app.integrations.platform_fields import HttpUrl, PlatformSpec, _Fields
from app.integrations.social._http import check_failed, failed, json_of, retry_after_of, send

LABEL = "Discord"


class DiscordSecrets(_Fields):
    """The channel's webhook URL (whoever has it can post)."""

    webhook_url: HttpUrl = Field(
        title="Webhook URL",
        description="Channel settings → Integrations → Webhooks → New Webhook → Copy Webhook URL",
    )


class DiscordConfig(_Fields):
    """How the posts are signed in the channel."""

    username: str | None = Field(
        None,
        max_length=80,
        title="Post as",
        description="name shown on the posts (empty: the webhook's own name)",
    )


SPEC = PlatformSpec(
    ("webhook",), {"webhook": DiscordSecrets}, DiscordConfig, {"webhook": "webhook_url"}
)


def body_wait(response: httpx.Response) -> float | None:
    """Discord's `retry_after` (seconds) from a 429 body, else `Retry-After`."""
    value = json_of(response).get("retry_after")
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return retry_after_of(response)


def _field_errors(errors: Any, path: str = "") -> list[str]:
    """`content: Must be 2000 or fewer in length.` from v10's nested `errors` object."""
    if not isinstance(errors, dict):
        return []
    found = [
        f"{path or 'body'}: {e.get('message')}"
        for e in errors.get("_errors") or []
        if isinstance(e, dict) and e.get("message")
    ]
    for name, inner in errors.items():
        if name != "_errors":
            found += _field_errors(inner, f"{path}.{name}" if path else str(name))
    return found


def error_detail(data: dict[str, Any]) -> str:
    """Discord's message and code with its field errors, or the older per-field lists."""
    fields = _field_errors(data.get("errors"))
    fields += [
        f"{name}: {'; '.join(str(m) for m in problems)}"
        for name, problems in data.items()
        if isinstance(problems, list)
    ]
    if data.get("message"):
        code = f" (code {data['code']})" if data.get("code") is not None else ""
        return f"{data['message']}{code}" + (f": {', '.join(fields)}" if fields else "")
    return ", ".join(fields)


def _message_url(data: dict[str, Any]) -> str | None:
    if data.get("guild_id") and data.get("channel_id") and data.get("id"):
        return f"https://discord.com/channels/{data['guild_id']}/{data['channel_id']}/{data['id']}"
    return None


async def post(
    client: httpx.AsyncClient, conn: ResolvedConnection, post: SocialPost, *, key: str = ""
) -> Delivery:
    """Post `post` (Markdown, fitted to 2000) to the channel; `key` is unused."""
    fitted = fit(post, "discord")
    if not fitted.ok:
        return Delivery(False, None, f"Discord: {fitted.error}", "error")
    url = httpx.URL(conn.credentials.get("webhook_url", "")).copy_merge_params({"wait": "true"})
    # An article's text must not ping `@everyone` or a role: no mention is parsed.
    body: dict[str, Any] = {"content": fitted.text, "allowed_mentions": {"parse": []}}
    if conn.config.get("username"):
        body["username"] = conn.config["username"]
    response = await send(client, "POST", str(url), json=body, wait_of=body_wait)
    data = json_of(response)
    if response.status_code in (200, 204):
        return Delivery(True, response.status_code, text=fitted.text, url=_message_url(data))
    return failed(response, "Discord", error_detail(data), wait_of=body_wait)


async def verify(conn: ResolvedConnection, client: httpx.AsyncClient) -> VerifyResult:
    """The webhook's name and channel (`GET` on the webhook URL); nothing is posted."""
    response = await client.get(conn.credentials.get("webhook_url", ""))
    data = json_of(response)
    if response.status_code != 200:
        return check_failed(response, "Discord", error_detail(data))
    name = data.get("name") or "?"
    return VerifyResult(
        True, f"Discord webhook {name!r} (channel {data.get('channel_id')})", response.status_code
    )
