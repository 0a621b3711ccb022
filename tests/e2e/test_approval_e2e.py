"""A two-branch workflow with an approval, built in the form, run, approved from the inbox.

gate (approval, approvers ["admin"]) → ship (after gate: approved) / stop (after gate:
rejected). The run waits at the gate (violet and pulsing on the canvas, with Approve / Reject
on the node: the admin is a named approver), the admin approves it from /admin/approvals in
another tab with a comment, and the execution page, left open, turns green on the approved
side by itself while the rejected side is skipped.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.e2e.form_steps import choose, name_step


def _node(page: Page, step_id: str) -> Locator:
    return page.locator(f'[data-testid="canvas-node"][data-step="{step_id}"]')


def test_build_run_and_approve_from_the_inbox(admin_page: Page, tmp_path: Path) -> None:
    page = admin_page
    page.goto("/admin/workflows/new")
    page.get_by_label("Name").fill("E2E approval")

    gate = page.get_by_test_id("action-card").first
    choose(page, gate, "approval")
    name_step(page, 0, "gate", "Release gate")
    gate.get_by_test_id("action-approval_message").fill("Ship build {{ trigger.build }}?")
    for _ in range(2):
        page.get_by_test_id("add-transform").click()
    ship = name_step(page, 1, "ship", "Ship it")
    stop = name_step(page, 2, "stop", "Stop it")
    ship.get_by_role("checkbox", name="gate: approved").click()
    stop.get_by_role("checkbox", name="gate: rejected").click()
    expect(stop.get_by_role("checkbox", name="(previous step)")).not_to_be_checked()

    page.get_by_test_id("save-workflow").click()
    expect(page).to_have_url(re.compile(r"/admin/workflows/\d+/?$"))
    page.get_by_test_id("detail-run").click()
    page.get_by_test_id("run-payload").fill('{"build": 42}')
    page.get_by_test_id("confirm-run").click()
    expect(page).to_have_url(re.compile(r"/admin/executions/\d+/?$"))
    execution_url = page.url

    expect(page.get_by_test_id("execution-status")).to_contain_text("waiting")
    expect(_node(page, "gate")).to_have_attribute("data-status", "waiting")
    expect(_node(page, "gate")).to_contain_text("waiting for approval")
    expect(_node(page, "ship")).to_have_attribute("data-status", "pending")
    expect(page.get_by_test_id("node-approve-gate")).to_be_visible()
    page.get_by_test_id("node-reject-gate").click()  # the node's button opens the dialog
    expect(page.get_by_test_id("confirm-decision")).to_have_text("Reject")
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_test_id("confirm-decision")).to_have_count(0)
    page.screenshot(path="/tmp/execution-waiting-approval.png", full_page=True)
    expect(page.get_by_test_id("nav-approvals-count")).to_have_text("1")

    # The approver decides in another tab; this one keeps the execution open and turns green
    # by itself (live push, no reload).
    inbox = page.context.new_page()
    inbox.goto("/admin/executions")
    inbox.get_by_test_id("nav-approvals").click()
    expect(inbox).to_have_url(re.compile(r"/admin/approvals/?$"))
    card = inbox.locator('[id^="approval-"]').filter(has_text="Ship build 42?")
    expect(card).to_have_count(1)
    card.locator('[id^="approve-"]').click()
    inbox.locator("#approval-comment").fill("looks good")
    inbox.locator("#approval-confirm").click()
    expect(card.get_by_test_id("approval-decision")).to_contain_text("approved")
    expect(inbox.get_by_test_id("nav-approvals-count")).to_have_count(0)
    inbox.close()

    expect(page).to_have_url(execution_url)
    expect(page.get_by_test_id("execution-status")).to_contain_text("succeeded")
    expect(_node(page, "gate")).to_have_attribute("data-status", "succeeded")
    expect(_node(page, "ship")).to_have_attribute("data-status", "succeeded")
    expect(_node(page, "stop")).to_have_attribute("data-status", "skipped")
    expect(page.get_by_test_id("node-approve-gate")).to_have_count(0)  # decided: no buttons
    page.screenshot(path=str(tmp_path / "approved.png"), full_page=True)
    Path("/tmp/approved-execution.png").write_bytes((tmp_path / "approved.png").read_bytes())
