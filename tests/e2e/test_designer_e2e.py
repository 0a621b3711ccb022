"""The designer in Chromium: open a workflow on the canvas, add a step, connect it, save, reload;
undo and redo, multi-select, copy and paste, the shortcuts dialog, the leave guard, a phone.

The workflow is made over REST (an API key from the `flowdeck` CLI); the canvas is then driven
like a person drives it: the Designer link, a click on a node, a palette entry, a drag from the
`if` node's `false` handle onto the new node, a palette entry dragged onto the canvas, Save,
and a reload that shows what was saved. The keyboard is the real one (Playwright's key
presses reach the page as a person's do), and so is the clipboard.
"""

from __future__ import annotations

import json
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


def _designer(page: Page, api: httpx.Client, name: str, steps: list[dict] | None = None) -> int:
    made = api.post(
        "/workflows",
        json={"name": name, "trigger": {"type": "manual"}, "actions": steps or STEPS},
    )
    assert made.status_code == 201, made.text
    workflow_id = made.json()["id"]
    page.goto(f"/admin/workflows/{workflow_id}/designer")
    for step in steps or STEPS:
        expect(_node(page, step["id"])).to_be_visible()
    page.wait_for_timeout(500)  # the first fit settles before anything is measured or dragged
    return workflow_id


def _edge(page: Page, edge_id: str) -> Locator:
    return page.locator(f'.react-flow__edge[data-id="{edge_id}"]')


LONE = [*STEPS, {"id": "other", "type": "delay", "config": {"seconds": 0}, "depends_on": []}]


def test_undo_and_redo_a_connect_and_a_delete(admin_page: Page, api: httpx.Client) -> None:
    page = admin_page
    _designer(page, api, "E2E undo", LONE)
    undo, redo = page.get_by_test_id("designer-undo"), page.get_by_test_id("designer-redo")
    expect(undo).to_be_disabled()
    expect(redo).to_be_disabled()
    expect(page.get_by_test_id("designer-dirty")).to_have_count(0)

    target = page.locator('.react-flow__node[data-id="other"] .react-flow__handle.target')
    _drag(page, page.get_by_test_id("handle-check-false"), target)
    expect(_edge(page, "check:false->other")).to_have_count(1)
    expect(page.get_by_test_id("designer-dirty")).to_be_visible()
    undo.click()
    expect(_edge(page, "check:false->other")).to_have_count(0)
    expect(undo).to_be_disabled()
    expect(page.get_by_test_id("designer-dirty")).to_have_count(0)
    page.keyboard.press("Control+Shift+Z")
    expect(_edge(page, "check:false->other")).to_have_count(1)
    expect(redo).to_be_disabled()

    _node(page, "yes").click()
    page.keyboard.press("Delete")
    expect(_node(page, "yes")).to_have_count(0)
    page.keyboard.press("Control+Z")
    expect(_node(page, "yes")).to_be_visible()
    expect(_edge(page, "check:true->yes")).to_have_count(1)
    page.keyboard.press("Control+Y")
    expect(_node(page, "yes")).to_have_count(0)
    redo_gone = page.get_by_test_id("designer-redo")
    expect(redo_gone).to_be_disabled()
    undo.click()
    undo.click()
    expect(_node(page, "yes")).to_be_visible()
    expect(_edge(page, "check:false->other")).to_have_count(0)


def test_a_typed_field_is_one_undo_and_keys_in_it_stay_its_own(
    admin_page: Page, api: httpx.Client
) -> None:
    page = admin_page
    _designer(page, api, "E2E panel undo")
    _node(page, "fetch").click()
    name = page.get_by_test_id("designer-panel").get_by_placeholder("Fetch the article")
    name.fill("Load order")
    name.press("Control+A")  # the field's own select-all, not the canvas's
    expect(page.get_by_test_id("designer-panel")).to_be_visible()
    expect(_node(page, "fetch")).to_contain_text("Load order")
    page.get_by_test_id("designer-undo").click()  # the field loses focus: one entry
    expect(_node(page, "fetch")).to_contain_text("Fetch order")
    expect(name).to_have_value("Fetch order")
    page.get_by_test_id("designer-redo").click()
    expect(name).to_have_value("Load order")


def test_multi_select_copy_and_paste_two_connected_steps(
    admin_page: Page, api: httpx.Client, tmp_path: Path
) -> None:
    page = admin_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    _designer(page, api, "E2E paste")
    _node(page, "check").click()
    _node(page, "yes").click(modifiers=["Shift"])
    expect(page.get_by_test_id("designer-selection-note")).to_contain_text("2 steps selected")
    expect(page.get_by_test_id("designer-panel")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "designer-two-selected.png"))
    page.keyboard.press("Control+C")
    expect(page.get_by_text("Copied 2 steps")).to_be_visible()
    page.keyboard.press("Control+V")
    expect(_node(page, "check1")).to_be_visible()
    expect(_node(page, "yes1")).to_be_visible()
    expect(_edge(page, "check1:true->yes1")).to_have_count(1)  # the edge inside the copy
    expect(_edge(page, "fetch->check1")).to_have_count(0)  # the one from outside is dropped
    expect(page.get_by_test_id("designer-selection-note")).to_contain_text("2 steps selected")
    page.keyboard.press("Delete")  # the pasted pair is selected: both go
    expect(_node(page, "check1")).to_have_count(0)
    expect(_node(page, "yes1")).to_have_count(0)

    # the system clipboard holds the copy: another tab (its own server state) pastes it
    copied = json.loads(page.evaluate("navigator.clipboard.readText()"))
    assert [s["id"] for s in copied["steps"]] == ["check", "yes"]
    other = page.context.new_page()
    _designer(other, api, "E2E paste target", [STEPS[0]])
    other.locator(".react-flow__pane").click()
    other.keyboard.press("Control+V")
    expect(_node(other, "check1")).to_be_visible()
    expect(_edge(other, "check1:true->yes1")).to_have_count(1)
    other.close()


def test_shortcuts_dialog_and_keys_left_to_fields(
    admin_page: Page, api: httpx.Client, tmp_path: Path
) -> None:
    page = admin_page
    _designer(page, api, "E2E shortcuts")
    page.locator(".react-flow__pane").click()
    page.keyboard.press("?")
    dialog = page.get_by_test_id("shortcuts-dialog")
    expect(dialog).to_be_visible()
    for keys in ("Ctrl/⌘ + Z", "Ctrl/⌘ + Shift + Z, Ctrl + Y", "Ctrl/⌘ + V", "Shift + drag"):
        expect(dialog.get_by_text(keys, exact=True)).to_be_visible()
    page.screenshot(path=str(tmp_path / "designer-shortcuts.png"))
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    page.get_by_test_id("designer-shortcuts").click()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")

    _node(page, "fetch").click()
    name = page.get_by_test_id("designer-panel").get_by_placeholder("Fetch the article")
    name.fill("Why?")  # "?" typed in a field is a question mark
    expect(dialog).to_have_count(0)
    expect(name).to_have_value("Why?")
    name.press("Delete")  # and Delete deletes text, not the step
    expect(_node(page, "fetch")).to_be_visible()

    page.locator(".react-flow__pane").click()
    expect(page.get_by_test_id("designer-panel")).to_have_count(0)  # and the field with it
    page.keyboard.press("Control+A")
    expect(page.get_by_test_id("designer-selection-note")).to_contain_text("3 steps selected")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("designer-selection-note")).to_have_count(0)


def test_leaving_with_unsaved_changes_asks_first(admin_page: Page, api: httpx.Client) -> None:
    page = admin_page
    workflow_id = _designer(page, api, "E2E guard")
    page.get_by_test_id("designer-form").click()  # nothing changed: no question
    expect(page).to_have_url(re.compile(rf"/admin/workflows/{workflow_id}/edit/?$"))
    page.goto(f"/admin/workflows/{workflow_id}/designer")
    expect(_node(page, "fetch")).to_be_visible()

    page.get_by_test_id("designer-tidy").click()
    expect(page.get_by_test_id("designer-dirty")).to_be_visible()
    asked: list[str] = []

    def answer(dialog, accept: bool) -> None:
        asked.append(dialog.type)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    page.get_by_test_id("designer-form").click()
    page.wait_for_timeout(300)
    assert asked == ["confirm"]
    expect(page).to_have_url(re.compile(rf"/admin/workflows/{workflow_id}/designer/?$"))
    page.once("dialog", lambda d: answer(d, False))
    page.get_by_test_id("nav-executions").click()  # the sidebar too
    page.wait_for_timeout(300)
    assert asked == ["confirm", "confirm"]
    expect(page).to_have_url(re.compile(rf"/admin/workflows/{workflow_id}/designer/?$"))

    page.once("dialog", lambda d: answer(d, False))  # a reload or close asks the browser's way
    page.close(run_before_unload=True)
    for _ in range(100):  # the browser's question comes asynchronously
        if len(asked) == 3:
            break
        page.wait_for_timeout(100)
    assert asked[-1] == "beforeunload" and not page.is_closed()

    page.get_by_test_id("designer-save").click()
    expect(page.get_by_test_id("designer-dirty")).to_have_count(0)
    page.get_by_test_id("designer-back").click()  # saved: leaves without asking
    expect(page).to_have_url(re.compile(rf"/admin/workflows/{workflow_id}/?$"))
    assert len(asked) == 3


def test_a_phone_reads_the_canvas(admin_page: Page, api: httpx.Client, tmp_path: Path) -> None:
    page = admin_page
    page.set_viewport_size({"width": 390, "height": 844})
    _designer(page, api, "E2E phone")
    expect(page.get_by_test_id("designer-phone-note")).to_contain_text("wider screen")
    expect(page.get_by_test_id("palette")).to_be_hidden()
    expect(page.get_by_test_id("designer-save")).to_be_hidden()
    expect(page.locator(".react-flow__node.draggable")).to_have_count(0)
    page.get_by_role("button", name="Fit View").click()
    _node(page, "check").click()
    expect(page.get_by_test_id("designer-panel")).to_be_hidden()
    page.keyboard.press("Delete")  # read-only: nothing is deleted
    expect(_node(page, "check")).to_be_visible()
    page.screenshot(path=str(tmp_path / "designer-phone.png"))

    page.set_viewport_size({"width": 1280, "height": 800})  # wide again: editing is back
    expect(page.get_by_test_id("palette")).to_be_visible()
    expect(page.locator(".react-flow__node.draggable")).to_have_count(3)
    page.screenshot(path=str(tmp_path / "designer-desktop.png"))


def _box(locator: Locator) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box
    return round(box["x"]), round(box["y"])


def test_box_select_drag_together_and_the_panels_trash(admin_page: Page, api: httpx.Client) -> None:
    page = admin_page
    _designer(page, api, "E2E box select")
    pane = page.locator(".react-flow__pane").bounding_box()
    first, last = _node(page, "fetch").bounding_box(), _node(page, "check").bounding_box()
    assert pane and first and last
    page.keyboard.down("Shift")  # Shift + drag on the empty canvas draws a box
    page.mouse.move(first["x"] - 12, first["y"] - 12)
    page.mouse.down()
    page.mouse.move(last["x"] + last["width"] + 12, last["y"] + last["height"] + 12, steps=10)
    page.mouse.up()
    page.keyboard.up("Shift")
    expect(page.get_by_test_id("designer-selection-note")).to_contain_text("2 steps selected")

    before = {step: _box(_node(page, step)) for step in ("fetch", "check", "yes")}
    _drag_by(page, _node(page, "fetch"), 90, 0)  # one drag moves the whole selection
    page.wait_for_timeout(500)
    moved = {step: _box(_node(page, step)) for step in ("fetch", "check", "yes")}
    assert moved["fetch"][0] > before["fetch"][0] + 40
    assert moved["check"][0] > before["check"][0] + 40 and moved["yes"] == before["yes"]
    page.keyboard.press("Control+Z")  # and one undo puts both back
    expect(page.get_by_test_id("designer-undo")).to_be_disabled()
    page.wait_for_timeout(300)
    assert {step: _box(_node(page, step)) for step in ("fetch", "check")} == {
        "fetch": before["fetch"],
        "check": before["check"],
    }

    _node(page, "check").click()
    page.get_by_test_id("designer-panel").get_by_label("Remove step").click()
    expect(_node(page, "check")).to_have_count(0)
    page.wait_for_timeout(300)
    assert _box(_node(page, "fetch")) == before["fetch"]  # the others stay where they were
    assert _box(_node(page, "yes")) == before["yes"]
    page.get_by_test_id("designer-undo").click()
    expect(_node(page, "check")).to_be_visible()
    expect(_edge(page, "check:true->yes")).to_have_count(1)


def _drag_by(page: Page, node: Locator, dx: float, dy: float) -> None:
    box = node.bounding_box()
    assert box
    x, y = box["x"] + box["width"] / 2, box["y"] + 20
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y + dy, steps=10)
    page.mouse.up()


def test_arrow_keys_move_a_node_and_the_move_is_kept(admin_page: Page, api: httpx.Client) -> None:
    page = admin_page
    workflow_id = _designer(page, api, "E2E arrows")
    start = _offset(page, "yes", "fetch")  # where it sits, whatever the view's pan
    _node(page, "yes").click()  # selects and focuses it
    expect(page.get_by_test_id("designer-undo")).to_be_disabled()
    for _ in range(4):
        page.keyboard.press("Shift+ArrowRight")  # 20 px each (at 100% zoom)
    expect(page.get_by_test_id("designer-undo")).to_be_enabled()  # the server has the move
    page.wait_for_timeout(300)
    assert _offset(page, "yes", "fetch")[0] > start[0] + 40
    page.get_by_test_id("designer-save").click()
    expect(page.get_by_test_id("designer-dirty")).to_have_count(0)
    stored = api.get(f"/workflows/{workflow_id}").json()["actions"]
    assert stored[2]["ui"]["x"] > 24 + 3 * 20  # the laid-out column (x 24) + all four presses
    page.keyboard.press("Control+Z")
    expect(page.get_by_test_id("designer-dirty")).to_be_visible()
    page.wait_for_timeout(300)
    assert _offset(page, "yes", "fetch") == start


def _offset(page: Page, step: str, other: str) -> tuple[float, float]:
    (x, y), (ox, oy) = _box(_node(page, step)), _box(_node(page, other))
    return x - ox, y - oy
