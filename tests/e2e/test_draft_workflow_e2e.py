"""A draft made through 003's `/automation` API (no steps yet, inactive) opens like any other
workflow: its page, the form and the designer show it, with nothing to run until a node is added."""

from __future__ import annotations

import json
import os
import re

import httpx
from playwright.sync_api import Page, expect

SHOTS = os.environ.get("FLOWDECK_SHOTS")
BODY = """{
    "name": "Incident Response Draft E2E",
    "description": "Automated incident response workflow",
    "category": "Incident Management"
  }"""


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_a_draft_with_no_steps_opens_everywhere(
    admin_page: Page, api: httpx.Client, base_url: str
) -> None:
    made = api.post(
        f"{base_url}/api/automation/workflows",
        content=BODY,
        headers={"Content-Type": "application/json"},
    )
    assert made.status_code == 201, made.text
    draft = made.json()
    assert json.loads(BODY)["name"] == draft["name"] and draft["is_active"] is False
    page = admin_page
    page.goto(f"/admin/workflows/{draft['id']}")
    expect(page.get_by_text("Incident Response Draft E2E").first).to_be_visible()
    expect(page.get_by_test_id("detail-run")).to_be_disabled()  # a paused draft does not run
    _shot(page, "draft-detail")
    page.goto(f"/admin/workflows/{draft['id']}/edit")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Incident Response Draft E2E")
    _shot(page, "draft-form")
    page.goto(f"/admin/workflows/{draft['id']}/designer")
    expect(page).to_have_url(re.compile(r"/designer/?$"))
    expect(page.locator(".react-flow")).to_be_visible()
    expect(page.locator(".react-flow__node")).to_have_count(0)
    _shot(page, "draft-designer")
    added = api.post(
        f"{base_url}/api/automation/workflows/{draft['id']}/nodes",
        json={"node_type": "action", "label": "Send Slack Alert", "position_x": 100,
              "position_y": 200, "config": {"action_type": "send_slack",
                                            "message": "Critical incident detected"}},
    )  # fmt: skip
    assert added.status_code == 201, added.text
    page.reload()
    expect(page.locator(".react-flow__node")).to_have_count(1)
    expect(page.locator(".react-flow__node").first).to_contain_text("Send Slack Alert")
