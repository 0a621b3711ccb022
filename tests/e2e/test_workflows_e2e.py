"""Workflows in a real browser: build one through the form, run it, watch it live."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect


def _new_page_signed_in(browser: Browser, base_url: str, sign_in, admin: tuple[str, str]) -> Page:
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, *admin)
    expect(page).to_have_url(re.compile(r"/admin/workflows/?$"))
    return page


def _build(page: Page, name: str) -> None:
    page.goto("/admin/workflows/new")
    page.get_by_label("Name").fill(name)
    page.get_by_test_id("add-transform").click()
    second = page.get_by_test_id("action-card").nth(1)
    second.get_by_test_id("action-values_json").fill(
        '{"shout": "{{ steps.step1.output.message | upper }}"}'
    )
    page.get_by_test_id("save-workflow").click()
    expect(page).to_have_url(re.compile(r"/admin/workflows/\d+/?$"))


def test_bad_form_input_shows_every_problem_at_once_under_its_field(admin_page: Page) -> None:
    page = admin_page
    page.goto("/admin/workflows/new")
    page.get_by_label("Concurrency limit").fill("many")  # the form's own checks…
    page.get_by_test_id("action-card").first.get_by_test_id("action-values_json").fill("{oops")
    page.get_by_test_id("wf-trigger-type").get_by_role("combobox").click()
    page.get_by_role("option", name="schedule").click()
    page.locator("#wf-tz").fill("Mars/Olympus")  # …and the service's, in the same save
    page.get_by_test_id("save-workflow").click()
    expect(page.get_by_test_id("error-name")).to_contain_text("Required")
    expect(page.get_by_test_id("error-concurrency_limit")).to_contain_text("whole number")
    expect(page.get_by_test_id("error-action-values_json")).to_contain_text("Not valid JSON")
    expect(page.get_by_test_id("error-trigger-timezone")).to_contain_text("Unknown time zone")
    expect(page.get_by_test_id("error-action")).to_have_count(0)  # nothing left on the card
    expect(page.locator("[data-sonner-toast]")).to_contain_text("4 fields need attention")
    expect(page.get_by_test_id("error-name")).to_be_in_viewport()  # scrolled to the first
    expect(page.locator("#wf-name")).to_be_focused()
    expect(page).to_have_url(re.compile(r"/admin/workflows/new/?$"))

    page.locator("#wf-tz").fill("new york")  # the time zone is found by a part of its name
    page.get_by_test_id("tz-option").filter(has_text="America/New_York").click()
    expect(page.locator("#wf-tz")).to_have_value("America/New_York")
    expect(page.get_by_test_id("error-trigger-timezone")).to_have_count(0)
    expect(page.get_by_test_id("tz-option")).to_have_count(0)


def test_build_run_and_watch_it_live(
    admin_page: Page, browser: Browser, base_url: str, sign_in, admin_ready: tuple[str, str]
) -> None:
    watcher = _new_page_signed_in(browser, base_url, sign_in, admin_ready)
    watcher.goto("/admin/executions")
    status = _new_page_signed_in(browser, base_url, sign_in, admin_ready)
    status.goto("/status")
    expect(status.get_by_test_id("system-status")).to_be_visible()
    runs_before = int(status.get_by_test_id("stat-runs").inner_text())

    page = admin_page
    _build(page, "E2E greeting")
    table = _new_page_signed_in(browser, base_url, sign_in, admin_ready)  # lands on the table
    # Other browser tests share this app: past a page of workflows this one may be on page 2.
    table.get_by_test_id("workflow-search").fill("E2E greeting")
    table_row = table.get_by_test_id("workflow-row").filter(has_text="E2E greeting")
    expect(table_row.get_by_test_id("workflow-runs")).to_have_text("0")
    expect(table_row).to_contain_text("never")
    page.get_by_test_id("detail-run").click()
    page.get_by_test_id("run-payload").fill('{"name": "Ada"}')
    page.get_by_test_id("confirm-run").click()
    expect(page).to_have_url(re.compile(r"/admin/executions/\d+/?$"))
    expect(page.get_by_test_id("detail-steps")).to_have_text("2/2")
    expect(page.get_by_test_id("step-item").nth(1)).to_contain_text("succeeded")
    page.get_by_test_id("step-item").nth(1).click()
    expect(page.get_by_text("HELLO ADA").first).to_be_visible()

    # The other pages changed by push, without a reload.
    row = watcher.get_by_test_id("execution-row").filter(has_text="E2E greeting").first
    expect(row).to_contain_text("succeeded")
    expect(status.get_by_test_id("stat-runs")).to_have_text(str(runs_before + 1))
    expect(status.get_by_text("E2E greeting").first).to_be_visible()
    expect(table_row.get_by_test_id("workflow-runs")).to_have_text("1")
    expect(table_row).to_contain_text("succeeded")
    expect(table_row).to_contain_text("100%")


def test_pause_stops_its_schedule(admin_page: Page) -> None:
    page = admin_page
    page.goto("/admin/workflows/new")
    page.get_by_label("Name").fill("Every second")
    page.get_by_test_id("wf-trigger-type").get_by_role("combobox").click()
    page.get_by_role("option", name="schedule").click()
    page.get_by_role("radio", name="Interval").click()
    page.get_by_label("Every (seconds)").fill("1")
    page.get_by_test_id("save-workflow").click()
    expect(page).to_have_url(re.compile(r"/admin/workflows/\d+/?$"))
    expect(page.get_by_text("Every 1 seconds")).to_be_visible()

    page.goto("/admin/executions")
    runs = page.get_by_test_id("execution-row").filter(has_text="Every second")
    expect(runs.first).to_be_visible(timeout=10_000)

    page.goto("/admin/workflows")
    # Other browser tests share this app: past a page of workflows this one may be on page 2.
    page.get_by_test_id("workflow-search").fill("Every second")
    expect(page.get_by_test_id("workflow-row")).to_have_count(1)  # the filtered list is in
    row = page.get_by_test_id("workflow-row").filter(has_text="Every second")
    row.get_by_role("button", name="More").click()
    page.get_by_role("menuitem", name="Pause").click()
    expect(row).to_contain_text("paused")

    page.goto("/admin/executions")
    expect(runs.first).to_be_visible()
    page.wait_for_timeout(1500)  # a fire already due when pausing may still land
    settled = runs.count()
    page.wait_for_timeout(3000)
    assert runs.count() == settled
