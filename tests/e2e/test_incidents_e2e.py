"""Incident response in a real browser: a workflow built in the form (open an incident, then
escalate it with a note) is run, the incident shows on the Incidents tab with its timeline,
and a person resolves it there."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.form_steps import choose


def test_an_incident_response_workflow_opens_an_incident_seen_on_the_tab(
    admin_page: Page, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("FLOWDECK_SHOTS") or tmp_path)
    page = admin_page
    page.goto("/admin/workflows/new")
    page.get_by_label("Name").fill("Incident response")
    page.get_by_test_id("add-operations-step").click()
    page.get_by_test_id("add-incident_create").click()
    opener = page.get_by_test_id("action-card").nth(1)
    opener.get_by_test_id("action-id").fill("open")
    opener.get_by_test_id("action-incident_title").fill("{{ trigger.service }} is down")
    opener.get_by_test_id("action-incident_assignee").fill("ana@example.com")
    opener.get_by_test_id("action-incident_description").fill("Health check failed 3 times")
    choose(page, opener.get_by_test_id("field-incident_severity"), "medium")

    page.get_by_test_id("add-operations-step").click()
    page.get_by_test_id("add-incident_escalate").click()
    pager = page.get_by_test_id("action-card").nth(2)
    pager.get_by_test_id("action-id").fill("page")
    pager.get_by_test_id("action-incident_ref").fill("{{ steps.open.output.id }}")
    pager.get_by_test_id("action-incident_note").fill("paged the on-call")
    opener.screenshot(path=str(shots / "incident-step-card.png"))
    page.get_by_test_id("save-workflow").click()
    expect(page).to_have_url(re.compile(r"/admin/workflows/\d+/?$"))

    page.get_by_test_id("detail-run").click()
    page.get_by_test_id("run-payload").fill('{"service": "checkout"}')
    page.get_by_test_id("confirm-run").click()
    expect(page).to_have_url(re.compile(r"/admin/executions/\d+/?$"))
    expect(page.get_by_test_id("detail-steps")).to_have_text("3/3", timeout=30_000)
    run_id = page.url.rstrip("/").rsplit("/", 1)[-1]

    page.get_by_role("link", name="Incidents").first.click()
    expect(page).to_have_url(re.compile(r"/admin/incidents/?$"))
    row = page.get_by_test_id("incident-row").filter(has_text="checkout is down")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("incident-severity")).to_have_text("high")
    expect(row.get_by_test_id("incident-status")).to_have_text("open")
    expect(row).to_contain_text(f"run #{run_id}")
    expect(row).to_contain_text("ana@example.com")
    page.screenshot(path=str(shots / "incidents-list.png"), full_page=True)

    row.get_by_test_id("incident-title").click()
    expect(page).to_have_url(re.compile(r"/admin/incidents/\d+/?$"))
    expect(page.get_by_test_id("incident-heading")).to_contain_text("checkout is down")
    texts = page.get_by_test_id("timeline-text")
    opened = "opened (medium), assigned to ana@example.com"
    expect(texts).to_have_text(["severity medium → high: paged the on-call", opened])
    expect(page).to_have_title(re.compile(r"^#\d+ · checkout is down · Flowdeck$"))

    page.locator("#incident-note").fill("restarted the checkout pods")
    page.get_by_test_id("incident-resolve").click()
    expect(page.get_by_test_id("incident-status").first).to_have_text("resolved")
    expect(texts.first).to_have_text("status open → resolved: restarted the checkout pods")
    expect(page.get_by_test_id("incident-reopen")).to_be_visible()
    page.screenshot(path=str(shots / "incident-detail.png"), full_page=True)

    page.goto("/admin/incidents")
    expect(page.get_by_test_id("incident-row").filter(has_text="checkout is down")).to_have_count(0)
    choose(page, page.locator("body"), "Resolved")
    expect(page.get_by_test_id("incident-row").filter(has_text="checkout is down")).to_have_count(1)
