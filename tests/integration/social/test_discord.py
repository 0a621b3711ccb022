"""Discord: posting through the channel webhook, fitting to 2000, a wrong or unknown webhook,
rate limits and the check, against the stand-in."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from app.core.social_text import SocialPost
from app.engine.messaging import post_social
from app.integrations.credentials import ResolvedConnection
from app.integrations.verify import verify
from tests.integration.social.loopback import connection, serving
from tests.integration.social.standins_discord import (
    CHANNEL_ID,
    HOOK_PATH,
    HOOK_TOKEN,
    DiscordStandIn,
    rate_limited,
)

LINK = "https://blog.example.com/articles/launch-day"


@pytest.fixture
def discord() -> Iterator[DiscordStandIn]:
    with serving(DiscordStandIn()) as stand_in:
        yield stand_in


def _conn(api: DiscordStandIn, url: str | None = None, **config: object) -> ResolvedConnection:
    return connection(
        {
            "name": "news-channel",
            "platform": "discord",
            "webhookUrl": url or api.webhook_url(),
            "config": config,
        }
    )


async def test_a_post_reaches_the_channel_as_markdown(discord: DiscordStandIn) -> None:
    conn = _conn(discord, username="Flowdeck")
    assert conn.connection_type == "webhook" and HOOK_TOKEN in conn.secret_values()
    post = SocialPost("Launch day", link=LINK, title="Our launch", tags=("news",))
    delivery = await post_social(conn, post)
    assert delivery.ok and delivery.status == 200, delivery
    [seen] = discord.to(HOOK_PATH)
    assert seen.method == "POST" and "authorization" not in seen.headers
    assert seen.json() == {
        "content": f"Launch day\n\n[Our launch]({LINK}) #news",
        "allowed_mentions": {"parse": []},  # "@everyone" in an article pings nobody
        "username": "Flowdeck",
    }
    assert discord.waits == [True]  # ?wait=true: Discord answers with the message
    assert discord.messages[0]["channel_id"] == CHANNEL_ID
    assert delivery.text == seen.json()["content"]


async def test_a_long_post_is_fitted_to_2000_with_the_link(discord: DiscordStandIn) -> None:
    text = " ".join(["automation"] * 300)
    delivery = await post_social(_conn(discord), SocialPost(text, link=LINK))
    assert delivery.ok, delivery
    [message] = discord.messages
    assert message["content"].endswith(f"…\n\n{LINK}") and 1950 < len(message["content"]) <= 2000


async def test_the_stand_in_refuses_what_discord_refuses(discord: DiscordStandIn) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(discord.webhook_url(), json={"content": "a" * 2001})
    assert response.status_code == 400
    assert response.json()["errors"]["content"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"


async def test_a_wrong_token_and_an_unknown_webhook_are_named(discord: DiscordStandIn) -> None:
    wrong = await post_social(_conn(discord, discord.webhook_url("not-the-token")), SocialPost("x"))
    assert not wrong.ok and wrong.status == 401 and wrong.kind == "error"
    assert wrong.error == (
        "Discord answered 401: the credentials were refused (Invalid Webhook Token (code 50027))"
    )
    gone = f"{discord.base_url}/api/webhooks/42/{HOOK_TOKEN}"
    missing = await post_social(_conn(discord, gone), SocialPost("x"))
    assert missing.status == 404 and missing.error == (
        "Discord answered 404: Unknown Webhook (code 10015)"
    )
    assert HOOK_TOKEN not in str(missing.as_dict())
    assert discord.messages == []


async def test_a_rate_limit_is_waited_out_as_the_body_says(discord: DiscordStandIn) -> None:
    discord.queue(rate_limited(retry_after=0.6))
    started = time.monotonic()
    delivery = await post_social(_conn(discord), SocialPost("After the wait"))
    elapsed = time.monotonic() - started
    assert delivery.ok, delivery
    assert len(discord.to(HOOK_PATH)) == 2 and len(discord.messages) == 1
    assert 0.5 <= elapsed < 8, elapsed


async def test_a_long_rate_limit_is_reported_as_429(discord: DiscordStandIn) -> None:
    discord.queue(rate_limited(retry_after=600.0))
    delivery = await post_social(_conn(discord), SocialPost("Later"))
    assert not delivery.ok and delivery.status == 429 and delivery.kind == "http_429"
    assert delivery.error == (
        "Discord is rate limiting (429); it asks to retry after 600 s: You are being rate limited."
    )
    assert len(discord.to(HOOK_PATH)) == 1


async def test_verify_reads_the_webhook_without_posting(discord: DiscordStandIn) -> None:
    result = await verify(_conn(discord))
    assert result.ok, result
    assert result.message == f"Discord webhook 'Flowdeck news' (channel {CHANNEL_ID})"
    assert [r.method for r in discord.requests] == ["GET"] and discord.messages == []
    bad = await verify(_conn(discord, discord.webhook_url("nope")))
    assert not bad.ok and bad.status_code == 401 and "Invalid Webhook Token" in bad.message
