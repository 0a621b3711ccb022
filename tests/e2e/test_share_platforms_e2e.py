"""Sharing to real platforms in a real browser: Mastodon and Discord connected through their
forms (pointing at loopback stand-ins that speak each API's contract) and verified; the
original document's Example 1 sent as written, with Mastodon and Discord added to its
platforms; an article moved to ready in the browser runs it; the posts arrive at the
stand-ins and the execution page shows each platform's result, "twitter: no connection"
included."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.integration.api.original_requests import EXAMPLE_1
from tests.integration.social.loopback import serving
from tests.integration.social.standins_discord import DiscordStandIn
from tests.integration.social.standins_mastodon import MASTODON_TOKEN, MastodonStandIn
from tests.integration.social.standins_teams import TeamsStandIn

SHOTS = Path(__file__).resolve().parents[2] / ".pytest_cache" / "shots"
TITLE = "Ten lessons from automating a blog"
ORIGINAL_PLATFORMS = '["twitter", "telegram", "linkedin"]'


@pytest.fixture
def stand_ins() -> Iterator[tuple[MastodonStandIn, DiscordStandIn, TeamsStandIn]]:
    with (
        serving(MastodonStandIn()) as mastodon,
        serving(DiscordStandIn()) as discord,
        serving(TeamsStandIn()) as teams,
    ):
        yield mastodon, discord, teams


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"share-{name}.png"), full_page=True)


def _new_connection(page: Page, platform: str, name: str, fields: dict[str, str]) -> None:
    page.get_by_test_id("new-connection").click()
    page.get_by_test_id("conn-platform").get_by_role("combobox").click()
    page.get_by_role("option", name=platform, exact=True).click()
    expect(page.get_by_label(next(iter(fields)), exact=True)).to_be_visible()
    page.get_by_label("Name").fill(name)
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)
    _shot(page, f"{platform}-form")
    page.get_by_test_id("save-connection").click()
    row = page.get_by_test_id("connection-row").filter(has_text=name)
    expect(row).to_be_visible()
    row.get_by_test_id("verify-connection").click()
    expect(row.get_by_test_id("connection-status")).to_have_text("verified")


def _teams_connection(page: Page, teams: TeamsStandIn) -> None:
    """The Teams form explains its card format; Verify posts the test message as a card."""
    page.get_by_test_id("new-connection").click()
    page.get_by_test_id("conn-platform").get_by_role("combobox").click()
    page.get_by_role("option", name="teams", exact=True).click()
    expect(page.get_by_text("Card format", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile("^auto: Adaptive Card for Workflows URLs"))).to_be_visible()
    page.get_by_label("Name").fill("E2E Teams")
    page.get_by_label("Webhook URL", exact=True).fill(teams.url())
    page.get_by_label("Test message", exact=True).fill("Hello from the browser test")
    _shot(page, "teams-form")
    page.get_by_test_id("save-connection").click()
    row = page.get_by_test_id("connection-row").filter(has_text="E2E Teams")
    row.get_by_test_id("verify-connection").click()
    expect(row.get_by_test_id("connection-status")).to_have_text("verified")
    assert teams.cards == [
        {"@type": "MessageCard", "@context": "https://schema.org/extensions",
         "summary": "Hello from the browser test", "text": "Hello from the browser test"}
    ]  # fmt: skip


def test_example_1_shares_to_mastodon_and_discord_and_names_the_rest(
    admin_page: Page,
    api: httpx.Client,
    stand_ins: tuple[MastodonStandIn, DiscordStandIn, TeamsStandIn],
) -> None:
    mastodon, discord, teams = stand_ins
    page = admin_page
    page.goto("/admin/connections")
    _new_connection(
        page,
        "mastodon",
        "E2E Mastodon",
        {"Access token": MASTODON_TOKEN, "Instance URL": mastodon.base_url},
    )
    _new_connection(page, "discord", "E2E Discord", {"Webhook URL": discord.webhook_url()})
    assert [r.path for r in mastodon.requests] == ["/api/v1/accounts/verify_credentials"]
    assert discord.messages == []  # Discord's check reads the webhook, posts nothing
    _teams_connection(page, teams)  # connected, but Example 1 does not name Teams
    _shot(page, "connections")

    # Example 1 as the original document writes it, Mastodon and Discord added alongside.
    assert ORIGINAL_PLATFORMS in EXAMPLE_1
    body = EXAMPLE_1.replace(
        ORIGINAL_PLATFORMS, '["twitter", "telegram", "linkedin", "mastodon", "discord"]'
    )
    created = api.post("/workflows", content=body, headers={"content-type": "application/json"})
    assert created.status_code == 201, created.text
    workflow_id = created.json()["id"]

    page.goto(f"/admin/workflows/{workflow_id}/edit")
    share = page.get_by_test_id("action-card").nth(1)
    expect(share.get_by_test_id("action-platforms")).to_have_value(
        "twitter, telegram, linkedin, mastodon, discord"
    )
    message = share.get_by_test_id("action-message")
    expect(message).to_have_value("")
    expect(message).to_have_attribute("placeholder", re.compile("^Empty: built from the article"))
    share.scroll_into_view_if_needed()
    _shot(page, "workflow-form")

    page.goto("/admin/articles")
    page.get_by_test_id("new-article").click()
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Tags (comma-separated)").fill("automation, open source")
    page.get_by_test_id("article-body").fill("# Ten lessons\n\nWhat automation taught us.")
    page.get_by_test_id("save-article").click()
    row = page.get_by_test_id("article-row").filter(has_text=TITLE)
    row.get_by_role("button", name="Move to…").click()
    page.get_by_role("menuitem", name="ready").click()

    page.goto("/admin/executions")
    run = page.get_by_test_id("execution-row").filter(has_text="Auto Publish & Share").first
    expect(run).to_contain_text("succeeded", timeout=30_000)

    [status] = mastodon.statuses
    [message_posted] = discord.messages
    assert status["text"].startswith(f"{TITLE}\n\nhttp") and status["text"].endswith(
        " #automation #opensource"
    )
    assert "/articles/ten-lessons-from-automating-a-blog" in status["text"]
    assert message_posted["content"] == status["text"]

    run.click()
    expect(page).to_have_url(re.compile(r"/admin/executions/\d+/?$"))
    step = page.get_by_test_id("step-item").filter(has_text="Share on Social Media")
    step.click()
    output = step.locator("pre").nth(1)
    # Every browser test shares one app: a platform another test connected (a Telegram bot
    # whose stand-in is gone, say) is tried and reported by its connection, not "no connection".
    listed = api.get("/connections").json()["items"]
    connected = {c["platform"] for c in listed}
    platform_of = {"twitter": "x", "telegram": "telegram", "linkedin": "linkedin"}
    absent = [p for p, name in platform_of.items() if name not in connected]
    assert "twitter" in absent  # no browser test connects X
    lines = ["mastodon (E2E Mastodon): posted", "discord (E2E Discord): posted"]
    for line in lines + [f"{p}: no connection" for p in absent]:
        expect(output).to_contain_text(line)
    step.scroll_into_view_if_needed()
    _shot(page, "execution")
    shown = json.loads(output.inner_text())
    assert shown["sent"] >= 2 and shown["not_connected"] == absent
    assert MASTODON_TOKEN not in page.content()
    assert len(teams.cards) == 1  # only Verify's card
