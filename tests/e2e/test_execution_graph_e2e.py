"""The execution page of a graph run: canvas nodes by status, overlapping bars, pause and resume,
and the same canvas read on a phone.

Workflows are made and run over REST (an API key from the `flowdeck` CLI, as an operator
would); the page is then read and driven in Chromium like a person does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Locator, Page, expect

ROOT = Path(__file__).resolve().parents[2]
TWO_BRANCHES = [
    {"id": "check", "name": "Big order?", "type": "if", "config": {"condition": "trigger.n > 1"}},
    {
        "id": "left",
        "name": "Reserve stock",
        "type": "delay",
        "config": {"seconds": 0.6},
        "depends_on": ["check:true"],
    },
    {
        "id": "right",
        "name": "Score risk",
        "type": "delay",
        "config": {"seconds": 0.6},
        "depends_on": ["check:true"],
    },
    {
        "id": "small",
        "name": "Quick ship",
        "type": "transform",
        "config": {"values": {"a": 1}},
        "depends_on": ["check:false"],
    },
    {
        "id": "join",
        "name": "Join",
        "type": "transform",
        "config": {"values": {"ok": True}},
        "depends_on": ["left", "right", "small"],
        "trigger_rule": "none_failed",
    },
]
PAUSABLE = [
    {"id": "slow", "name": "Slow step", "type": "delay", "config": {"seconds": 3}},
    {"id": "after", "name": "After", "type": "transform", "config": {"values": {"a": 1}}},
]


def _run(api: httpx.Client, name: str, steps: list[dict], payload: dict, wait: bool) -> int:
    made = api.post(
        "/workflows", json={"name": name, "trigger": {"type": "manual"}, "actions": steps}
    )
    assert made.status_code == 201, made.text
    ran = api.post(
        f"/workflows/{made.json()['id']}/execute",
        params={"wait": str(wait).lower(), "timeout": 30},
        json={"payload": payload},
    )
    assert ran.status_code in (200, 202), ran.text
    return ran.json()["id"]


def _span(page: Page, step: str) -> tuple[float, float]:
    bar = page.locator(f'[data-testid="timeline-bar"][data-step="{step}"]')
    left = float(bar.get_attribute("data-left").rstrip("%"))
    return left, left + float(bar.get_attribute("data-width").rstrip("%"))


def _node(page: Page, step: str) -> Locator:
    return page.locator(f'[data-testid="canvas-node"][data-step="{step}"]')


def test_a_two_branch_run_on_the_canvas_and_a_timeline(admin_page: Page, api: httpx.Client) -> None:
    page = admin_page
    execution_id = _run(api, "E2E two branches", TWO_BRANCHES, {"n": 5}, wait=True)
    page.goto(f"/admin/executions/{execution_id}")
    expect(page.get_by_test_id("execution-status")).to_have_text("succeeded")

    def node(step: str) -> Locator:
        return _node(page, step)

    for step, status in [
        ("check", "succeeded"),
        ("left", "succeeded"),
        ("right", "succeeded"),
        ("small", "skipped"),
        ("join", "succeeded"),
    ]:
        expect(node(step)).to_have_attribute("data-status", status)
    expect(node("small")).to_contain_text("Quick ship")
    expect(node("small")).to_contain_text('branch "false"')  # the note: why it was skipped
    labels = page.locator(".react-flow__edge-text")
    expect(labels).to_have_count(3)  # true, true, false
    expect(labels.filter(has_text="false")).to_have_count(1)
    # Not taken: into the skipped step, and from it into the join; both dashed. (A run's edge
    # draws itself from the run map: its state's class is on the group inside React Flow's.)
    skipped = page.locator(".react-flow__edge .fd-edge-skipped")
    expect(skipped).to_have_count(2)
    dash = skipped.first.locator("path.react-flow__edge-path")
    expect(dash).to_have_attribute("style", re.compile(r"stroke-dasharray: 6(px)?,? 4"))
    expect(page.locator(".react-flow__edge .fd-edge-done")).to_have_count(4)
    done = page.locator(".react-flow__edge .fd-edge-done path.react-flow__edge-path").first
    expect(done).to_have_attribute("marker-end", "url('#fd-arrow-green-9')")
    expect(page.locator("marker#fd-arrow-green-9")).to_have_count(1)

    expect(page.get_by_test_id("timeline-bar")).to_have_count(4)  # the skipped step has none
    (l0, l1), (r0, r1) = _span(page, "left"), _span(page, "right")
    assert l0 < r1 and r0 < l1, "the two branches ran at the same time"
    assert _span(page, "join")[0] >= max(l1, r1) - 1, "the join started after both branches"

    node("left").click()  # a node shows its step beside the canvas
    panel = page.get_by_test_id("step-panel")
    expect(panel).to_contain_text("Reserve stock")
    expect(panel).to_contain_text('"waited_s": 0.6')
    expect(panel.get_by_role("table")).to_contain_text("Attempt")
    page.screenshot(path="/tmp/execution-graph-e2e.png", full_page=True)
    page.locator(".react-flow__pane").click(position={"x": 5, "y": 5})  # the empty canvas
    expect(panel).to_have_count(0)


def test_pause_a_running_execution_then_resume_it(admin_page: Page, api: httpx.Client) -> None:
    page = admin_page
    execution_id = _run(api, "E2E pause", PAUSABLE, {}, wait=False)
    page.goto(f"/admin/executions/{execution_id}")
    status = page.get_by_test_id("execution-status")
    expect(status).to_have_text("running")
    expect(page.get_by_test_id("resume-execution")).to_have_count(0)
    page.get_by_test_id("pause-execution").click()
    # The running step finishes; no new step starts; then the run is paused.
    expect(page.get_by_test_id("execution-pausing")).to_be_visible()
    expect(status).to_have_text("paused", timeout=20_000)
    expect(page.get_by_test_id("execution-pausing")).to_have_count(0)
    after = _node(page, "after")
    expect(after).to_have_attribute("data-status", "pending")
    expect(page.get_by_test_id("pause-execution")).to_have_count(0)

    page.get_by_test_id("resume-execution").click()
    expect(status).to_have_text("succeeded", timeout=20_000)
    expect(after).to_have_attribute("data-status", "succeeded")


OVERFLOW = """() => [...document.querySelectorAll('body *')]
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
  .filter((el) => !el.closest('.react-flow'))
  .slice(0, 8).map((el) => `${el.tagName}.${el.className}`.slice(0, 120))"""


def test_a_phone_reads_the_run_on_the_canvas(
    browser: Browser,
    base_url: str,
    admin_ready: tuple[str, str],
    api: httpx.Client,
    sign_in: Callable[[Page, str, str], None],
) -> None:
    execution_id = _run(api, "E2E phone", TWO_BRANCHES, {"n": 5}, wait=True)
    context = browser.new_context(base_url=base_url, has_touch=True)
    page = context.new_page()
    try:
        sign_in(page, *admin_ready)  # the sign-in form's answer is checked on a wide page
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"/admin/executions/{execution_id}")
        expect(_node(page, "join")).to_have_attribute("data-status", "succeeded")
        canvas = page.get_by_test_id("execution-canvas")
        canvas.scroll_into_view_if_needed()
        page.wait_for_timeout(500)  # the first fit
        box = canvas.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert box["height"] >= 400, "tall enough to read a few steps at once"
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 390, f"the page scrolls sideways ({wide}px): {page.evaluate(OVERFLOW)}"
        expect(page.locator(".react-flow__minimap")).to_be_hidden()
        node = _node(page, "check").bounding_box()
        assert node and node["width"] >= 0.6 * 220, f"nodes drawn too small to read: {node}"
        page.screenshot(path="/tmp/execution-phone-e2e.png")
        _node(page, "check").click()
        panel = page.get_by_test_id("step-panel")
        expect(panel).to_contain_text("Big order?")
        panel_box = panel.bounding_box()
        assert panel_box and panel_box["x"] + panel_box["width"] <= 390
        panel.get_by_test_id("step-panel-close").click()
        expect(panel).to_have_count(0)
    finally:
        context.close()
