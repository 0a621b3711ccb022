"""The original document's workflow, built and run by a person in the browser.

Slack and Telegram are loopback stand-ins that speak their real contracts; the connections,
the workflow (publish trigger → publish → share → monitor → optimize) and the article are
all made through the forms, and the run starts when the article is moved to `ready`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.integration.alerts.counterparts import (
    CHAT_ID,
    SLACK_HOOK,
    TELEGRAM_TOKEN,
    Counterparts,
    serve_counterparts,
)

NAME = "Publish, share, monitor, optimize"


@pytest.fixture
def counterparts() -> Iterator[Counterparts]:
    with serve_counterparts() as state:
        yield state


def _connection(page: Page, platform: str, name: str, fields: dict[str, str]) -> None:
    page.get_by_test_id("new-connection").click()
    if platform != "slack":
        page.get_by_test_id("conn-platform").get_by_role("combobox").click()
        page.get_by_role("option", name=platform, exact=True).click()
        # The form is rebuilt for the platform; fill it once its own fields are there.
        expect(page.get_by_label(next(iter(fields)), exact=True)).to_be_visible()
    page.get_by_label("Name").fill(name)
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_test_id("save-connection").click()
    expect(page.get_by_test_id("connection-row").filter(has_text=name)).to_be_visible()


def _add(page: Page, kind: str, count: int) -> None:
    item = page.get_by_role("menuitem", name=kind, exact=True)
    for _ in range(3):  # a re-render right after the last step was added can close the menu
        page.get_by_test_id("add-content-step").click()
        try:
            item.click(timeout=3_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    expect(page.get_by_test_id("action-card")).to_have_count(count)  # wait for the card


def test_original_workflow_built_and_run_in_the_browser(
    admin_page: Page, counterparts: Counterparts, base_url: str
) -> None:
    page = admin_page
    page.goto("/admin/connections")
    _connection(
        page, "slack", "E2E Team Slack", {"Webhook url": counterparts.base_url + SLACK_HOOK}
    )
    _connection(
        page,
        "telegram",
        "E2E Ops Telegram",
        {
            "Bot token": TELEGRAM_TOKEN,
            "Api base": counterparts.base_url,
            "Default chat id": CHAT_ID,
        },
    )

    page.goto("/admin/workflows/new")
    page.get_by_label("Name").fill(NAME)
    page.get_by_test_id("wf-trigger-type").get_by_role("combobox").click()
    page.get_by_role("option", name="publish").click()
    page.get_by_role("button", name="Remove step").click()
    expect(page.get_by_test_id("action-card")).to_have_count(0)
    for count, kind in enumerate(("publish", "share", "monitor", "optimize"), start=1):
        _add(page, kind, count)
    cards = page.get_by_test_id("action-card")
    expect(cards).to_have_count(4)
    cards.nth(1).get_by_test_id("action-list_text").fill("E2E Team Slack, E2E Ops Telegram")
    cards.nth(1).get_by_test_id("action-message").fill("Published: {{ trigger.title }}")
    cards.nth(2).get_by_test_id("action-list_text").fill(base_url + "/api/health")
    cards.nth(3).get_by_test_id("action-list_text").fill("automation")
    page.get_by_test_id("save-workflow").click()
    expect(page).to_have_url(re.compile(r"/admin/workflows/\d+/?$"))

    page.goto("/admin/articles")
    page.get_by_test_id("new-article").click()
    page.get_by_label("Title", exact=True).fill("Automation that ships itself")
    page.get_by_test_id("article-body").fill(
        "# Automation\n\nFlowdeck publishes, shares and measures this article. "
        "[Read more](https://example.com)."
    )
    page.get_by_test_id("save-article").click()
    row = page.get_by_test_id("article-row").filter(has_text="Automation that ships itself")
    row.get_by_role("button", name="Move to…").click()
    page.get_by_role("menuitem", name="ready").click()
    expect(row.get_by_test_id("article-status")).to_have_text(re.compile("ready|published"))

    page.goto("/admin/executions")
    run = page.get_by_test_id("execution-row").filter(has_text=NAME).first
    expect(run).to_contain_text("succeeded", timeout=20_000)
    expect(run.get_by_test_id("execution-steps")).to_have_text("4/4")
    assert any("Automation that ships itself" in r["body"].decode() for r in counterparts.slack)
    assert any("Automation that ships itself" in r["body"].decode() for r in counterparts.telegram)

    page.goto("/admin/articles")
    expect(row.get_by_test_id("article-status")).to_have_text("published")
