"""The workflow page says what each step does (one line, the config on demand with its
secrets masked) and both the page and the list draw the last runs as a strip of bars that
open their run."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Page, expect

SHOTS = Path("/tmp/flowdeck-shots")
STEPS = [
    {"id": "fetch", "name": "Fetch report", "type": "api_call", "condition": "false",
     "config": {"method": "POST", "url": "https://api.example.com/report?api_key=k3y-VALUE",
                "headers": {"Authorization": "Bearer s3cr3t-VALUE"}, "expected_status": [201]}},
    {"id": "wait", "type": "delay", "config": {"seconds": "{{ trigger.s }}"}},
    {"id": "divide", "type": "transform", "config": {"values": {"q": "{{ 10 / trigger.d }}"}}},
]  # fmt: skip
PAYLOADS = [{"s": 0.05, "d": 1}, {"s": 0.4, "d": 1}, {"s": 0.1, "d": 0}, {"s": 0.2, "d": 2}]


def _seeded(api: httpx.Client, name: str) -> tuple[int, list[dict]]:
    made = api.post("/workflows", json={"name": name, "trigger": {"type": "manual"},
                                         "actions": STEPS})  # fmt: skip
    assert made.status_code == 201, made.text
    workflow_id = made.json()["id"]
    runs = []
    for payload in PAYLOADS:
        ran = api.post(f"/workflows/{workflow_id}/execute", params={"wait": "true", "timeout": 30},
                       json={"payload": payload})  # fmt: skip
        assert ran.status_code in (200, 202), ran.text
        runs.append(ran.json())
    assert [r["status"] for r in runs] == ["succeeded", "succeeded", "failed", "succeeded"]
    return workflow_id, runs


def test_steps_say_what_they_do_and_the_strip_opens_a_run(
    admin_page: Page, api: httpx.Client
) -> None:
    page = admin_page
    workflow_id, runs = _seeded(api, f"Overview {uuid.uuid4().hex[:6]}")
    page.goto(f"/admin/workflows/{workflow_id}")
    lines = page.get_by_test_id("step-summary")
    expect(lines).to_have_text(
        [
            "POST https://api.example.com/report?api_key=[redacted] · expects 201",
            "Waits {{ trigger.s }}",
            "Sets q",
        ]
    )
    config = page.get_by_test_id("step-config").first
    expect(config).not_to_be_visible()
    page.get_by_test_id("step-overview").first.get_by_text("Config", exact=True).click()
    expect(config).to_be_visible()
    expect(config).to_contain_text('"Authorization": "[redacted]"')
    expect(config).not_to_contain_text("s3cr3t")
    expect(config).not_to_contain_text("k3y-VALUE")

    strip = page.get_by_test_id("detail-run-strip")
    expect(strip).to_have_attribute("aria-label", "Last 4 runs: 3 succeeded, 1 failed")
    bars = strip.get_by_test_id("run-bar")
    expect(bars).to_have_count(4)
    failed = runs[2]
    bar = bars.nth(2)  # oldest first: the third run
    expect(bar).to_have_attribute("data-tip", re.compile(rf"^#{failed['id']} · failed · "))
    heights = [b.bounding_box()["height"] for b in bars.locator("div").all()]
    assert heights[1] == max(heights)  # the 0.4 s run is the tallest bar
    SHOTS.mkdir(exist_ok=True)
    bar.hover()
    page.screenshot(path=str(SHOTS / "workflow-overview-light.png"), full_page=True)
    bar.click()
    expect(page).to_have_url(re.compile(rf"/admin/executions/{failed['id']}/?$"))


def test_the_list_draws_each_workflows_strip(
    browser: Browser, base_url: str, api: httpx.Client, sign_in, admin_ready
) -> None:
    name = f"Strip row {uuid.uuid4().hex[:6]}"
    workflow_id, runs = _seeded(api, name)
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900},
                                  color_scheme="dark")  # fmt: skip
    page = context.new_page()
    sign_in(page, *admin_ready)
    page.goto("/admin/workflows")
    page.get_by_test_id("workflow-search").fill(name)
    row = page.get_by_test_id("workflow-row").filter(has_text=name)
    expect(row).to_have_count(1)
    bars = row.get_by_test_id("run-bar")
    expect(bars).to_have_count(4)
    expect(bars.last).to_have_attribute("href", f"/admin/executions/{runs[-1]['id']}")
    expect(row.get_by_test_id("run-strip")).to_have_attribute(
        "aria-label", "Last 4 runs: 3 succeeded, 1 failed"
    )
    page.screenshot(path=str(SHOTS / "workflow-list-strips-dark.png"), full_page=True)
    bars.first.click()
    expect(page).to_have_url(re.compile(rf"/admin/executions/{runs[0]['id']}/?$"))
    context.close()
