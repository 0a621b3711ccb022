"""Mastodon, Discord and Teams connections through the REST API: created from camelCase bodies
with their secrets kept write-only, verified against the stand-ins, refused with every problem
named; the schema lists every platform."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.integration.social.loopback import serving
from tests.integration.social.standins_discord import HOOK_TOKEN, DiscordStandIn
from tests.integration.social.standins_mastodon import MASTODON_TOKEN, MastodonStandIn
from tests.integration.social.standins_teams import TeamsStandIn

BASE = "/api/workflow-orchestration"


@pytest.fixture
def stand_ins() -> Iterator[tuple[MastodonStandIn, DiscordStandIn, TeamsStandIn]]:
    with (
        serving(MastodonStandIn()) as mastodon,
        serving(DiscordStandIn()) as discord,
        serving(TeamsStandIn()) as teams,
    ):
        yield mastodon, discord, teams


async def _create(api: httpx.AsyncClient, body: dict) -> dict:
    answer = await api.post(f"{BASE}/connections", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


async def test_each_is_created_and_verified_over_rest(
    api: httpx.AsyncClient, stand_ins: tuple[MastodonStandIn, DiscordStandIn, TeamsStandIn]
) -> None:
    mastodon, discord, teams = stand_ins
    made = [
        await _create(api, {"name": "toots", "platform": "mastodon",
                            "credentials": {"accessToken": MASTODON_TOKEN},
                            "config": {"instanceUrl": mastodon.base_url, "maxCharacters": 1000}}),
        await _create(api, {"name": "chan", "platform": "discord",
                            "webhookUrl": discord.webhook_url()}),
        await _create(api, {"name": "team", "platform": "teams", "webhookUrl": teams.url()}),
    ]  # fmt: skip
    assert [m["connection_type"] for m in made] == ["oauth", "webhook", "webhook"]
    assert made[0]["config"] == {
        "instance_url": mastodon.base_url, "max_characters": 1000, "visibility": "public"
    }  # fmt: skip
    shown = str(made)
    assert MASTODON_TOKEN not in shown and HOOK_TOKEN not in shown
    messages = []
    for conn in made:
        answer = await api.post(f"{BASE}/connections/{conn['id']}/verify")
        assert answer.status_code == 200, answer.text
        verification = answer.json()["verification"]
        assert verification["ok"], verification
        messages.append(verification["message"])
    assert messages == [
        "Mastodon account @flowdeck@127.0.0.1",
        "Discord webhook 'Flowdeck news' (channel 1187000000000000001)",
        "Microsoft Teams (connector) accepted the test card",
    ]


async def test_bad_bodies_name_every_problem(api: httpx.AsyncClient) -> None:
    answer = await api.post(
        f"{BASE}/connections",
        json={"name": "m", "platform": "Mastodon", "config": {"maxCharacters": 0}},
    )
    assert answer.status_code == 422
    paths = {d["path"] for d in answer.json()["error"]["details"]}
    assert paths == {
        "credentials.access_token", "config.instance_url", "config.max_characters"
    }  # fmt: skip
    hook = await api.post(
        f"{BASE}/connections",
        json={"name": "d", "platform": "discord", "webhookUrl": "discord.com/api/webhooks/1/x"},
    )
    assert hook.status_code == 422
    assert hook.json()["error"]["details"] == [
        {"path": "credentials.webhook_url", "message": "must be an http:// or https:// URL"}
    ]


async def test_the_schema_lists_every_platform(api: httpx.AsyncClient) -> None:
    schema = (await api.get("/api/openapi.json")).json()
    body = schema["components"]["schemas"]["ConnectionBody"]["properties"]["platform"]
    listed = {v for option in body.get("anyOf", [body]) for v in option.get("enum", [])}
    assert {"mastodon", "discord", "teams", "x", "twitter", "slack"} <= listed
