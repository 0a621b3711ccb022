"""Retention (#16) in the browser: a workflow's own keep_last set in its form; the Data page's
sizes and rows; a bad setting shown under its field; good settings saved; the preview; a prune
by hand behind a confirmation, its toast and the counts dropping; a phone and the dark theme.

Shares the app and database with the other e2e files: the global setting saved here (step
data kept 3650 days) removes nothing of theirs, and is set back to blank at the end; only this
test's workflow keeps just its newest run."""

from __future__ import annotations

import re
import subprocess
import uuid
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from bench import appserver
from tests.e2e.conftest import ROOT

LONG = 30_000
SHOTS = Path("/tmp/flowdeck-shots")


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def _rows(page: Page, table: str) -> int:
    return int(page.get_by_test_id(f"rows-{table}").inner_text().replace(",", ""))


def test_retention_page_and_workflow_form(admin_page: Page, api: httpx.Client, base_url) -> None:
    tag = uuid.uuid4().hex[:8]
    name = f"Retention flow {tag}"
    made = api.post(
        "/workflows",
        json={
            "name": name,
            "trigger": {"type": "manual"},
            "actions": [{"id": "calc", "type": "transform", "config": {"values": {"n": 1}}}],
        },
    )
    assert made.status_code == 201, made.text
    wid = made.json()["id"]
    for _ in range(3):
        ran = api.post(f"/workflows/{wid}/execute", json={}, params={"wait": "true", "timeout": 50})
        assert ran.status_code == 200, ran.text
    page = admin_page

    # The workflow's own keep_last, in its form's History retention section.
    page.goto(f"/admin/workflows/{wid}/edit")
    section = page.get_by_test_id("retention-section")
    expect(section).to_be_visible(timeout=LONG)
    section.get_by_role("button", name="History retention").click()
    keep_last = page.get_by_test_id("wf-keep_last")
    expect(keep_last).to_be_visible()
    expect(keep_last).to_have_attribute("placeholder", re.compile("Global"))
    keep_last.fill("0")
    page.get_by_test_id("save-workflow").click()
    expect(page.get_by_test_id("error-keep_last")).to_contain_text("between 1", timeout=LONG)
    section.scroll_into_view_if_needed()
    _shot(page, "retention-workflow-form.png")
    keep_last.fill("1")
    page.get_by_test_id("save-workflow").click()
    expect(page).to_have_url(re.compile(rf"/admin/workflows/{wid}/?$"), timeout=LONG)
    saved = api.get(f"/workflows/{wid}").json()
    assert saved["keep_last"] == 1 and saved["keep_days"] is None, saved

    # The Data tab: sizes and rows.
    page.goto("/admin/workflows")
    page.get_by_test_id("nav-data").click()
    expect(page).to_have_url(re.compile(r"/admin/data/?$"), timeout=LONG)
    expect(page.get_by_test_id("db-total")).to_contain_text(re.compile(r"\d"), timeout=LONG)
    expect(page.get_by_test_id("db-file")).to_contain_text(re.compile(r"\d"))
    expect(page.get_by_test_id("space-status")).to_be_visible()
    expect(page.get_by_test_id("rows-execution")).to_be_visible()
    before = _rows(page, "execution")
    assert before >= 3

    # A bad value: the problem under its field, nothing saved; then good settings.
    page.get_by_test_id("setting-keep_days").fill("abc")
    page.get_by_test_id("setting-keep_data_days").fill("99999")
    page.get_by_test_id("save-retention").click()
    expect(page.get_by_test_id("error-keep_days")).to_contain_text("whole number", timeout=LONG)
    expect(page.get_by_test_id("error-keep_data_days")).to_contain_text("between 1")
    _shot(page, "retention-errors.png")
    page.get_by_test_id("setting-keep_days").fill("")
    expect(page.get_by_test_id("error-keep_days")).to_have_count(0)
    page.get_by_test_id("setting-keep_data_days").fill("3650")
    page.get_by_test_id("save-retention").click()
    expect(page.get_by_text("Retention settings saved")).to_be_visible(timeout=LONG)
    expect(page.get_by_test_id("error-keep_data_days")).to_have_count(0)
    setting = httpx.get(f"{base_url}/api/retention", headers=api.headers, timeout=60).json()
    assert setting["keep_days"] is None and setting["keep_data_days"] == 3650

    # The preview: this workflow's two older runs go (it keeps its newest one).
    row = page.get_by_test_id("preview-row").filter(has_text=name)
    expect(row).to_contain_text("2", timeout=LONG)
    expect(row).to_contain_text("keeps last 1")
    _shot(page, "retention-light.png")

    # Prune now: confirm, a toast, the preview row gone and fewer execution rows.
    page.get_by_test_id("prune-now").click()
    page.get_by_test_id("confirm-prune").click()
    expect(page.get_by_text(re.compile(r"Pruned \d+ execution"))).to_be_visible(timeout=LONG)
    expect(row).to_have_count(0, timeout=LONG)
    expect(page.get_by_test_id("last-prune-text")).to_contain_text("Removed", timeout=LONG)
    assert _rows(page, "execution") < before
    left = httpx.get(f"{base_url}/api/retention/preview", headers=api.headers, timeout=60)
    assert wid not in [w["workflow_id"] for w in left.json()["by_workflow"]], left.text

    # A phone and the dark theme: no sideways scroll.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.get_by_test_id("rows-execution")).to_be_visible(timeout=LONG)
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 1, f"the page scrolls sideways by {wide}px on a phone"
    _shot(page, "retention-phone.png")
    page.evaluate("localStorage.setItem('theme', 'dark')")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    expect(page.locator("html.dark")).to_have_count(1)
    expect(page.get_by_test_id("rows-execution")).to_be_visible(timeout=LONG)
    _shot(page, "retention-dark.png")
    page.evaluate("localStorage.setItem('theme', 'light')")

    blank = {"keep_days": None, "keep_last": None, "keep_data_days": None}
    reset = httpx.put(f"{base_url}/api/retention", json=blank, headers=api.headers, timeout=60)
    assert reset.status_code == 200, reset.text


def test_members_get_no_data_tab(page: Page, api: httpx.Client, sign_in, app_env) -> None:
    """A member signs in: no Data tab, and the page sends them home."""
    email, password = f"data-member-{uuid.uuid4().hex[:8]}@example.com", "member-password-1"
    subprocess.run(
        [str(appserver.BIN / "flowdeck"), "create-user", "--email", email, "--role", "member"]
        + ["--password-stdin"],
        input=password + "\n", env=app_env, cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    sign_in(page, email, password)
    expect(page).to_have_url(re.compile(r"/admin/workflows/?$"), timeout=LONG)
    expect(page.get_by_test_id("nav-audit")).to_be_visible()
    expect(page.get_by_test_id("nav-data")).to_have_count(0)
    page.goto("/admin/data")
    expect(page).to_have_url(re.compile(r"/admin/workflows/?$"), timeout=LONG)
