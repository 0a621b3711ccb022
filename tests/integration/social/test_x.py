"""X: posting, fitting to 280, auth failures, rate limits and the check, against the stand-in."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from app.core.errors import ValidationFailed
from app.core.social_text import SocialPost
from app.engine.messaging import post_social
from app.integrations.credentials import ResolvedConnection
from app.integrations.verify import verify
from tests.integration.social.loopback import connection, serving
from tests.integration.social.standins_x import X_TOKEN, XStandIn, rate_limited, x_weight

LINK = "https://blog.example.com/articles/launch-day"


@pytest.fixture
def x_api() -> Iterator[XStandIn]:
    with serving(XStandIn()) as stand_in:
        yield stand_in


def _conn(api: XStandIn, token: str = X_TOKEN) -> ResolvedConnection:
    return connection(
        {
            "name": "brand-x",
            "platform": "twitter",  # the original's name is accepted
            "credentials": {"accessToken": token},
            "config": {"apiBase": api.base_url},
        }
    )


async def test_a_post_reaches_x_with_the_link_and_hashtags(x_api: XStandIn) -> None:
    conn = _conn(x_api)
    assert conn.platform == "x" and conn.connection_type == "oauth"
    delivery = await post_social(conn, SocialPost("Launch day", link=LINK, tags=("news",)))
    assert delivery.ok and delivery.status == 201, delivery
    [seen] = x_api.to("/2/tweets")
    assert seen.headers["authorization"] == f"Bearer {X_TOKEN}"
    assert seen.json() == {"text": f"Launch day\n\n{LINK} #news"}
    assert delivery.text == seen.json()["text"]
    assert delivery.url == "https://x.com/i/web/status/1445880548472328193"


async def test_a_long_post_is_shortened_with_the_link_kept(x_api: XStandIn) -> None:
    text = " ".join(["automation"] * 120)
    delivery = await post_social(_conn(x_api), SocialPost(text, link=LINK))
    assert delivery.ok, delivery
    [sent] = x_api.tweets
    assert sent.endswith(f"…\n\n{LINK}") and 260 < x_weight(sent) <= 280


async def test_the_stand_in_refuses_what_x_refuses(x_api: XStandIn) -> None:
    # The check above is only worth something if the stand-in really refuses a long text.
    conn = _conn(x_api)
    import httpx

    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{x_api.base_url}/2/tweets",
            json={"text": "a" * 281},
            headers={"Authorization": f"Bearer {X_TOKEN}"},
        )
    assert response.status_code == 400 and conn.platform == "x"


async def test_a_refused_token_is_named_without_the_token(x_api: XStandIn) -> None:
    delivery = await post_social(_conn(x_api, "wrong-token-0123456789"), SocialPost("hi"))
    assert not delivery.ok and delivery.status == 401 and delivery.kind == "error"
    assert delivery.error == "X answered 401: the credentials were refused (Unauthorized)"
    assert "wrong-token" not in str(delivery.as_dict()) and X_TOKEN not in str(delivery.as_dict())


async def test_duplicate_content_is_reported_with_x_s_words(x_api: XStandIn) -> None:
    conn = _conn(x_api)
    assert (await post_social(conn, SocialPost("same words"))).ok
    again = await post_social(conn, SocialPost("same words"))
    assert again.status == 403 and again.kind == "error"
    assert again.error == (
        "X answered 403: Forbidden: You are not allowed to create a Tweet with duplicate content."
    )


async def test_a_short_rate_limit_is_waited_out(x_api: XStandIn) -> None:
    x_api.queue(rate_limited(retry_after="1"))
    started = time.monotonic()
    delivery = await post_social(_conn(x_api), SocialPost("after the wait"))
    assert delivery.ok, delivery
    assert len(x_api.to("/2/tweets")) == 2 and time.monotonic() - started >= 0.9
    assert x_api.tweets == ["after the wait"]


async def test_a_reset_epoch_is_honoured_too(x_api: XStandIn) -> None:
    x_api.queue(rate_limited(reset_in_s=1))
    delivery = await post_social(_conn(x_api), SocialPost("after the reset"))
    assert delivery.ok and len(x_api.to("/2/tweets")) == 2


async def test_a_long_rate_limit_is_reported_as_http_429(x_api: XStandIn) -> None:
    x_api.queue(rate_limited(reset_in_s=900))
    started = time.monotonic()
    delivery = await post_social(_conn(x_api), SocialPost("later"))
    assert not delivery.ok and delivery.kind == "http_429" and delivery.status == 429
    assert "rate limiting" in (delivery.error or "") and time.monotonic() - started < 5
    assert len(x_api.to("/2/tweets")) == 1 and x_api.tweets == []


async def test_verify_names_the_account(x_api: XStandIn) -> None:
    good = await verify(_conn(x_api))
    assert good.ok and "@flowdeck" in good.message
    [seen] = x_api.to("/2/users/me")
    assert seen.method == "GET" and seen.headers["authorization"] == f"Bearer {X_TOKEN}"
    bad = await verify(_conn(x_api, "expired-token-abcdef"))
    assert not bad.ok and bad.status_code == 401 and "expired-token" not in bad.message


def test_the_connection_needs_a_token() -> None:
    with pytest.raises(ValidationFailed) as caught:
        connection({"name": "x", "platform": "x", "credentials": {}})
    assert [p.path for p in caught.value.problems] == ["credentials.access_token"]
