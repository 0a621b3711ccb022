"""Template help in a browser (#18): pin a sample payload, open the variable picker on a
transform's values, insert a path from the last run's output at the cursor, test the step and
see its output, then break the template and see the error that names the field and the keys
that exist."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

SHOTS = Path("/tmp/template-help")


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _workflow(api: httpx.Client) -> int:
    actions = [
        {"id": "fetch", "name": "Fetch", "type": "transform",
         "config": {"values": {"status": 200, "body": {"city": "{{ trigger.city }}"}}}},
        {"id": "shape", "name": "Shape", "type": "transform",
         "config": {"values": {"line": "hello"}}},
    ]  # fmt: skip
    data = {"name": "E2E template help", "trigger": {"type": "manual"}, "actions": actions}
    made = api.post("/workflows", json=data)
    assert made.status_code == 201, made.text
    workflow_id = made.json()["id"]
    ran = api.post(f"/workflows/{workflow_id}/execute", json={"payload": {"city": "Oslo"}},
                   params={"wait": "true", "timeout": 50})  # fmt: skip
    assert ran.json()["status"] == "succeeded", ran.text
    return workflow_id


def test_pick_a_path_test_the_step_and_read_a_named_error(
    admin_page: Page, api: httpx.Client
) -> None:
    page = admin_page
    workflow_id = _workflow(api)
    page.goto(f"/admin/workflows/{workflow_id}/edit")

    # The sample payload: the last run's, then one typed and pinned.
    box = page.get_by_test_id("sample-payload")
    expect(box).to_be_visible(timeout=20_000)
    page.get_by_test_id("sample-last-run").click()
    expect(box).to_have_value('{\n  "city": "Oslo"\n}')
    section = page.get_by_test_id("sample-section")
    expect(section.get_by_text("pinned", exact=True)).to_be_visible()
    box.fill('{"city": "Bergen", "name": "Ada"}')
    page.get_by_test_id("sample-pin").click()
    expect(page.get_by_text("Sample payload pinned").first).to_be_visible()
    wanted = {"city": "Bergen", "name": "Ada"}
    for _ in range(50):
        pinned = api.get(f"/workflows/{workflow_id}/sample-payload").json()["sample_payload"]
        if pinned == wanted:
            break
        page.wait_for_timeout(100)
    assert pinned == wanted

    # The picker on the second step's values: the trigger from the pin, fetch's stored output.
    shape = page.get_by_test_id("action-card").nth(1)
    values = shape.get_by_test_id("action-values_json")
    values.fill('{"line": "in "}')
    values.click()
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")  # the cursor after "in "
    shape.get_by_test_id("picker-values_json").click()
    picker = page.get_by_test_id("picker")
    expect(picker).to_contain_text("From the pinned sample payload")
    expect(picker.locator('[data-path="trigger.name"]')).to_contain_text('"Ada"')
    city = picker.locator('[data-path="steps.fetch.output.body.city"]')
    expect(city).to_contain_text('"Oslo"')
    expect(picker.locator('[data-path^="steps.shape"]')).to_have_count(0)  # not itself
    _shot(page, "1-picker")
    picker.get_by_test_id("picker-filter").fill("body.c")
    expect(picker.get_by_test_id("picker-row")).to_have_count(1)
    city.click()
    expect(picker).to_have_count(0)
    expect(values).to_have_value('{"line": "in {{ steps.fetch.output.body.city }}"}')

    # Test the step as the form holds it: rendered with the last run's fetch output.
    shape.get_by_test_id("test-step").click()
    result = shape.get_by_test_id("test-step-result")
    expect(result.get_by_test_id("test-step-status")).to_have_text("succeeded", timeout=20_000)
    expect(result.get_by_test_id("test-step-output")).to_contain_text('"line": "in Oslo"')
    expect(result.get_by_test_id("test-step-rendered")).to_contain_text('"values"')
    result.scroll_into_view_if_needed()
    _shot(page, "2-test-output")

    # A broken template: the error names the step, the field, the key and what exists.
    values.fill('{"line": "{{ steps.fetch.output.city }}"}')
    shape.get_by_test_id("test-step").click()
    expect(result.get_by_test_id("test-step-status")).to_have_text("failed", timeout=20_000)
    error = result.get_by_test_id("test-step-error")
    expect(error).to_contain_text("undefined 'city' in config.values.line of step 'shape'")
    expect(error).to_contain_text("steps.fetch.output has no 'city'; it has 'status', 'body'")
    expect(error).to_contain_text("did you mean steps.fetch.output.body.city?")
    result.scroll_into_view_if_needed()
    _shot(page, "3-named-error")
    assert len(api.get("/executions", params={"workflow_id": workflow_id}).json()["items"]) == 1


def test_the_designer_panel_has_the_picker_and_test_step(
    admin_page: Page, api: httpx.Client
) -> None:
    page = admin_page
    workflow_id = _workflow(api)
    page.goto(f"/admin/workflows/{workflow_id}/designer")
    page.locator('[data-testid="canvas-node"][data-step="shape"]').click()
    panel = page.get_by_test_id("designer-panel")
    expect(panel).to_be_visible(timeout=20_000)
    values = panel.get_by_test_id("action-values_json")
    values.fill('{"line": ""}')
    values.click()
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    panel.get_by_test_id("picker-values_json").click()
    picker = page.get_by_test_id("picker")
    expect(picker).to_contain_text("From the last run's payload")
    picker.locator('[data-path="steps.fetch.output.body.city"]').click()
    expect(values).to_have_value('{"line": "{{ steps.fetch.output.body.city }}"}')
    panel.get_by_test_id("test-step").click()
    result = panel.get_by_test_id("test-step-result")
    expect(result.get_by_test_id("test-step-output")).to_contain_text('"line": "Oslo"')
    _shot(page, "4-designer-panel")
