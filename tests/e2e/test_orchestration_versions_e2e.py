"""An orchestration's versions in a real browser: saved twice, compared, rolled back.

Created from the JSON tab (version 1), saved again with another URL and mode (version 2); the
History tab lists both with the change words and compares them; a rollback to version 1 asks
for a reason, then version 3 says it restored version 1 and why, and the form shows the URL
of version 1 again; a save made from the History tab lists its version at once.
Set FLOWDECK_SHOTS to a directory to keep a screenshot of the tab.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from playwright.sync_api import Page, expect


def _definition(url: str, mode: str) -> str:
    return json.dumps(
        {
            "name": "E2E versions",
            "mode": mode,
            "calls": [
                {"id": "login", "method": "POST", "url": url},
                {"id": "me", "url": "https://api.example.com/me", "depends_on": ["login"]},
            ],
        }
    )


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("FLOWDECK_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_saved_twice_compared_and_rolled_back_with_a_reason(admin_page: Page) -> None:
    page = admin_page
    page.goto("/admin/orchestrations/new")
    page.get_by_test_id("tab-json").click()
    page.get_by_test_id("json-editor").fill(_definition("https://a.example/login", "sequential"))
    page.get_by_test_id("save-orchestration").click()
    expect(page).to_have_url(re.compile(r"/admin/orchestrations/\d+/?$"))
    expect(page.get_by_test_id("call-card")).to_have_count(2)

    page.get_by_test_id("tab-json").click()
    page.get_by_test_id("json-editor").fill(_definition("https://b.example/login", "parallel"))
    page.get_by_test_id("save-orchestration").click()
    expect(page.get_by_test_id("tab-history")).to_be_visible()

    page.get_by_test_id("tab-history").click()
    entries = page.get_by_test_id("version-entry")
    expect(entries).to_have_count(2)
    expect(entries.nth(0).get_by_test_id("version-number")).to_have_text("v2")
    expect(entries.nth(0)).to_contain_text("admin@")
    expect(entries.nth(0).get_by_test_id("version-summary")).to_contain_text(
        "mode sequential → parallel"
    )
    expect(entries.nth(0).get_by_test_id("version-summary")).to_contain_text("calls.login.url")
    expect(page.get_by_test_id("diff-title")).to_have_text("Changes v1 → v2")
    expect(page.get_by_test_id("diff-word").first).to_be_visible()
    expect(page.get_by_test_id("diff-view")).to_contain_text("https://b.example/login")

    entries.nth(1).get_by_test_id("restore-version").click()
    page.get_by_test_id("confirm-restore").click()
    expect(page.get_by_test_id("error-reason")).to_contain_text("Say why")
    page.get_by_test_id("restore-reason").fill("b answers 500")
    page.get_by_test_id("confirm-restore").click()
    expect(page.get_by_text("Rolled back to version 1: now version 3")).to_be_visible()
    expect(entries).to_have_count(3)
    newest = entries.nth(0)
    expect(newest.get_by_test_id("version-number")).to_have_text("v3")
    expect(newest.get_by_test_id("version-restored")).to_contain_text(
        "restored v1 because “b answers 500”"
    )
    expect(page.get_by_test_id("diff-title")).to_have_text("Changes v2 → v3")
    _shot(page, "orchestration-history")

    # The form was reloaded with version 1. Edited in the JSON tab, saved from the History
    # tab: version 4 is listed at once.
    page.get_by_test_id("tab-json").click()
    expect(page.get_by_test_id("json-editor")).to_have_value(re.compile("a.example/login"))
    page.get_by_test_id("json-editor").fill(_definition("https://c.example/login", "sequential"))
    page.get_by_test_id("tab-history").click()
    page.get_by_test_id("save-orchestration").click()
    expect(entries).to_have_count(4)
    expect(entries.nth(0).get_by_test_id("version-number")).to_have_text("v4")
    expect(page.get_by_test_id("diff-title")).to_have_text("Changes v3 → v4")

    page.get_by_test_id("tab-form").click()
    login = page.get_by_test_id("call-card").nth(0)
    expect(login.get_by_test_id("call-url")).to_have_value("https://c.example/login")
