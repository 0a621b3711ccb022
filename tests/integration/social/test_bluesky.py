"""Bluesky: session then record, facets, the 300-grapheme fit, refusals, rate limits, check."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from app.core.social_text import SocialPost
from app.engine.messaging import post_social
from app.integrations.credentials import ResolvedConnection
from app.integrations.verify import verify
from tests.integration.social.loopback import connection, serving
from tests.integration.social.standins_bluesky import (
    DID,
    HANDLE,
    BlueskyStandIn,
    rate_limited,
)

LINK = "https://blog.example.com/articles/launch-day"


@pytest.fixture
def pds() -> Iterator[BlueskyStandIn]:
    with serving(BlueskyStandIn()) as stand_in:
        yield stand_in


def _conn(api: BlueskyStandIn, password: str | None = None) -> ResolvedConnection:
    return connection(
        {
            "name": "bsky",
            "platform": "bluesky",
            "credentials": {"appPassword": password or api.password},
            "config": {"service": api.base_url, "identifier": HANDLE},
        }
    )


async def test_a_post_with_link_facets(pds: BlueskyStandIn) -> None:
    delivery = await post_social(_conn(pds), SocialPost("Café day ☕", link=LINK, tags=("news",)))
    assert delivery.ok and delivery.status == 200, delivery
    [session] = pds.to("/xrpc/com.atproto.server.createSession")
    assert session.json() == {"identifier": HANDLE, "password": pds.password}
    [create] = pds.to("/xrpc/com.atproto.repo.createRecord")
    assert create.headers["authorization"] == f"Bearer {pds.jwts[0]}"
    body = create.json()
    assert body["repo"] == DID and body["collection"] == "app.bsky.feed.post"
    record = body["record"]
    assert record["$type"] == "app.bsky.feed.post" and record["createdAt"].endswith("Z")
    text = record["text"]
    assert text == "Café day ☕\n\nblog.example.com/articles/launch-day #news"
    data = text.encode()
    link, tag = record["facets"]
    assert link["features"] == [{"$type": "app.bsky.richtext.facet#link", "uri": LINK}]
    span = data[link["index"]["byteStart"] : link["index"]["byteEnd"]]
    assert span.decode() == "blog.example.com/articles/launch-day"
    assert tag["features"] == [{"$type": "app.bsky.richtext.facet#tag", "tag": "news"}]
    assert data[tag["index"]["byteStart"] : tag["index"]["byteEnd"]] == b"#news"
    assert "embed" not in record  # no title: no card
    assert delivery.url == f"https://bsky.app/profile/{DID}/post/3k00000000001"
    assert pds.jwts[0] not in str(delivery.as_dict())


async def test_a_post_with_a_titled_link_gets_a_link_card(pds: BlueskyStandIn) -> None:
    post = SocialPost("Launch day", link=LINK, title="Launch day at Flowdeck")
    assert (await post_social(_conn(pds), post)).ok
    assert pds.records[0]["embed"] == {
        "$type": "app.bsky.embed.external",
        "external": {"uri": LINK, "title": "Launch day at Flowdeck", "description": ""},
    }


async def test_the_session_is_reused_until_it_expires(pds: BlueskyStandIn) -> None:
    conn = _conn(pds)
    for text in ("one", "two"):
        assert (await post_social(conn, SocialPost(text))).ok
    assert len(pds.to("/xrpc/com.atproto.server.createSession")) == 1  # createSession is scarce
    pds.expire_sessions()
    third = await post_social(conn, SocialPost("three"))
    assert third.ok, third
    assert len(pds.to("/xrpc/com.atproto.server.createSession")) == 2
    assert [r["text"] for r in pds.records] == ["one", "two", "three"]
    other = _conn(pds, password="zzzz-zzzz-zzzz-zzzz")  # another password: no kept session
    assert (await post_social(other, SocialPost("four"))).status == 401


async def test_a_long_post_is_cut_to_300_with_the_link(pds: BlueskyStandIn) -> None:
    delivery = await post_social(_conn(pds), SocialPost("word " * 200, link=LINK))
    assert delivery.ok, delivery
    [record] = pds.records
    assert 280 < len(record["text"]) <= 300 and record["text"].endswith("launch-day")
    assert record["facets"][0]["features"][0]["uri"] == LINK


async def test_a_wrong_app_password(pds: BlueskyStandIn) -> None:
    delivery = await post_social(_conn(pds, "zzzz-zzzz-zzzz-zzzz"), SocialPost("hi"))
    assert not delivery.ok and delivery.status == 401 and delivery.kind == "error"
    assert "AuthenticationRequired: Invalid identifier or password" in (delivery.error or "")
    assert "zzzz" not in str(delivery.as_dict())
    assert pds.to("/xrpc/com.atproto.repo.createRecord") == []


async def test_a_refused_record_is_named(pds: BlueskyStandIn) -> None:
    pds.queue(_ok_session(pds))
    delivery = await post_social(_conn(pds), SocialPost("hi"))
    assert delivery.status == 400 and "InvalidToken" in (delivery.error or "")


def _ok_session(pds: BlueskyStandIn) -> tuple:
    """A session answer whose token the PDS never issued (as after a PDS restart)."""
    token = "eyJhbGciOiJFUzI1NksifQ.not-issued"
    return 200, {}, {"accessJwt": token, "refreshJwt": token, "handle": HANDLE, "did": DID}


async def test_429_on_the_session_then_retry(pds: BlueskyStandIn) -> None:
    pds.queue(rate_limited(2))  # the reset is 1 to 2 s away (whole epoch seconds)
    started = time.monotonic()
    delivery = await post_social(_conn(pds), SocialPost("after the wait"))
    assert delivery.ok, delivery
    assert len(pds.to("/xrpc/com.atproto.server.createSession")) == 2
    assert time.monotonic() - started >= 0.9
    pds.queue(rate_limited(3600))
    later = await post_social(_conn(pds), SocialPost("later"))
    assert later.kind == "http_429" and "RateLimitExceeded" in (later.error or "")


async def test_verify_creates_a_session(pds: BlueskyStandIn) -> None:
    good = await verify(_conn(pds))
    assert good.ok and HANDLE in good.message and pds.jwts[0] not in good.message
    bad = await verify(_conn(pds, "bad-pass-word-1234"))
    assert not bad.ok and bad.status_code == 401 and "bad-pass" not in bad.message
