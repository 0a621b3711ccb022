"""A run and its retry link both ways (detail: 'Retry of #n' / 'Retried as #m'), the list
marks a retry's row 'retry of #n' and the steps it reused, and the list's filters live in
the address (shared and reloaded). Made over REST, read and driven in Chromium."""

from __future__ import annotations

import re
import time

import httpx
from playwright.sync_api import Page, expect

FAILING = {
    "name": "E2E retried run",
    "trigger": {"type": "manual"},
    "actions": [
        {"id": "make", "type": "transform", "config": {"values": {"n": 1}}},  # reused by a retry
        {"id": "divide", "type": "transform", "config": {"values": {"q": "{{ 1 / 0 }}"}}},
    ],
}


def _finished(api: httpx.Client, execution_id: int) -> dict:
    for _ in range(300):
        got = api.get(f"/executions/{execution_id}")
        assert got.status_code == 200, got.text
        if got.json()["status"] in ("failed", "succeeded", "cancelled"):
            return got.json()
        time.sleep(0.1)
    raise AssertionError(f"execution {execution_id} did not finish")


def test_a_run_and_its_retry_link_both_ways_and_filters_live_in_the_url(
    admin_page: Page, api: httpx.Client
) -> None:
    made = api.post("/workflows", json=FAILING)
    assert made.status_code == 201, made.text
    wid = made.json()["id"]
    ran = api.post(f"/workflows/{wid}/execute", json={}, params={"wait": "true"})
    assert ran.status_code in (200, 201, 202), ran.text
    first = _finished(api, ran.json()["id"])["id"]
    retried = api.post(f"/executions/{first}/retry")
    assert retried.status_code == 202, retried.text
    second = retried.json()["id"]
    assert _finished(api, second)["retry_of"] == first
    assert [r["id"] for r in api.get(f"/executions/{first}").json()["retries"]] == [second]

    page = admin_page
    page.goto(f"/admin/executions/{second}")
    back = page.get_by_test_id("execution-retry-of")
    expect(back).to_have_text(f"#{first}")
    expect(page.get_by_test_id("execution-retried-as")).to_have_count(0)
    back.click()
    expect(page).to_have_url(re.compile(rf"/admin/executions/{first}/?$"))
    ahead = page.get_by_test_id("execution-retried-as")
    expect(ahead).to_have_text(f"#{second}")
    expect(page.get_by_test_id("execution-retry-of")).to_have_count(0)
    ahead.click()
    expect(page).to_have_url(re.compile(rf"/admin/executions/{second}/?$"))
    expect(page.get_by_test_id("execution-retry-of")).to_have_text(f"#{first}")
    page.screenshot(path="/tmp/execution_links_detail.png", full_page=True)

    # The list, filtered by the address (shared link): only this workflow's two runs.
    page.goto(f"/admin/executions?workflow={wid}")
    rows = page.get_by_test_id("execution-row")
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("clear-filters")).to_be_visible()
    retry_row = page.locator(f'[data-execution-id="{second}"]')
    expect(retry_row.get_by_test_id("execution-retry-of")).to_have_text(f"retry of #{first}")
    expect(retry_row.get_by_test_id("execution-reused")).to_have_text("1 reused")
    first_row = page.locator(f'[data-execution-id="{first}"]')
    expect(first_row.get_by_test_id("execution-retry-of")).to_have_count(0)
    expect(first_row.get_by_test_id("execution-reused")).to_have_count(0)
    page.screenshot(path="/tmp/execution_links_list.png", full_page=True)

    # A filter chosen on the page is written to the address, and a reload keeps it.
    page.get_by_role("combobox", name="Filter by status").click()
    page.get_by_role("option", name="succeeded", exact=True).click()
    expect(page).to_have_url(re.compile(rf"\?workflow={wid}&status=succeeded$"))
    expect(rows).to_have_count(0)
    page.reload()
    expect(page.get_by_role("combobox", name="Filter by status")).to_have_text("succeeded")
    expect(rows).to_have_count(0)
    page.get_by_test_id("clear-filters").click()
    expect(page).to_have_url(re.compile(r"/admin/executions/?$"))

    # The retry's "retry of #n" in the list opens the run it retried.
    page.goto(f"/admin/executions?workflow={wid}&status=failed")
    expect(rows).to_have_count(2)
    page.locator(f'[data-execution-id="{second}"]').get_by_test_id("execution-retry-of").click()
    expect(page).to_have_url(re.compile(rf"/admin/executions/{first}/?$"))
    # Back returns to the filtered view.
    page.go_back()
    expect(page).to_have_url(re.compile(rf"\?workflow={wid}&status=failed$"))
    expect(rows).to_have_count(2)
    expect(page.get_by_role("combobox", name="Filter by status")).to_have_text("failed")
