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


def _node(page: Page, step: str):
    return page.locator(f'[data-testid="canvas-node"][data-step="{step}"]')


def test_compare_draws_added_removed_and_changed_steps_on_the_canvas(admin_page: Page, api) -> None:
    page = admin_page

    def step(step_id: str, **extra) -> dict:
        return {"id": step_id, "type": "transform", "config": {"values": {"n": 1}}, **extra}

    fetch = {
        "id": "fetch",
        "type": "api_call",
        "config": {
            "url": "https://a.example/feed",
            "headers": {"Authorization": "Bearer e2e-old-secret-1"},
        },
    }
    body = {"name": "E2E canvas compare", "trigger": {"type": "manual"}}
    created = api.post("/workflows", json={**body, "actions": [fetch, step("shape"), step("tell")]})
    workflow_id = created.raise_for_status().json()["id"]
    newer = {
        **fetch,
        "config": {
            "url": "https://b.example/feed",
            "headers": {"Authorization": "Bearer e2e-new-secret-2"},
        },
    }
    actions = [newer, step("tell", depends_on=["fetch"]), step("audit", depends_on=["tell"])]
    api.put(f"/workflows/{workflow_id}", json={"actions": actions}).raise_for_status()

    page.goto(f"/admin/versions?workflow={workflow_id}")
    expect(page.get_by_test_id("diff-title")).to_contain_text("v1 → v2")
    canvas = page.get_by_test_id("version-canvas")
    expect(canvas.get_by_test_id("canvas-node")).to_have_count(4)
    expect(_node(page, "fetch")).to_have_attribute("data-change", "changed")
    expect(_node(page, "tell")).to_have_attribute("data-change", "changed")
    expect(_node(page, "audit")).to_have_attribute("data-change", "added")
    expect(_node(page, "shape")).to_have_attribute("data-change", "removed")
    expect(page.get_by_test_id("graph-summary")).to_have_text("1 added · 1 removed · 2 changed")
    # removed edges are drawn dashed in red, added ones in green
    expect(canvas.locator(".react-flow__edge")).to_have_count(4)
    dashed = canvas.locator('.react-flow__edge-path[style*="stroke-dasharray"]')
    expect(dashed).to_have_count(2)

    _node(page, "fetch").click()
    rows = page.get_by_test_id("graph-node-change")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="config.url")).to_contain_text("https://a.example/feed")
    expect(rows.filter(has_text="config.url")).to_contain_text("https://b.example/feed")
    expect(rows.filter(has_text="config.headers.Authorization")).to_contain_text("[redacted]")
    # The changed steps are also named above the canvas: a click there selects the node.
    chips = page.get_by_test_id("graph-changed-step")
    expect(chips).to_have_text(["fetch", "tell", "audit", "shape"])
    chips.filter(has_text="tell").click()
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("depends_on")
    Path("/tmp/flowdeck-shots").mkdir(exist_ok=True)
    page.get_by_test_id("diff-view").screenshot(path="/tmp/flowdeck-shots/version-canvas.png")
    assert "e2e-old-secret" not in page.content() and "e2e-new-secret" not in page.content()

    # On a phone the canvas and the step's changes stack, both still readable.
    page.set_viewport_size({"width": 390, "height": 844})
    expect(canvas.get_by_test_id("canvas-node")).to_have_count(4)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None and box["width"] <= 390 and box["height"] >= 300
    expect(page.get_by_test_id("graph-node-detail")).to_contain_text("depends_on")
    page.get_by_test_id("diff-view").screenshot(path="/tmp/flowdeck-shots/version-canvas-phone.png")
