"""`share` on the real engine to X, LinkedIn and Bluesky stand-ins: the original's platform
names, the per-platform result, and no secret (token, app password, session token) in the
step's output, its error or any stored row."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from app.engine.runner import Engine
from app.services import connections
from app.services.actor import Actor
from tests.integration.actions.action_helpers import new_article, run, stored_text
from tests.integration.social.loopback import serving
from tests.integration.social.standins_bluesky import HANDLE, BlueskyStandIn
from tests.integration.social.standins_linkedin import LI_TOKEN, MEMBER, LinkedInStandIn
from tests.integration.social.standins_x import X_TOKEN, XStandIn, rate_limited


@pytest.fixture
def apis() -> Iterator[tuple[XStandIn, LinkedInStandIn, BlueskyStandIn]]:
    with (
        serving(XStandIn()) as x,
        serving(LinkedInStandIn()) as li,
        serving(BlueskyStandIn()) as bs,
    ):
        yield x, li, bs


def _connect(member: Actor, apis: tuple, bad: dict[str, str] | None = None) -> None:
    x, li, bs = apis
    bad = bad or {}
    bodies = [
        {"name": "brand-x", "platform": "twitter",
         "credentials": {"accessToken": bad.get("x", X_TOKEN)}, "config": {"apiBase": x.base_url}},
        {"name": "brand-linkedin", "platform": "linkedin",
         "credentials": {"accessToken": bad.get("linkedin", LI_TOKEN)},
         "config": {"apiBase": li.base_url, "author": MEMBER}},
        {"name": "brand-bsky", "platform": "bluesky",
         "credentials": {"appPassword": bad.get("bluesky", bs.password)},
         "config": {"service": bs.base_url, "identifier": HANDLE}},
    ]  # fmt: skip
    for body in bodies:
        connections.create_connection(member, body)


def _share(**config: object) -> list[dict]:
    return [{"id": "share", "type": "share", "config": config}]


def _secret_free(*texts: str, secrets: tuple[str, ...]) -> None:
    for text in texts:
        for secret in secrets:
            assert secret not in text, f"{secret[:6]}… leaked"


async def test_the_default_post_reaches_all_three(engine: Engine, member: Actor, apis) -> None:
    x, li, bs = apis
    _connect(member, apis)
    article = new_article(member, title="Automation (for small teams)", tags=["workflows", "ops"])
    result = await run(
        member,
        engine,
        _share(platforms=["twitter", "linkedin", "bluesky"]),
        {"article_id": article["id"], "title": article["title"]},
    )
    assert result["status"] == "succeeded", result
    output = result["steps"][0]["output"]
    assert output["sent"] == 3 and output["failed"] == 0
    assert [r["platform"] for r in output["results"]] == ["twitter", "linkedin", "bluesky"]
    [tweet] = x.tweets
    assert tweet.startswith("Automation (for small teams)\n\nhttp") and tweet.endswith(
        "#workflows #ops"
    )
    assert li.posts[0]["commentary"].startswith("Automation \\(for small teams\\)\n\n")
    assert li.posts[0]["commentary"].endswith("{hashtag|\\#|workflows} {hashtag|\\#|ops}")
    [record] = bs.records
    assert [f["features"][0]["$type"] for f in record["facets"]] == [
        "app.bsky.richtext.facet#link", "app.bsky.richtext.facet#tag",
        "app.bsky.richtext.facet#tag",
    ]  # fmt: skip
    summary = output["summary"]
    assert summary[0].startswith("twitter (brand-x): posted https://x.com/i/web/status/")
    _secret_free(
        json.dumps(result), stored_text(), secrets=(X_TOKEN, LI_TOKEN, bs.password, *bs.jwts)
    )


async def test_refused_credentials_leave_no_secret(engine: Engine, member: Actor, apis) -> None:
    x, _, _ = apis
    x.echo_token = True
    wrong = {"x": "x-wrong-token-ABCDEFGH1234", "linkedin": "li-wrong-token-ABCDEFGH1234",
             "bluesky": "wxyz-wxyz-wxyz-wxyz"}  # fmt: skip
    _connect(member, apis, wrong)
    result = await run(
        member, engine, _share(platforms=["x", "linkedin", "bluesky"], message="Hello {{ 1 }}")
    )
    assert result["status"] == "failed", result
    step = result["steps"][0]
    errors = [r["error"] for r in step["output"]["results"]]
    assert errors == [
        "X answered 401: the credentials were refused "
        "(Unauthorized: Unauthorized: Bearer [redacted])",
        "LinkedIn answered 401: the credentials were refused "
        "(INVALID_ACCESS_TOKEN: Invalid access token)",
        "Bluesky answered 401: the credentials were refused "
        "(AuthenticationRequired: Invalid identifier or password)",
    ]
    assert "share failed on 3 of 3 platforms" in step["error"]
    _secret_free(json.dumps(result), stored_text(), secrets=tuple(wrong.values()))


async def test_a_long_rate_limit_fails_the_step_as_retryable(
    engine: Engine, member: Actor, apis
) -> None:
    x, li, bs = apis
    _connect(member, apis)
    x.queue(rate_limited(reset_in_s=900))
    result = await run(member, engine, _share(platforms=["twitter"], message="soon"))
    step = result["steps"][0]
    assert result["status"] == "failed"
    assert step["output"]["results"][0]["kind"] == "http_429"
    assert "rate limiting" in step["error"]
