"""Build a branching workflow on the canvas, fix what it says is wrong, save, run, watch it.

The issue's headline path, driven like a person drives it: palette entries dragged onto the
canvas (an `if`, a `for_each`, a `transform`), edges drawn from the handles (the `if` node's
`true` and `false` outputs), Save refused with the problem on the node (red badge: the `if`
has no condition), the condition typed in the node's panel, Save, Run from the workflow
page, and the execution page's canvas turning the nodes green while the branch not taken is
skipped and the `for_each` node counts its items.
"""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Locator, Page, expect

NODE_W = 220  # app.core.canvas.SIZES.node_w: the node's width at zoom 1


def _node(page: Page, step: str) -> Locator:
    return page.locator(f'[data-testid="canvas-node"][data-step="{step}"]')


def _drop(page: Page, kind: str, x: float, y: float) -> None:
    """A palette entry dragged onto the canvas at (x, y) in the page, as the browser
    dispatches the HTML5 drag (Playwright's mouse drag fires no `dragstart` on this
    headless Chromium: see test_designer_e2e)."""
    page.evaluate(
        """([kind, x, y]) => {
          const entry = document.querySelector(`[data-testid="palette-${kind}"]`);
          const pane = document.querySelector(".react-flow__pane");
          const dataTransfer = new DataTransfer();
          entry.dispatchEvent(new DragEvent("dragstart", {bubbles: true, dataTransfer}));
          const at = {bubbles: true, cancelable: true, dataTransfer, clientX: x, clientY: y};
          pane.dispatchEvent(new DragEvent("dragover", at));
          pane.dispatchEvent(new DragEvent("drop", at));
        }""",
        [kind, x, y],
    )


def _connect(page: Page, source: str, handle: str, target: str) -> None:
    """Drag from the source's output handle onto the target's input handle."""
    start = page.get_by_test_id(f"handle-{source}-{handle}").bounding_box()
    end = page.locator(
        f'.react-flow__node[data-id="{target}"] .react-flow__handle.target'
    ).bounding_box()
    assert start and end
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=12)
    page.mouse.up()


def _edge(page: Page, edge_id: str) -> Locator:
    return page.locator(f'.react-flow__edge[data-id="{edge_id}"]')


def test_build_a_branch_and_a_loop_on_the_canvas_then_run_and_watch_it(
    admin_page: Page, api: httpx.Client
) -> None:
    page = admin_page
    made = api.post(
        "/workflows",
        json={
            "name": "E2E canvas run",
            "trigger": {"type": "manual"},
            "actions": [
                {"id": "start", "name": "Start", "type": "transform", "config": {"values": {}}}
            ],
        },
    )
    assert made.status_code == 201, made.text
    workflow_id = made.json()["id"]
    page.goto(f"/admin/workflows/{workflow_id}/designer")
    expect(_node(page, "start")).to_be_visible()
    page.wait_for_timeout(300)  # the first fit settles

    # Three palette entries dragged onto the canvas, placed below the first step.
    box = _node(page, "start").bounding_box()
    assert box
    zoom = box["width"] / NODE_W
    for kind, dx, dy in [("if", 0, 170), ("for_each", -170, 340), ("transform", 170, 340)]:
        _drop(page, kind, box["x"] + dx * zoom + 5, box["y"] + dy * zoom + 5)
    for step in ("if1", "for-each1", "transform1"):
        expect(_node(page, step)).to_have_count(1)
    page.get_by_role("button", name="Fit View").click()
    page.wait_for_timeout(500)  # the view settles before the handles are measured

    _connect(page, "start", "out", "if1")
    expect(_edge(page, "start->if1")).to_have_count(1)
    _connect(page, "if1", "true", "for-each1")
    expect(_edge(page, "if1:true->for-each1")).to_have_count(1)
    _connect(page, "if1", "false", "transform1")
    expect(_edge(page, "if1:false->transform1")).to_have_count(1)

    # The `if` has no condition yet: Save says so on its node, and nothing is saved.
    page.get_by_test_id("designer-save").click()
    badge = _node(page, "if1").get_by_test_id("canvas-node-error")
    expect(badge).to_be_visible()
    expect(_node(page, "if1")).to_contain_text(re.compile("condition: required", re.I))
    assert [s["id"] for s in api.get(f"/workflows/{workflow_id}").json()["actions"]] == ["start"]

    _node(page, "if1").click()
    panel = page.get_by_test_id("designer-panel")
    panel.get_by_test_id("action-branch_condition").fill("trigger.n > 1")
    page.get_by_test_id("designer-save").click()
    expect(page.get_by_text("Saved E2E canvas run")).to_be_visible()
    expect(badge).to_have_count(0)
    stored = {s["id"]: s for s in api.get(f"/workflows/{workflow_id}").json()["actions"]}
    assert stored["if1"]["config"]["condition"] == "trigger.n > 1"
    assert stored["if1"]["depends_on"] == ["start"]
    assert stored["for-each1"]["depends_on"] == ["if1:true"]
    assert stored["transform1"]["depends_on"] == ["if1:false"]

    # Run it from the workflow page; the execution page opens on the canvas.
    page.goto(f"/admin/workflows/{workflow_id}")
    page.get_by_test_id("detail-run").click()
    page.get_by_test_id("run-payload").fill('{"n": 5, "rows": [1, 2, 3]}')
    page.get_by_test_id("confirm-run").click()
    expect(page).to_have_url(re.compile(r"/admin/executions/\d+/?$"))
    canvas = page.get_by_test_id("execution-canvas")
    for step, status in [
        ("start", "succeeded"),
        ("if1", "succeeded"),
        ("for-each1", "succeeded"),
        ("transform1", "skipped"),
    ]:
        expect(canvas.locator(f'[data-step="{step}"]')).to_have_attribute(
            "data-status", status, timeout=20_000
        )
    expect(page.get_by_test_id("execution-status")).to_have_text("succeeded")
    expect(_node(page, "for-each1")).to_contain_text("3/3")
    expect(page.locator(".react-flow__edge .fd-edge-skipped")).to_have_count(1)
    page.screenshot(path="/tmp/designer-run-e2e.png", full_page=True)
