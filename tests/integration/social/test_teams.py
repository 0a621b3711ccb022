"""Microsoft Teams: MessageCard to a connector, Adaptive Card to a Workflows webhook, the
connector's 200-with-an-error, size, rate limits and the check, against the stand-in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.core.social_text import SocialPost
from app.engine.messaging import post_message, post_social
from app.integrations.credentials import ResolvedConnection
from app.integrations.verify import verify
from tests.integration.social.loopback import connection, serving
from tests.integration.social.standins_teams import (
    CONNECTOR_PATH,
    MAX_PAYLOAD,
    WORKFLOW_PATH,
    TeamsStandIn,
    rate_limited,
)

LINK = "https://blog.example.com/articles/launch-day"


@pytest.fixture
def teams() -> Iterator[TeamsStandIn]:
    with serving(TeamsStandIn()) as stand_in:
        yield stand_in


def _conn(api: TeamsStandIn, path: str = CONNECTOR_PATH, **config: object) -> ResolvedConnection:
    return connection(
        {"name": "team-news", "platform": "teams", "webhookUrl": api.url(path), "config": config}
    )


async def test_a_connector_gets_a_message_card(teams: TeamsStandIn) -> None:
    post = SocialPost("Launch day is **here**", link=LINK, title="Our launch", tags=("news",))
    delivery = await post_social(_conn(teams), post)
    assert delivery.ok and delivery.status == 200, delivery
    [card] = teams.cards
    assert card == {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": "Our launch",
        "text": f"Launch day is **here**\n\n[Our launch]({LINK}) #news",
    }
    assert delivery.text == card["text"]


async def test_a_workflows_webhook_gets_an_adaptive_card(teams: TeamsStandIn) -> None:
    conn = _conn(teams, WORKFLOW_PATH, card="adaptive_card")
    delivery = await post_social(conn, SocialPost("Launch day", link=LINK))
    assert delivery.ok and delivery.status == 202, delivery
    [content] = teams.cards
    assert content["type"] == "AdaptiveCard" and content["version"] == "1.4"
    assert content["body"] == [{"type": "TextBlock", "text": f"Launch day\n\n{LINK}", "wrap": True}]


async def test_the_wrong_card_for_the_webhook_is_named(teams: TeamsStandIn) -> None:
    delivery = await post_social(_conn(teams, WORKFLOW_PATH), SocialPost("x"))  # auto: connector
    assert not delivery.ok and delivery.status == 400 and delivery.kind == "error"
    assert delivery.error == (
        "Microsoft Teams answered 400: InvalidRequestContent: not an Adaptive Card message"
    )


async def test_a_removed_webhook_is_named(teams: TeamsStandIn) -> None:
    delivery = await post_social(_conn(teams, "/webhookb2/gone"), SocialPost("x"))
    assert not delivery.ok and delivery.error == "Microsoft Teams answered 404: Webhook not found"


async def test_a_huge_text_is_fitted_and_the_stand_in_refuses_what_teams_refuses(
    teams: TeamsStandIn,
) -> None:
    text = " ".join(["automation"] * 4000)  # 44 KB
    delivery = await post_social(_conn(teams), SocialPost(text, link=LINK))
    assert delivery.ok, delivery
    assert teams.cards[0]["text"].endswith(f"…\n\n{LINK}")
    raw = teams.requests[-1].raw
    assert len(raw) <= MAX_PAYLOAD
    # Sent whole, Teams' connector answers 200 with the failure in the body: not a success.
    notify = await post_message(_conn(teams), "x" * (MAX_PAYLOAD + 10), {})
    assert notify.ok  # post_message fits too, so this one goes out …
    teams.then(200, b"Microsoft Teams endpoint returned HTTP error 413 with ContextId x")
    refused = await post_social(_conn(teams), SocialPost("small"))
    assert not refused.ok and refused.status == 200 and refused.kind == "error"
    assert refused.error == "Microsoft Teams answered: " + (
        "Microsoft Teams endpoint returned HTTP error 413 with ContextId x"
    )


async def test_a_short_rate_limit_is_waited_out_and_a_long_one_reported(
    teams: TeamsStandIn,
) -> None:
    teams.queue(rate_limited(retry_after=1))
    assert (await post_social(_conn(teams), SocialPost("after the wait"))).ok
    assert len(teams.requests) == 2 and len(teams.cards) == 1
    teams.queue(rate_limited(retry_after=120))
    later = await post_social(_conn(teams), SocialPost("later"))
    assert not later.ok and later.status == 429 and later.kind == "http_429"
    assert later.error is not None and "retry after 120 s" in later.error
    teams.then(200, b"Microsoft Teams endpoint returned HTTP error 429 with ContextId y")
    hidden = await post_social(_conn(teams), SocialPost("later"))
    assert not hidden.ok and hidden.kind == "http_429"


async def test_verify_posts_the_test_card(teams: TeamsStandIn) -> None:
    result = await verify(_conn(teams, testMessage="Hello from Flowdeck"))
    assert result.ok and result.message == "Microsoft Teams (connector) accepted the test card"
    assert teams.cards[0]["text"] == "Hello from Flowdeck"
    bad = await verify(_conn(teams, "/webhookb2/gone"))
    assert not bad.ok and bad.status_code == 404 and "Webhook not found" in bad.message
