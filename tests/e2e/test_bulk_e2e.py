"""Bulk actions in a real browser: pick workflows, pause them, read the summary; cancel a run."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

NAMES = ["Bulk E2E alpha", "Bulk E2E beta", "Bulk E2E gamma", "Bulk E2E delta"]


def _shot(page: Page, name: str) -> None:
    """A screenshot for a person to look at, when FLOWDECK_SHOTS names a folder."""
    folder = os.environ.get("FLOWDECK_SHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"bulk-{name}.png"), full_page=True)


def _create(api: httpx.Client, name: str, actions: list[dict]) -> int:
    body = {"name": name, "trigger": {"type": "manual"}, "actions": actions}
    response = api.post("/workflows", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _row(page: Page, name: str):
    return page.get_by_test_id("workflow-row").filter(has_text=name)


def test_select_three_workflows_and_pause_them(admin_page: Page, api: httpx.Client) -> None:
    transform = [{"id": "calc", "type": "transform", "config": {"values": {"n": 1}}}]
    for name in NAMES:
        _create(api, name, transform)
    page = admin_page
    page.get_by_test_id("workflow-search").fill("Bulk E2E")
    expect(page.get_by_test_id("workflow-row")).to_have_count(4)

    for name in NAMES[:3]:
        _row(page, name).get_by_test_id("bulk-pick").click()
    expect(page.get_by_test_id("bulk-count")).to_have_text("3 selected")
    _shot(page, "selected")
    page.get_by_test_id("bulk-pause").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("Pause 3 workflows?")
    _shot(page, "confirm")
    page.get_by_test_id("confirm-bulk").click()

    expect(page.get_by_test_id("bulk-headline")).to_have_text("Paused 3 workflows")
    done = page.get_by_test_id("bulk-done")
    expect(done).to_have_count(3)
    for name in NAMES[:3]:
        expect(done.filter(has_text=name)).to_have_count(1)
    _shot(page, "summary")
    page.get_by_test_id("bulk-close").click()
    expect(page.get_by_test_id("bulk-bar")).to_have_count(0)  # the selection is spent
    for name in NAMES[:3]:
        expect(_row(page, name)).to_contain_text("paused")
    expect(_row(page, NAMES[3])).to_contain_text("active")

    # The whole page, again: one is paused now, three say why they were not.
    page.get_by_test_id("bulk-pick-page").click()
    expect(page.get_by_test_id("bulk-count")).to_have_text("4 selected")
    page.get_by_test_id("bulk-pause").click()
    page.get_by_test_id("confirm-bulk").click()
    expect(page.get_by_test_id("bulk-headline")).to_have_text("Paused 1 of 4 workflows")
    failed = page.get_by_test_id("bulk-failed")
    expect(failed).to_have_count(3)
    expect(failed.filter(has_text=NAMES[0])).to_contain_text("is already paused")
    _shot(page, "partial")
    page.get_by_test_id("bulk-close").click()
    expect(_row(page, NAMES[3])).to_contain_text("paused")
    states = [api.get(f"/workflows/{w['id']}").json()["is_active"] for w in _listed(api)]
    assert states == [False] * 4

    # One row, then every workflow the filter matches, exported as one file.
    _row(page, NAMES[1]).get_by_test_id("bulk-pick").click()
    page.get_by_test_id("bulk-select-matching").click()
    expect(page.get_by_test_id("bulk-count")).to_have_text("4 selected")
    page.get_by_test_id("bulk-export").click()
    with page.expect_download() as download:
        page.get_by_test_id("confirm-bulk").click()
    bundle = json.loads(Path(download.value.path()).read_text())
    assert sorted(d["name"] for d in bundle["workflows"]) == sorted(NAMES)
    expect(page.get_by_test_id("bulk-headline")).to_have_text("Exported 4 workflows")


def _listed(api: httpx.Client) -> list[dict]:
    return api.get("/workflows", params={"search": "Bulk E2E"}).json()["items"]


def test_cancel_a_running_execution_from_the_list(admin_page: Page, api: httpx.Client) -> None:
    slow = _create(
        api, "Bulk E2E slow", [{"id": "wait", "type": "delay", "config": {"seconds": 60}}]
    )
    started = api.post(f"/workflows/{slow}/execute")
    assert started.status_code == 202, started.text
    execution_id = started.json()["id"]
    page = admin_page
    page.goto("/admin/executions")
    row = page.locator(f'[data-execution-id="{execution_id}"]')
    expect(row).to_contain_text("running")
    row.get_by_test_id("bulk-pick").click()
    expect(page).to_have_url(re.compile(r"/admin/executions/?$"))  # the row did not open
    expect(page.get_by_test_id("bulk-count")).to_have_text("1 selected")
    page.get_by_test_id("bulk-cancel").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("Cancel 1 execution?")
    page.get_by_test_id("confirm-bulk").click()
    expect(page.get_by_test_id("bulk-headline")).to_have_text("Cancelled 1 execution")
    expect(page.get_by_test_id("bulk-done")).to_contain_text(f"#{execution_id} Bulk E2E slow")
    _shot(page, "executions")
    page.get_by_test_id("bulk-close").click()
    expect(row).to_contain_text("cancelled")
