"""Analytics in a real browser (#16): a workflow whose `fetch` step calls a loopback API that
answers 500 for three inputs in four is run eight times through the real engine; the Analytics
page shows it among the most failing workflows for every period that holds the runs, a custom
range with no runs shows the empty state and a bad range its error; one click drills from the
workflow's failing step to that step's errors on its Performance tab, one more to an example
failed execution. The app and database are shared with every other browser test: the workflow
has a name of its own and no list is assumed empty.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from playwright.sync_api import Page, expect

SHOTS = Path("/tmp/flowdeck-shots")
RUNS = 8
FAILING = [n for n in range(RUNS) if n % 4 != 0]  # 6 of 8 runs fail at `fetch`
SLOW = 30_000  # charts count rollups on a loaded CI machine


class _Flaky(ThreadingHTTPServer):
    daemon_threads = True


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        n = int(parse_qs(urlparse(self.path).query).get("n", ["0"])[0])
        status = 500 if n in FAILING else 200
        body = json.dumps({"n": n, "ok": status == 200}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def flaky_api() -> Iterator[str]:
    server = _Flaky(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _seed(api: httpx.Client, base: str, name: str) -> tuple[int, list[int]]:
    """The workflow, run RUNS times; its id and the ids of the runs that failed."""
    actions = [
        {"id": "prepare", "type": "transform", "config": {"values": {"n": "{{ trigger.n }}"}}},
        {"id": "fetch", "type": "api_call", "depends_on": ["prepare"],
         "config": {"url": base + "/item", "query": {"n": "{{ trigger.n }}"}, "timeout_s": 10}},
        {"id": "report", "type": "transform", "depends_on": ["fetch"],
         "config": {"values": {"done": True}}},
    ]  # fmt: skip
    made = api.post("/workflows", json={"name": name, "trigger": {"type": "manual"},
                                         "actions": actions})  # fmt: skip
    assert made.status_code == 201, made.text
    workflow_id = made.json()["id"]
    failed = []
    for n in range(RUNS):
        ran = api.post(
            f"/workflows/{workflow_id}/execute",
            params={"wait": "true", "timeout": 30},
            json={"payload": {"n": n}},
        )
        assert ran.status_code in (200, 202), ran.text
        run = ran.json()
        assert run["status"] == ("failed" if n in FAILING else "succeeded"), run
        if n in FAILING:
            failed.append(run["id"])
    return workflow_id, failed


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def _my_row(page: Page, name: str):
    return page.get_by_test_id("most-failing-row").filter(has_text=name)


def test_drill_from_the_most_failing_workflow_to_its_step_and_an_example_run(
    admin_page: Page, api: httpx.Client, flaky_api: str, tmp_path: Path
) -> None:
    page = admin_page
    name = f"E2E analytics {uuid.uuid4().hex[:8]}"
    workflow_id, failed = _seed(api, flaky_api, name)

    page.get_by_test_id("nav-analytics").click()
    expect(page).to_have_url(re.compile(r"/admin/analytics/?$"))
    row = _my_row(page, name)
    expect(row).to_be_visible(timeout=SLOW)
    expect(row).to_contain_text("6")  # failures
    expect(row).to_contain_text("75.0%")
    expect(row.get_by_test_id("drill-step")).to_have_text("fetch")
    expect(page.get_by_test_id("chart-executions")).to_be_visible()
    expect(page.get_by_test_id("ranking-busiest")).to_contain_text(name)
    _shot(page, "analytics-7d.png")

    # every period holding the runs shows them; 24 h is bucketed by hour
    for label in ("24 h", "30 d", "90 d"):
        page.get_by_test_id("analytics-period").get_by_role("radio", name=label).click()
        expect(page.get_by_test_id("analytics-loading")).to_have_count(0, timeout=SLOW)
        expect(_my_row(page, name)).to_be_visible(timeout=SLOW)

    # a table view beside a chart, and its CSV
    page.get_by_test_id("view-executions").get_by_role("radio", name="Table").click()
    expect(page.get_by_test_id("table-executions")).to_be_visible()
    expect(page.get_by_test_id("chart-executions")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_test_id("csv-most_failing").click()
    assert download.value.suggested_filename.endswith("-most_failing-90d.csv")
    csv_text = Path(download.value.path()).read_text(encoding="utf-8")
    assert name in csv_text and "failures" in csv_text.splitlines()[0]

    # a custom range: a bad one is refused next to the fields, one without runs is empty
    page.get_by_test_id("analytics-period").get_by_role("radio", name="Custom").click()
    page.get_by_test_id("analytics-start").fill("2020-01-10")
    page.get_by_test_id("analytics-end").fill("2020-01-01")
    page.get_by_test_id("analytics-apply").click()
    expect(page.get_by_test_id("analytics-range-error")).to_contain_text("before the first day")
    page.get_by_test_id("analytics-end").fill("2020-01-31")
    page.get_by_test_id("analytics-apply").click()
    expect(page.get_by_test_id("analytics-range-error")).to_have_count(0)
    expect(page.get_by_test_id("empty-state")).to_contain_text(
        "No executions in this period", timeout=SLOW
    )
    page.get_by_test_id("analytics-period").get_by_role("radio", name="7 d").click()
    row = _my_row(page, name)
    expect(row).to_be_visible(timeout=SLOW)

    # drill: the failing step → its errors on the workflow's Performance tab
    row.get_by_test_id("drill-step").click()
    expect(page).to_have_url(
        re.compile(rf"/admin/workflows/{workflow_id}\?tab=performance&days=7&step=fetch$")
    )
    expect(page.get_by_test_id("tab-performance")).to_have_attribute("data-state", "active")
    step_errors = page.get_by_test_id("step-errors")
    expect(step_errors).to_contain_text("fetch", timeout=SLOW)
    expect(step_errors).to_contain_text("6 failed of 8 runs", timeout=SLOW)
    expect(step_errors.get_by_test_id("error-group").first).to_contain_text("500")
    fetch_row = page.locator('[data-testid="perf-step"][data-step="fetch"]')
    expect(fetch_row.get_by_test_id("mark-failing")).to_be_visible(timeout=SLOW)
    expect(page.get_by_test_id("perf-errors")).to_contain_text("fetch")
    _shot(page, "performance-fetch.png")

    # … and one of its failed runs
    recent = step_errors.get_by_test_id("recent-failure-link")
    expect(recent).to_have_count(len(failed))
    example = step_errors.get_by_test_id("error-example").first
    target = int(example.inner_text().lstrip("#").strip())
    assert target in failed
    example.click()
    expect(page).to_have_url(re.compile(rf"/admin/executions/{target}/?$"), timeout=SLOW)
    expect(page.get_by_text("failed").first).to_be_visible(timeout=SLOW)


def test_analytics_fits_a_phone_and_the_dark_theme(admin_page: Page) -> None:
    page = admin_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/admin/analytics")
    expect(page.get_by_test_id("analytics-page")).to_be_visible()
    expect(page.get_by_test_id("charts-loading")).to_have_count(0, timeout=SLOW)
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 1, f"the page scrolls sideways by {wide}px on a phone"
    _shot(page, "analytics-phone-light.png")
    page.evaluate("localStorage.setItem('theme', 'dark')")  # what the theme button stores
    page.reload()
    expect(page.locator("html.dark")).to_have_count(1)
    expect(page.get_by_test_id("charts-loading")).to_have_count(0, timeout=SLOW)
    _shot(page, "analytics-phone-dark.png")
