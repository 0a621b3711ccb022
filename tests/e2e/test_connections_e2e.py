"""Connections in a real browser: a Slack connection made through the form, then verified."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.integration.alerts.counterparts import SLACK_HOOK, Counterparts, serve_counterparts


@pytest.fixture
def slack_server() -> Iterator[tuple[str, Counterparts]]:
    """A loopback stand-in that speaks Slack's incoming-webhook contract."""
    with serve_counterparts() as state:
        yield state.base_url, state


def test_slack_connection_through_the_form(admin_page: Page, slack_server) -> None:
    base, slack = slack_server
    page = admin_page
    page.goto("/admin/connections")
    page.get_by_test_id("new-connection").click()
    page.get_by_label("Name").fill("E2E Slack")
    page.get_by_test_id("save-connection").click()
    expect(page.get_by_test_id("error-webhook_url")).to_contain_text("required")
    page.get_by_label("Webhook url").fill(base + SLACK_HOOK)
    page.get_by_test_id("save-connection").click()
    row = page.get_by_test_id("connection-row").filter(has_text="E2E Slack")
    status = row.get_by_test_id("connection-status")
    expect(status).to_have_text("unverified")
    row.get_by_test_id("verify-connection").click()
    expect(status).to_have_text("verified")
    assert slack.slack and json.loads(slack.slack[0]["body"])["text"]
    assert SLACK_HOOK.rsplit("/", 1)[1] not in page.content()
