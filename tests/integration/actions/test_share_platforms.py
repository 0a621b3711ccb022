"""`share` on the real engine to Mastodon, Discord and Telegram stand-ins: the default post
built from the article, each platform's own fitting, platforms without a connection reported
by name, the idempotency key, and the checks made when the workflow is saved."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from app.core.errors import ValidationFailed
from app.db.settings import get_settings
from app.engine.runner import Engine
from app.services import connections, workflows
from app.services.actor import Actor
from tests.integration.actions.action_helpers import connect, new_article, run
from tests.integration.alerts.counterparts import Counterparts
from tests.integration.social.loopback import serving
from tests.integration.social.standins_discord import DiscordStandIn
from tests.integration.social.standins_mastodon import (
    MASTODON_TOKEN,
    MastodonStandIn,
    mastodon_length,
)

SITE = "https://blog.example.com"


@pytest.fixture
def site_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("FLOWDECK_SITE_URL", SITE)
    get_settings.cache_clear()
    yield SITE
    monkeypatch.delenv("FLOWDECK_SITE_URL")
    get_settings.cache_clear()


@pytest.fixture
def mastodon() -> Iterator[MastodonStandIn]:
    with serving(MastodonStandIn()) as stand_in:
        yield stand_in


@pytest.fixture
def discord() -> Iterator[DiscordStandIn]:
    with serving(DiscordStandIn()) as stand_in:
        yield stand_in


def _connect_social(
    member: Actor, mastodon: MastodonStandIn, discord: DiscordStandIn, limit: int = 500
) -> int:
    conn_id = connections.create_connection(
        member,
        {
            "name": "toots",
            "platform": "mastodon",
            "credentials": {"accessToken": MASTODON_TOKEN},
            "config": {"instanceUrl": mastodon.base_url, "maxCharacters": limit},
        },
    )["id"]
    connections.create_connection(
        member, {"name": "news-channel", "platform": "discord", "webhookUrl": discord.webhook_url()}
    )
    return conn_id


def _share(**config: object) -> list[dict]:
    return [{"id": "share", "type": "share", "config": config}]


async def test_without_a_message_the_article_is_shared_and_missing_platforms_named(
    engine: Engine,
    member: Actor,
    counterparts: Counterparts,
    mastodon: MastodonStandIn,
    discord: DiscordStandIn,
    site_url: str,
) -> None:
    toots = _connect_social(member, mastodon, discord)
    connect(member, "telegram", counterparts.base_url)
    article = new_article(member, tags=["automation", "open source"])
    platforms = ["twitter", "telegram", "linkedin", "mastodon", "discord"]
    result = await run(member, engine, _share(platforms=platforms), {"article_id": article["id"]})
    assert result["status"] == "succeeded", result
    link = f"{site_url}/articles/{article['slug']}"
    expected = f"{article['title']}\n\n{link} #automation #opensource"
    [status] = mastodon.statuses
    assert status["text"] == expected
    assert discord.messages[0]["content"] == expected
    assert json.loads(counterparts.telegram[0]["body"])["text"] == expected
    [seen] = mastodon.to("/api/v1/statuses")
    assert seen.headers["idempotency-key"] == f"flowdeck-{result['id']}-share-{toots}"
    output = result["steps"][0]["output"]
    assert output["sent"] == 3 and output["failed"] == 0 and output["default_message"] is True
    assert output["not_connected"] == ["twitter", "linkedin"]
    assert output["summary"] == [
        "telegram (news-telegram): posted",
        f"mastodon (toots): posted {mastodon.base_url}/@flowdeck/110000",
        "discord (news-channel): posted",
        "twitter: no connection",
        "linkedin: no connection",
    ]
    by_platform = {r["platform"]: r for r in output["results"]}
    assert by_platform["mastodon"]["text"] == expected
    assert by_platform["twitter"] == {
        "connection": None, "platform": "twitter", "ok": False, "status": None,
        "error": "no connection", "kind": "error",
    }  # fmt: skip


async def test_each_platform_gets_the_post_fitted_to_it(
    engine: Engine,
    member: Actor,
    mastodon: MastodonStandIn,
    discord: DiscordStandIn,
    site_url: str,
) -> None:
    _connect_social(member, mastodon, discord, limit=120)
    mastodon.max_characters = 120  # a small instance
    title = " ".join(["Automation"] * 25)  # 274 characters: too long for this Mastodon only
    article = new_article(member, title=title, tags=["news"])
    result = await run(
        member, engine, _share(platforms=["Mastodon", "discord"]), {"article_id": article["id"]}
    )
    assert result["status"] == "succeeded", result
    toot = mastodon.statuses[0]["text"]
    link = f"{site_url}/articles/{article['slug']}"
    assert 100 < mastodon_length(toot) <= 120 and toot.endswith(f"…\n\n{link} #news")
    assert discord.messages[0]["content"] == f"{title}\n\n{link} #news"
    summary = result["steps"][0]["output"]["summary"]
    assert summary[0].startswith("Mastodon (toots): posted")  # the word the person wrote


async def test_a_given_message_is_posted_as_written(
    engine: Engine, member: Actor, mastodon: MastodonStandIn, discord: DiscordStandIn
) -> None:
    _connect_social(member, mastodon, discord)
    result = await run(
        member, engine, _share(platforms=["mastodon"], message="Hello {{ trigger.who }}"),
        {"who": "world"},
    )  # fmt: skip
    assert result["status"] == "succeeded", result
    assert mastodon.statuses[0]["text"] == "Hello world" and discord.messages == []


async def test_nothing_connected_fails_the_step_naming_each_platform(
    engine: Engine, member: Actor, site_url: str
) -> None:
    article = new_article(member)
    result = await run(
        member, engine, _share(platforms=["twitter", "linkedin"]), {"article_id": article["id"]}
    )
    step = result["steps"][0]
    assert result["status"] == "failed"
    assert step["error"] == (
        "share failed on 2 of 2 platforms (twitter: no connection; linkedin: no connection)"
    )


async def test_no_message_and_no_article_fails_with_the_reason(
    engine: Engine, member: Actor, mastodon: MastodonStandIn, discord: DiscordStandIn
) -> None:
    _connect_social(member, mastodon, discord)
    result = await run(member, engine, _share(platforms=["mastodon"]))
    assert result["status"] == "failed"
    assert result["steps"][0]["error"].startswith("nothing to share: give a message")
    assert mastodon.requests == []


def test_an_unknown_platform_is_refused_when_saved(member: Actor) -> None:
    data = {"name": "typo", "trigger": {"type": "manual"},
            "actions": _share(platforms=["mastodon", "myspace"])}  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        workflows.create_workflow(member, data)
    [problem] = caught.value.problems
    assert problem.path == "actions[0].config.platforms"
    assert "'myspace' is not a platform to share on" in problem.message


def test_example_1_share_step_is_accepted_as_written(member: Actor) -> None:
    step = {"id": "share", "type": "share",
            "config": {"platforms": ["twitter", "telegram", "linkedin"]}}  # fmt: skip
    saved = workflows.create_workflow(
        member, {"name": "ex1", "trigger": {"type": "manual"}, "actions": [step]}
    )
    assert saved.workflow["actions"][0]["config"]["platforms"] == [
        "twitter",
        "telegram",
        "linkedin",
    ]
