"""The designer in Chromium: open a workflow on the canvas, add a step, connect it, save, reload.

The workflow is made over REST (an API key from the `flowdeck` CLI); the canvas is then driven
like a person drives it: the Designer link, a click on a node, a palette entry, a drag from the
`if` node's `false` handle onto the new node, a palette entry dragged onto the canvas, Save,
and a reload that shows what was saved.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.sync_api import Locator, Page, expect

ROOT = Path(__file__).resolve().parents[2]
STEPS = [
    {"id": "fetch", "name": "Fetch order", "type": "transform", "config": {"values": {"n": 2}}},
    {"id": "check", "name": "Big order?", "type": "if", "config": {"condition": "trigger.n > 1"}},
    {"id": "yes", "type": "delay", "config": {"seconds": 0}, "depends_on": ["check:true"]},
]


def _node(page: Page, step: str) -> Locator:
    return page.locator(f'[data-testid="canvas-node"][data-step="{step}"]')


def _drag(page: Page, start: Locator, end: Locator) -> None:
    a, b = start.bounding_box(), end.bounding_box()
    assert a and b
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
    page.mouse.down()
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2, steps=12)
    page.mouse.up()


def _drop_palette_entry(page: Page, kind: str) -> None:
    """An HTML5 drag of a palette entry onto the canvas, as the browser dispatches it.

    Playwright's mouse drag fires no `dragstart` on this headless Chromium (checked: no drag
    event reaches the document), so the drag's own events are dispatched: `dragstart` on the
    entry, then `dragover` and `drop` on the canvas, sharing one DataTransfer.
    """
    page.evaluate(
        """(kind) => {
          const entry = document.querySelector(`[data-testid="palette-${kind}"]`);
          const pane = document.querySelector(".react-flow__pane");
          const box = pane.getBoundingClientRect();
          const dataTransfer = new DataTransfer();
          entry.dispatchEvent(new DragEvent("dragstart", {bubbles: true, dataTransfer}));
          const at = {bubbles: true, cancelable: true, dataTransfer,
                      clientX: box.x + 60, clientY: box.y + 60};
          pane.dispatchEvent(new DragEvent("dragover", at));
          pane.dispatchEvent(new DragEvent("drop", at));
        }""",
        kind,
    )


def test_build_on_the_canvas_save_and_reload(admin_page: Page, api: httpx.Client) -> None:
    page = admin_page
    made = api.post(
        "/workflows", json={"name": "E2E designer", "trigger": {"type": "manual"}, "actions": STEPS}
    )
    assert made.status_code == 201, made.text
    workflow_id = made.json()["id"]
    page.goto(f"/admin/workflows/{workflow_id}")
    page.get_by_test_id("detail-designer").click()
    expect(page).to_have_url(re.compile(rf"/admin/workflows/{workflow_id}/designer/?$"))
    for step in ("fetch", "check", "yes"):
        expect(_node(page, step)).to_be_visible()
    expect(page.get_by_test_id("designer-name")).to_have_text("E2E designer")

    _node(page, "fetch").click()
    expect(page.get_by_test_id("designer-panel")).to_be_visible()
    page.get_by_test_id("palette-search").fill("trans")
    expect(page.get_by_test_id("palette-delay")).to_have_count(0)
    page.get_by_test_id("palette-transform").click()
    expect(_node(page, "transform1")).to_be_visible()
    page.get_by_role("button", name="Fit View").click()
    page.wait_for_timeout(500)  # the view settles before the handles are measured

    target = page.locator('.react-flow__node[data-id="transform1"] .react-flow__handle.target')
    _drag(page, page.get_by_test_id("handle-check-false"), target)
    edge = page.locator('.react-flow__edge[data-id="check:false->transform1"]')
    expect(edge).to_have_count(1)

    page.get_by_test_id("palette-search").fill("")
    expect(page.get_by_test_id("palette-delay")).to_be_visible()
    _drop_palette_entry(page, "delay")
    expect(_node(page, "delay1")).to_be_visible()

    page.get_by_test_id("designer-save").click()
    expect(page.get_by_text("Saved E2E designer")).to_be_visible()
    stored = api.get(f"/workflows/{workflow_id}").json()["actions"]
    assert [s["id"] for s in stored] == ["fetch", "check", "yes", "transform1", "delay1"]
    assert stored[3]["depends_on"] == ["fetch", "check:false"] and "ui" in stored[3]
    assert stored[4]["depends_on"] == []  # dropped: connected to nothing yet

    page.reload()
    expect(_node(page, "transform1")).to_be_visible()
    expect(_node(page, "delay1")).to_be_visible()
    expect(page.locator('.react-flow__edge[data-id="check:false->transform1"]')).to_have_count(1)
    expect(page.locator('.react-flow__edge[data-id="fetch->transform1"]')).to_have_count(1)
