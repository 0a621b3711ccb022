"""Versions and audit in a real browser: edit a workflow twice, compare, roll back, audit it."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

NAME = "E2E versioned digest"


def _save(page: Page) -> None:
    page.get_by_test_id("save-workflow").click()
    expect(page).to_have_url(re.compile(r"/admin/workflows/\d+/?$"))


def _create_and_edit_twice(page: Page) -> str:
    page.goto("/admin/workflows/new")
    page.get_by_label("Name").fill(NAME)
    _save(page)
    workflow_id = re.search(r"/admin/workflows/(\d+)", page.url).group(1)  # type: ignore[union-attr]

    page.goto(f"/admin/workflows/{workflow_id}/edit")
    expect(page.get_by_label("Name")).to_have_value(NAME)  # the form has loaded
    page.get_by_label("Description").fill("Posts the morning digest")
    _save(page)

    page.goto(f"/admin/workflows/{workflow_id}/edit")
    values = page.get_by_test_id("action-card").first.get_by_test_id("action-values_json")
    expect(values).to_contain_text("Hello")
    values.fill('{"message": "Good morning {{ trigger.name }}"}')
    _save(page)
    expect(page.get_by_text("version 3")).to_be_visible()
    return workflow_id


def test_edit_compare_roll_back_and_audit(admin_page: Page) -> None:
    page = admin_page
    workflow_id = _create_and_edit_twice(page)

    page.get_by_test_id("nav-versions").click()
    expect(page).to_have_url(re.compile(r"/admin/versions/?$"))
    report = page.get_by_test_id("change-report")  # three versions of it: made, edited twice
    expect(report.get_by_role("link", name=NAME)).to_be_visible()
    expect(report.get_by_role("link", name=NAME).locator("xpath=..")).to_contain_text("3")
    page.get_by_test_id("version-item").filter(has_text=NAME).click()
    expect(page.get_by_test_id("versions-title")).to_have_text(NAME)
    entries = page.get_by_test_id("version-entry")
    expect(entries).to_have_count(3)
    # The newest two are compared at once: the second edit changed the step's values.
    expect(page.get_by_test_id("diff-title")).to_contain_text("v2 → v3")
    expect(page.get_by_test_id("diff-word").first).to_contain_text("actions.step1.config.values")
    changed = page.get_by_test_id("diff-field").filter(has_text="actions.step1.config.values")
    expect(changed.first).to_contain_text("Good morning")

    # Compare the first version with the last instead: untick v2, tick v1.
    entries.nth(1).get_by_test_id("compare-pick").click()
    entries.nth(2).get_by_test_id("compare-pick").click()
    expect(page.get_by_test_id("diff-title")).to_contain_text("v1 → v3")
    expect(page.get_by_test_id("diff-view")).to_contain_text("changed the description")
    description = page.get_by_test_id("diff-field").filter(has_text="description")
    expect(description).to_contain_text("Posts the morning digest")

    # Roll back to v1: without a reason the dialog says why it refuses.
    entries.nth(2).get_by_test_id("restore-version").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_test_id("confirm-restore").click()
    expect(dialog.get_by_test_id("error-reason")).to_contain_text("Say why")
    expect(entries).to_have_count(3)
    dialog.get_by_test_id("restore-reason").fill("the greeting broke the digest")
    dialog.get_by_test_id("confirm-restore").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(entries).to_have_count(4)
    newest = entries.first
    expect(newest.get_by_test_id("version-number")).to_have_text("v4")
    expect(newest.get_by_test_id("version-restored")).to_contain_text(
        "restored v1 because “the greeting broke the digest”"
    )
    expect(page.get_by_test_id("diff-title")).to_contain_text("v3 → v4")

    # The audit trail has each save and the rollback with its reason.
    page.get_by_test_id("nav-audit").click()
    expect(page).to_have_url(re.compile(r"/admin/audit/?$"))
    page.get_by_test_id("audit-filter-action").fill("workflow.*")
    page.get_by_test_id("audit-filter-target_id").fill(workflow_id)
    rows = page.get_by_test_id("audit-row")
    expect(rows.get_by_test_id("audit-action")).to_have_text(
        ["workflow.rolled_back", "workflow.updated", "workflow.updated", "workflow.created"]
    )
    rolled_back = rows.first
    rolled_back.get_by_test_id("audit-details").locator("summary").click()
    expect(rolled_back.locator("pre")).to_contain_text('"reason": "the greeting broke the digest"')

    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    exported = download.value
    assert exported.suggested_filename.endswith(".csv")
    text = Path(exported.path()).read_text(encoding="utf-8")
    assert text.startswith("id,at,actor_type") and text.count("workflow.updated") == 2
    assert "workflow.rolled_back" in text
