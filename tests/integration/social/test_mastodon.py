"""Mastodon: posting with an idempotency key, fitting to the instance's limit, a refused token,
rate limits and the check, against the stand-in."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from app.core.errors import ValidationFailed
from app.core.social_text import SocialPost
from app.engine.messaging import post_social
from app.integrations.credentials import ResolvedConnection
from app.integrations.verify import verify
from tests.integration.social.loopback import connection, serving
from tests.integration.social.standins_mastodon import (
    MASTODON_TOKEN,
    MastodonStandIn,
    mastodon_length,
    rate_limited,
)

LINK = "https://blog.example.com/articles/launch-day"


@pytest.fixture
def instance() -> Iterator[MastodonStandIn]:
    with serving(MastodonStandIn()) as stand_in:
        yield stand_in


def _conn(
    api: MastodonStandIn, token: str = MASTODON_TOKEN, **config: object
) -> ResolvedConnection:
    return connection(
        {
            "name": "toots",
            "platform": "mastodon",
            "credentials": {"accessToken": token},
            "config": {"instanceUrl": api.base_url, **config},
        }
    )


async def test_a_post_reaches_the_instance_with_token_key_link_and_tags(
    instance: MastodonStandIn,
) -> None:
    conn = _conn(instance, visibility="unlisted")
    assert conn.connection_type == "oauth"
    post = SocialPost("Launch day", link=LINK, tags=("news", "release"))
    delivery = await post_social(conn, post, key="exec-7-step-share-conn-1")
    assert delivery.ok and delivery.status == 200, delivery
    [seen] = instance.to("/api/v1/statuses")
    assert seen.headers["authorization"] == f"Bearer {MASTODON_TOKEN}"
    assert seen.headers["idempotency-key"] == "exec-7-step-share-conn-1"
    assert seen.json() == {
        "status": f"Launch day\n\n{LINK} #news #release",
        "visibility": "unlisted",
    }
    assert delivery.text == seen.json()["status"]
    assert delivery.url == f"{instance.base_url}/@flowdeck/110000"


async def test_the_same_key_twice_posts_once(instance: MastodonStandIn) -> None:
    conn = _conn(instance)
    first = await post_social(conn, SocialPost("Once only"), key="exec-8-share-1")
    again = await post_social(conn, SocialPost("Once only"), key="exec-8-share-1")
    other = await post_social(conn, SocialPost("Once only"), key="exec-9-share-1")
    assert first.ok and again.ok and other.ok
    assert len(instance.to("/api/v1/statuses")) == 3
    assert len(instance.statuses) == 2 and first.url == again.url != other.url


async def test_a_long_post_is_fitted_to_the_instance_limit_with_the_link(
    instance: MastodonStandIn,
) -> None:
    text = " ".join(["automation"] * 80)
    delivery = await post_social(_conn(instance), SocialPost(text, link=LINK))
    assert delivery.ok, delivery
    [status] = instance.statuses
    assert status["text"].endswith(f"…\n\n{LINK}")
    assert 480 < mastodon_length(status["text"]) <= 500


async def test_an_instance_with_a_bigger_limit_gets_the_whole_text(
    instance: MastodonStandIn,
) -> None:
    instance.max_characters = 1000
    text = " ".join(["automation"] * 80)  # 879 characters
    delivery = await post_social(_conn(instance, maxCharacters=1000), SocialPost(text))
    assert delivery.ok and instance.statuses[0]["text"] == text


async def test_a_limit_configured_above_the_instance_s_is_refused_by_name(
    instance: MastodonStandIn,
) -> None:
    text = " ".join(["automation"] * 80)
    delivery = await post_social(_conn(instance, maxCharacters=1000), SocialPost(text))
    assert not delivery.ok and delivery.status == 422 and delivery.kind == "error"
    assert delivery.error == (
        "Mastodon answered 422: Validation failed: Text character limit of 500 exceeded"
    )


async def test_the_stand_in_refuses_what_mastodon_refuses(instance: MastodonStandIn) -> None:
    # The fitting tests above are only worth something if the stand-in refuses a long text.
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{instance.base_url}/api/v1/statuses",
            json={"status": "a" * 501},
            headers={"Authorization": f"Bearer {MASTODON_TOKEN}"},
        )
    assert response.status_code == 422


async def test_a_link_longer_than_the_limit_is_refused_before_any_request(
    instance: MastodonStandIn,
) -> None:
    conn = _conn(instance, maxCharacters=20)
    delivery = await post_social(conn, SocialPost("Hello", link=LINK))
    assert not delivery.ok and delivery.kind == "error" and delivery.status is None
    assert delivery.error is not None and delivery.error.startswith("Mastodon: ")
    assert "20" in delivery.error and instance.requests == []


async def test_a_refused_token_is_named_without_the_token(instance: MastodonStandIn) -> None:
    conn = _conn(instance, token="revoked-token-0123456789")
    delivery = await post_social(conn, SocialPost("hi"))
    assert not delivery.ok and delivery.status == 401 and delivery.kind == "error"
    assert delivery.error == (
        "Mastodon answered 401: the credentials were refused (The access token is invalid)"
    )
    result = await verify(conn)
    assert not result.ok and result.status_code == 401
    assert "The access token is invalid" in result.message and "revoked" not in result.message


async def test_a_short_rate_limit_is_waited_out(instance: MastodonStandIn) -> None:
    instance.queue(rate_limited(reset_in_s=1.0))
    started = time.monotonic()
    delivery = await post_social(_conn(instance), SocialPost("After the wait"), key="k-429")
    elapsed = time.monotonic() - started
    assert delivery.ok, delivery
    assert len(instance.to("/api/v1/statuses")) == 2 and len(instance.statuses) == 1
    assert 0.5 <= elapsed < 8, elapsed
    keys = {r.headers["idempotency-key"] for r in instance.to("/api/v1/statuses")}
    assert keys == {"k-429"}  # the second request is the same post, not a new one


async def test_a_long_rate_limit_is_reported_as_429_without_waiting(
    instance: MastodonStandIn,
) -> None:
    instance.queue(rate_limited(reset_in_s=3600))
    started = time.monotonic()
    delivery = await post_social(_conn(instance), SocialPost("Later"))
    assert time.monotonic() - started < 3
    assert not delivery.ok and delivery.status == 429 and delivery.kind == "http_429"
    assert delivery.error is not None
    assert delivery.error.startswith("Mastodon is rate limiting (429); it asks to retry after 3")
    assert instance.statuses == []


async def test_verify_names_the_account(instance: MastodonStandIn) -> None:
    result = await verify(_conn(instance))
    assert result.ok, result
    assert result.message == "Mastodon account @flowdeck@127.0.0.1"
    assert instance.statuses == []


def test_a_connection_needs_an_instance_and_a_token() -> None:
    with pytest.raises(ValidationFailed) as caught:
        connection({"name": "m", "platform": "mastodon", "config": {"visibility": "loud"}})
    fields = {p.path for p in caught.value.problems}
    assert fields == {"credentials.access_token", "config.instance_url", "config.visibility"}
