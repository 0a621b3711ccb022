"""Audit tab reports (#16) in the browser: the admin's charts and tables, a period switch, a
workflow's summary and a person's activity from the trail's filters; a member sees only their
own activity. Shares the app and database with the other e2e files: names are unique and no
count is assumed to start at zero."""

from __future__ import annotations

import re
import subprocess
import uuid
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from bench import appserver
from tests.e2e.conftest import ROOT

LONG = 30_000  # a loaded CI machine: reports over the whole shared database
SHOTS = Path("/tmp/flowdeck-shots")


def _flow(name: str) -> dict:
    return {
        "name": name,
        "trigger": {"type": "manual"},
        "actions": [{"id": "calc", "type": "transform", "config": {"values": {"n": 1}}}],
    }


def _member(app_env: dict[str, str], email: str, password: str) -> None:
    subprocess.run(
        [str(appserver.BIN / "flowdeck"), "create-user", "--email", email, "--role", "member"]
        + ["--password-stdin"],
        input=password + "\n",
        env=app_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )


def test_audit_reports_for_admin_and_member(
    admin_page: Page, api: httpx.Client, app_env: dict[str, str], browser, base_url, sign_in
) -> None:
    tag = uuid.uuid4().hex[:8]
    made = api.post("/workflows", json=_flow(f"Audit report flow {tag}"))
    assert made.status_code == 201, made.text
    wid = made.json()["id"]
    assert api.put(f"/workflows/{wid}", json={"description": "edited"}).status_code == 200
    ran = api.post(f"/workflows/{wid}/execute", json={}, params={"wait": "true", "timeout": 50})
    assert ran.status_code == 200, ran.text  # finished: `runs` counts runs that started
    member = (f"audit-member-{tag}@example.com", f"member-pass-{tag}")
    _member(app_env, *member)

    # A failed sign-in (the form's own endpoint), with an email that is this test's own.
    wrong = {"email": f"nobody-{tag}@example.com", "password": "not-the-password"}
    refused = httpx.post(f"{base_url}/api/auth/login", json=wrong, timeout=60)
    assert refused.status_code == 401, refused.text

    page = admin_page
    page.goto("/admin/audit")
    reports = page.get_by_test_id("audit-reports")
    expect(reports).to_be_visible(timeout=LONG)
    expect(page.get_by_test_id("chart-by-day").locator(".js-plotly-plot")).to_be_visible(
        timeout=LONG
    )
    expect(page.get_by_test_id("chart-by-type").locator(".js-plotly-plot")).to_be_visible()
    expect(
        page.get_by_test_id("most-active-row").filter(has_text="admin@example.com")
    ).to_be_visible()
    expect(page.get_by_test_id("failed-login-row").filter(has_text=f"nobody-{tag}")).to_be_visible(
        timeout=LONG
    )
    expect(page.get_by_test_id("report-total")).to_contain_text("30 days")

    page.get_by_test_id("audit-period").get_by_role("radio", name="7 days").click()
    expect(page.get_by_test_id("report-total")).to_contain_text("7 days", timeout=LONG)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "audit-reports-admin.png"), full_page=True)

    # Filtering the trail to the workflow shows its summary above the events.
    page.get_by_role("combobox", name="Target type").click()
    page.get_by_role("option", name="workflow", exact=True).click()
    page.get_by_test_id("audit-filter-target_id").fill(str(wid))
    summary = page.get_by_test_id("report-workflow")
    expect(summary).to_contain_text(f"Audit report flow {tag}", timeout=LONG)
    expect(page.get_by_test_id("workflow-changes")).to_have_text("2")
    expect(page.get_by_test_id("workflow-runs")).to_have_text("1")
    expect(summary.get_by_test_id("workflow-actor-row")).to_contain_text("admin@example.com")
    expect(summary.get_by_test_id("report-event-row").first).to_contain_text("workflow.updated")
    page.screenshot(path=str(SHOTS / "audit-reports-workflow.png"), full_page=True)

    # A click on a most-active person: the trail and a report of that person.
    page.get_by_test_id("audit-clear").click()
    expect(summary).to_have_count(0, timeout=LONG)
    page.get_by_test_id("most-active-row").filter(has_text="admin@example.com").get_by_role(
        "link"
    ).first.click()
    person = page.get_by_test_id("report-person")
    expect(person).to_contain_text("Activity of admin@example.com", timeout=LONG)
    expect(person.get_by_test_id("person-by-day").locator(".js-plotly-plot")).to_be_visible()
    expect(page.get_by_test_id("audit-filter-actor")).not_to_have_value("")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: charts stack, still there
    page.reload()
    expect(page.get_by_test_id("chart-by-type").locator(".js-plotly-plot")).to_be_visible(
        timeout=LONG
    )
    expect(page.get_by_test_id("report-person")).to_be_visible()
    page.screenshot(path=str(SHOTS / "audit-reports-phone.png"), full_page=True)

    # The member: no system statistics, only their own activity (their sign-in).
    other = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    other.set_default_timeout(15_000)
    mine = other.new_page()
    sign_in(mine, *member)
    mine.goto("/admin/audit")
    own = mine.get_by_test_id("report-person")
    expect(own).to_contain_text("Your activity", timeout=LONG)
    expect(own.get_by_test_id("person-actions")).to_contain_text("auth.login")
    expect(own.get_by_test_id("person-by-day").locator(".js-plotly-plot")).to_be_visible()
    expect(own.get_by_test_id("report-event-row").first).to_contain_text("new device")
    expect(mine.get_by_test_id("report-by-day")).to_have_count(0)
    expect(mine.get_by_test_id("report-failed-logins")).to_have_count(0)
    expect(mine.get_by_test_id("audit-problem")).to_have_count(0)
    mine.screenshot(path=str(SHOTS / "audit-reports-member.png"), full_page=True)
    expect(mine).to_have_url(re.compile(r"/admin/audit/?$"))
    other.close()
