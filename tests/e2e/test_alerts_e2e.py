"""Alerts in a real browser: a Slack alert made through the form, tested, then fired by a run."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.integration.alerts.counterparts import SLACK_HOOK, Counterparts, serve_counterparts


@pytest.fixture
def slack_hook() -> Iterator[tuple[str, Counterparts]]:
    """A loopback stand-in that speaks Slack's incoming-webhook contract."""
    with serve_counterparts() as state:
        yield state.base_url, state


def test_slack_alert_through_the_form(admin_page: Page, slack_hook) -> None:
    base, slack = slack_hook
    page = admin_page
    page.goto("/admin/alerts")
    page.get_by_test_id("new-alert").click()
    page.get_by_label("Name").fill("E2E failures")
    page.get_by_test_id("save-alert").click()
    expect(page.get_by_test_id("error-channel")).to_be_visible()
    page.get_by_label("Send to").fill(base + SLACK_HOOK)
    page.get_by_test_id("event-workflow_complete").click()
    page.get_by_test_id("alert-severity").get_by_role("combobox").click()
    page.get_by_role("option", name="error").click()  # the label of what it sends
    # A minimum that would always hold back a ticked event (a completion is info) is refused.
    page.get_by_test_id("alert-min_severity").get_by_role("combobox").click()
    page.get_by_role("option", name="error").click()
    page.get_by_test_id("save-alert").click()
    expect(page.get_by_test_id("error-min_severity")).to_contain_text("never")
    page.get_by_test_id("alert-min_severity").get_by_role("combobox").click()
    page.get_by_role("option", name="any").click()
    page.get_by_test_id("save-alert").click()
    row = page.get_by_test_id("alert-row").filter(has_text="E2E failures")
    expect(row).to_be_visible()
    assert SLACK_HOOK.rsplit("/", 1)[1] not in page.content()
    row.get_by_test_id("test-alert").click()
    expect(row.get_by_test_id("test-result")).to_contain_text("Delivered")
    assert any("E2E failures" in r["body"].decode() for r in slack.slack)

    # A real run that completes is announced too (workflow_complete was ticked).
    page.goto("/admin/workflows/new")
    page.get_by_label("Name").fill("Alerted run")
    page.get_by_test_id("save-workflow").click()
    expect(page).to_have_url(re.compile(r"/admin/workflows/\d+/?$"))
    page.get_by_test_id("detail-run").click()
    page.get_by_test_id("confirm-run").click()
    expect(page).to_have_url(re.compile(r"/admin/executions/\d+/?$"))
    for _ in range(50):  # delivery runs off the engine's bus, within a second or two
        if any("Alerted run" in r["body"].decode() for r in slack.slack):
            break
        page.wait_for_timeout(100)
    completed = [r["body"].decode() for r in slack.slack if "Alerted run" in r["body"].decode()]
    assert completed and ":x: *ERROR*" in completed[0]  # a completion, labelled error


def test_in_app_alert_rings_the_bell_live(admin_page: Page) -> None:
    page = admin_page
    page.goto("/admin/alerts")
    page.get_by_test_id("new-alert").click()
    page.get_by_label("Name").fill("Inbox")
    page.get_by_test_id("alert-alert_type").get_by_role("combobox").click()
    page.get_by_role("option", name="in_app").click()
    # an in-app alert picks people (none picked: everyone), it has no address to send to
    expect(page.get_by_test_id("alert-recipients")).to_contain_text("admin@example.com")
    expect(page.get_by_label("Send to")).to_have_count(0)
    page.get_by_test_id("event-workflow_complete").click()
    page.get_by_test_id("alert-severity").get_by_role("combobox").click()
    page.get_by_role("option", name="info").click()
    page.get_by_test_id("save-alert").click()
    expect(page.get_by_test_id("alert-row").filter(has_text="Inbox")).to_be_visible()
    page.get_by_role("button", name="Notifications").click()
    page.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_test_id("bell-count")).to_have_count(0)
    page.keyboard.press("Escape")

    page.goto("/admin/workflows/new")
    page.get_by_label("Name").fill("Bell ringer")
    page.get_by_test_id("save-workflow").click()
    expect(page).to_have_url(re.compile(r"/admin/workflows/\d+/?$"))
    page.get_by_test_id("detail-run").click()
    page.get_by_test_id("confirm-run").click()
    expect(page.get_by_test_id("bell-count")).to_have_text(re.compile(r"^[1-9]"))
    page.get_by_role("button", name="Notifications").click()
    expect(page.get_by_text("Workflow succeeded: Bell ringer")).to_be_visible()
