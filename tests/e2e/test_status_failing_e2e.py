"""/status says which workflow keeps failing, and its rows open the run for a team member."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

FAILING = {
    "name": "E2E always fails",
    "trigger": {"type": "manual"},
    "actions": [{"id": "divide", "type": "transform", "config": {"values": {"q": "{{ 1 / 0 }}"}}}],
}


def test_the_banner_names_the_failing_workflow_and_rows_link_to_runs(
    admin_page: Page, api: httpx.Client
) -> None:
    created = api.post("/workflows", json=FAILING)
    assert created.status_code == 201, created.text
    wid = created.json()["id"]
    for _ in range(3):
        ran = api.post(f"/workflows/{wid}/execute", json={}, params={"wait": "true"})
        assert ran.status_code in (200, 201, 202), ran.text

    page = admin_page
    page.goto("/status")
    banner = page.get_by_test_id("system-status")
    expect(banner).to_contain_text("Runs are failing")
    expect(banner).to_contain_text("runs of E2E always fails failed")

    link = page.get_by_test_id("status-run-link").filter(has_text="E2E always fails").first
    link.click()
    expect(page).to_have_url(re.compile(r"/admin/executions/\d+/?$"))
    expect(page.get_by_text("failed").first).to_be_visible()
