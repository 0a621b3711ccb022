"""LinkedIn: the Posts API body and headers, escaping, limits, refusals, the check."""

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
from tests.integration.social.standins_linkedin import LI_TOKEN, MEMBER, LinkedInStandIn

LINK = "https://blog.example.com/articles/launch-day"


@pytest.fixture
def li_api() -> Iterator[LinkedInStandIn]:
    with serving(LinkedInStandIn()) as stand_in:
        yield stand_in


def _conn(api: LinkedInStandIn, token: str = LI_TOKEN, **config: str) -> ResolvedConnection:
    return connection(
        {
            "name": "company-linkedin",
            "platform": "linkedin",
            "credentials": {"accessToken": token},
            "config": {"apiBase": api.base_url, "author": MEMBER, **config},
        }
    )


async def test_a_post_reaches_linkedin_as_documented(li_api: LinkedInStandIn) -> None:
    post = SocialPost("Launch day (finally) #1 @team", link=LINK, tags=("news",))
    delivery = await post_social(_conn(li_api), post)
    assert delivery.ok and delivery.status == 201, delivery
    [seen] = li_api.to("/rest/posts")
    assert seen.headers["authorization"] == f"Bearer {LI_TOKEN}"
    assert seen.headers["linkedin-version"] == "202609"
    assert seen.headers["x-restli-protocol-version"] == "2.0.0"
    body = seen.json()
    assert body == {
        "author": MEMBER,
        "commentary": ("Launch day \\(finally\\) \\#1 \\@team\n\n" + LINK + " {hashtag|\\#|news}"),
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }
    assert delivery.url == "https://www.linkedin.com/feed/update/urn:li:share:7000000000000000001/"


async def test_the_stand_in_refuses_unescaped_text(li_api: LinkedInStandIn) -> None:
    # Proof that the escaping check above can fail: the same text, sent raw, is refused.
    import httpx

    from app.integrations.social.linkedin import post_body

    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{li_api.base_url}/rest/posts",
            json=post_body(MEMBER, "Launch day (finally)"),
            headers={
                "Authorization": f"Bearer {LI_TOKEN}",
                "LinkedIn-Version": "202609",
                "X-Restli-Protocol-Version": "2.0.0",
            },
        )
    assert response.status_code == 400


async def test_a_long_post_is_shortened_to_3000(li_api: LinkedInStandIn) -> None:
    text = "Workflows (and more) " * 300
    delivery = await post_social(_conn(li_api), SocialPost(text, link=LINK))
    assert delivery.ok, delivery
    [body] = li_api.posts
    assert len(body["commentary"]) <= 3000 and body["commentary"].endswith(f"…\n\n{LINK}")


async def test_a_link_that_cannot_fit_is_a_clear_error(li_api: LinkedInStandIn) -> None:
    link = "https://example.com/" + "x" * 3100
    delivery = await post_social(_conn(li_api), SocialPost("hi", link=link))
    assert not delivery.ok and delivery.kind == "error"
    assert "LinkedIn" in (delivery.error or "") and "3000" in (delivery.error or "")
    assert li_api.requests == []


async def test_a_refused_token_and_a_foreign_author(li_api: LinkedInStandIn) -> None:
    bad = await post_social(_conn(li_api, "revoked-token-0123456789"), SocialPost("hi"))
    assert bad.status == 401 and "INVALID_ACCESS_TOKEN" in (bad.error or "")
    assert "revoked-token" not in str(bad.as_dict())
    other = await post_social(_conn(li_api, author="urn:li:organization:5515715"), SocialPost("x"))
    assert other.status == 403 and "ACCESS_DENIED" in (other.error or "")


async def test_an_old_version_is_named(li_api: LinkedInStandIn) -> None:
    li_api.then(
        426,
        {
            "status": 426,
            "code": "NONEXISTENT_VERSION",
            "message": "Requested version 202001 is not active",
        },
    )
    delivery = await post_social(_conn(li_api, version="202001"), SocialPost("hi"))
    assert delivery.status == 426 and "202001 is not active" in (delivery.error or "")


async def test_429_then_retry(li_api: LinkedInStandIn) -> None:
    li_api.then(
        429, {"status": 429, "message": "Resource level throttle limit"}, {"Retry-After": "1"}
    )
    started = time.monotonic()
    delivery = await post_social(_conn(li_api), SocialPost("after the wait"))
    assert delivery.ok and len(li_api.to("/rest/posts")) == 2
    assert time.monotonic() - started >= 0.9
    li_api.then(429, {"status": 429, "message": "Daily limit"}, {"Retry-After": "3600"})
    later = await post_social(_conn(li_api), SocialPost("tomorrow"))
    assert later.kind == "http_429" and "Daily limit" in (later.error or "")


async def test_verify_checks_the_member(li_api: LinkedInStandIn) -> None:
    good = await verify(_conn(li_api))
    assert good.ok and MEMBER in good.message
    assert li_api.to("/v2/userinfo")[0].headers["authorization"] == f"Bearer {LI_TOKEN}"
    other = await verify(_conn(li_api, author="urn:li:person:someoneElse"))
    assert not other.ok and "not the author" in other.message
    org = await verify(_conn(li_api, author="urn:li:organization:5515715"))
    assert org.ok
    bad = await verify(_conn(li_api, "nope-token-0123456789"))
    assert not bad.ok and bad.status_code == 401 and "nope-token" not in bad.message


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        (
            {"author": "urn:li:company:1"},
            "config.author: must be urn:li:person:<id> or urn:li:organization:<id>",
        ),
        (
            {"author": MEMBER, "version": "2026-09"},
            "config.version: must be a year and month, YYYYMM (such as 202609)",
        ),
        ({}, "config.author: required"),
    ],
)
def test_the_connection_checks_author_and_version(config: dict, problem: str) -> None:
    body = {"name": "li", "platform": "linkedin", "credentials": {"accessToken": "t"}}
    with pytest.raises(ValidationFailed) as caught:
        connection({**body, "config": config})
    assert [f"{p.path}: {p.message}" for p in caught.value.problems] == [problem]
