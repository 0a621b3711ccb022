"""A script step in a real browser: added in the workflow form, run, its output on the
execution page."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

CODE = """import json, sys
data = json.load(sys.stdin)
print("working on", data["name"])
print(json.dumps({"greeting": "Script says hi to " + data["name"].upper()}))"""


def test_add_a_script_step_run_it_and_read_its_output(admin_page: Page, tmp_path: Path) -> None:
    page = admin_page
    page.goto("/admin/workflows/new")
    page.get_by_label("Name").fill("E2E script step")
    page.get_by_test_id("add-script").click()
    card = page.get_by_test_id("action-card").nth(1)
    expect(card.get_by_test_id("action-script_code")).to_contain_text("json.load(sys.stdin)")
    card.get_by_test_id("action-id").fill("greet")
    card.get_by_test_id("action-script_code").fill(CODE)
    card.get_by_test_id("action-script_input_json").fill('{"name": "{{ trigger.name }}"}')
    card.get_by_test_id("action-script_memory").fill("32")  # below the floor: refused
    page.get_by_test_id("save-workflow").click()
    expect(card).to_contain_text("greater than or equal to 64")
    card.get_by_test_id("action-script_memory").fill("128")
    card.screenshot(path=str(tmp_path / "script-card.png"))
    page.get_by_test_id("save-workflow").click()
    expect(page).to_have_url(re.compile(r"/admin/workflows/\d+/?$"))

    page.get_by_test_id("detail-run").click()
    page.get_by_test_id("run-payload").fill('{"name": "Ada"}')
    page.get_by_test_id("confirm-run").click()
    expect(page).to_have_url(re.compile(r"/admin/executions/\d+/?$"))
    expect(page.get_by_test_id("detail-steps")).to_have_text("2/2", timeout=30_000)
    step = page.get_by_test_id("step-item").nth(1)
    expect(step).to_contain_text("succeeded")
    step.click()
    expect(page.get_by_text("Script says hi to ADA").first).to_be_visible()
    expect(page.get_by_text("working on Ada").first).to_be_visible()
    page.screenshot(path=str(tmp_path / "script-run.png"), full_page=True)
    print("screenshots:", tmp_path)
