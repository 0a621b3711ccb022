"""000's Example 1 ("Auto Publish & Share") created exactly as written over REST, then opened and
run in the browser: the form shows the share step's default message as its placeholder and the
monitor's save warning; the run, started with "Run now" for one article, publishes it, shares to
the connected Telegram (a loopback stand-in) and names the unconnected platforms, and the
monitor step ends skipped saying why.

Every browser test shares one app: the article and the connection have names of their own, the
connection is removed and the workflow paused at the end (so that its publish trigger does not
answer other tests' articles), and platforms another test connected are tolerated.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.integration.alerts.counterparts import (
    CHAT_ID,
    TELEGRAM_TOKEN,
    Counterparts,
    serve_counterparts,
)
from tests.integration.api.original_requests import EXAMPLE_1

NO_SOURCE = "no metrics source for ranking, traffic, engagement: add one under Connections"
SHOTS = Path("/tmp/flowdeck-shots")
SLOW = 45_000  # ms: the CI machine is loaded


@pytest.fixture
def telegram() -> Iterator[Counterparts]:
    with serve_counterparts() as state:
        yield state


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"example1-{name}.png"), full_page=True)


def test_example_1_as_written_in_the_form_and_run(
    admin_page: Page, api: httpx.Client, telegram: Counterparts
) -> None:
    tag = uuid.uuid4().hex[:8]
    connection = api.post(
        "/connections",
        json={"name": f"E2E Example 1 Telegram {tag}", "platform": "telegram",
              "credentials": {"botToken": TELEGRAM_TOKEN},
              "config": {"apiBase": telegram.base_url, "defaultChatId": CHAT_ID}},
    )  # fmt: skip
    assert connection.status_code == 201, connection.text
    workflow_id = None
    try:
        title = f"Example one {tag}"
        article = api.post(
            "/articles", json={"title": title, "tags": ["automation"], "status": "ready"}
        )
        assert article.status_code == 201, article.text
        created = api.post(
            "/workflows", content=EXAMPLE_1.encode(), headers={"content-type": "application/json"}
        )
        assert created.status_code == 201, created.text
        workflow_id = created.json()["id"]
        assert {"path": "actions[2].config.metrics", "message": NO_SOURCE} in created.json()[
            "warnings"
        ]

        page = admin_page
        page.goto(f"/admin/workflows/{workflow_id}/edit")
        cards = page.get_by_test_id("action-card")
        expect(cards).to_have_count(3, timeout=SLOW)
        message = cards.nth(1).get_by_test_id("action-message")
        expect(message).to_have_value("")
        expect(message).to_have_attribute(
            "placeholder", re.compile("^Empty: built from the article")
        )
        expect(cards.nth(2).get_by_test_id("warning-action")).to_have_text(NO_SOURCE)
        cards.nth(2).scroll_into_view_if_needed()
        _shot(page, "form")

        page.goto(f"/admin/workflows/{workflow_id}")
        page.get_by_test_id("detail-run").click(timeout=SLOW)
        payload = page.get_by_test_id("run-payload")
        payload.fill(json.dumps({"article_id": article.json()["id"]}))
        page.get_by_test_id("confirm-run").click()
        expect(page).to_have_url(re.compile(r"/admin/executions/\d+/?$"), timeout=SLOW)
        expect(page.get_by_test_id("execution-status")).to_have_text("succeeded", timeout=SLOW)

        share = page.get_by_test_id("step-item").filter(has_text="Share on Social Media")
        share.click()
        output = share.locator("pre").nth(1)
        listed = api.get("/connections").json()["items"]
        connected = {c["platform"] for c in listed}
        for name, platform in {"twitter": "x", "linkedin": "linkedin"}.items():
            if platform not in connected:  # another browser test may have connected one
                expect(output).to_contain_text(f"{name}: no connection", timeout=SLOW)
        expect(output).to_contain_text(f"E2E Example 1 Telegram {tag}")
        monitor = page.get_by_test_id("step-item").filter(has_text="Monitor Performance")
        monitor.click()
        expect(monitor).to_contain_text(f"Skipped: {NO_SOURCE}", timeout=SLOW)
        share.scroll_into_view_if_needed()
        _shot(page, "run")
        assert any(title in r["body"].decode() for r in telegram.telegram)
        assert TELEGRAM_TOKEN not in page.content()
    finally:
        if workflow_id is not None:
            api.post(f"/workflows/{workflow_id}/pause")
        api.delete(f"/connections/{connection.json()['id']}")


def test_002_customer_onboarding_opens_in_the_form_with_its_email_step(
    admin_page: Page, api: httpx.Client
) -> None:
    """002's body, translated on save, is an ordinary workflow in the form: its SEND_EMAIL is a
    send_email step whose fields show the translated recipient and the built-in template."""
    from tests.integration.api.original_requests import CUSTOMER_ONBOARDING

    created = api.post(
        "/workflows",
        content=CUSTOMER_ONBOARDING.encode(),
        headers={"content-type": "application/json"},
    )
    assert created.status_code == 201, created.text
    workflow_id = created.json()["id"]
    try:
        smtp = [c for c in api.get("/connections").json()["items"] if c["platform"] == "smtp"]
        page = admin_page
        page.goto(f"/admin/workflows/{workflow_id}/edit")
        cards = page.get_by_test_id("action-card")
        expect(cards).to_have_count(2, timeout=SLOW)
        email = cards.nth(0)
        expect(email.get_by_test_id("action-email_to")).to_have_value(
            "{{trigger.body.customer_email}}"
        )
        expect(email.get_by_test_id("action-email_template")).to_have_value("welcome_email")
        if not smtp:  # another browser test may have added one
            expect(email.get_by_test_id("warning-action")).to_have_text(
                "no SMTP connection: add one under Connections"
            )
        call = cards.nth(1)
        expect(call.get_by_test_id("action-url")).to_have_value("/api/customers")
        expect(call.get_by_test_id("action-connection")).to_have_value("api")
        email.scroll_into_view_if_needed()
        _shot(page, "002-form")
        page.get_by_test_id("save-workflow").click()  # saved from the form, nothing is lost
        expect(page).to_have_url(re.compile(rf"/admin/workflows/{workflow_id}/?$"), timeout=SLOW)
        saved = api.get(f"/workflows/{workflow_id}").json()["actions"]
        assert saved[1]["config"]["connection"] == "api"
        assert saved[0]["config"] == {"template": "welcome_email",
                                      "to": "{{trigger.body.customer_email}}"}  # fmt: skip
    finally:
        api.post(f"/workflows/{workflow_id}/pause")
