"""An incident-response workflow built in the browser from an alert trigger: a watched workflow
fails, its alert fires, the alert workflow runs and opens an incident seen on the Incidents
tab. The alert and the failing workflow are set up over the API, scoped to each other, so no
other test's failures start this workflow."""

from __future__ import annotations

import os
import re
import time
import uuid
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.form_steps import choose

BROKEN = [{"id": "charge", "type": "transform", "config": {"values": {"x": "{{ trigger.a.b }}"}}}]


def test_an_alert_workflow_opens_an_incident_when_a_watched_run_fails(
    admin_page: Page, api: httpx.Client, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("FLOWDECK_SHOTS") or tmp_path)
    name = f"Nightly billing {uuid.uuid4().hex[:6]}"  # its own incident, on a shared app too
    watched = api.post(
        "/workflows", json={"name": name, "trigger": {"type": "manual"}, "actions": BROKEN},
    ).json()["id"]  # fmt: skip
    alert = api.post(
        "/alerts", json={"alertType": "in_app", "events": ["workflow_fail"],
                         "workflowId": watched},
    )  # fmt: skip
    assert alert.status_code == 201, alert.text
    alert_id = alert.json()["id"]

    page = admin_page
    page.goto("/admin/workflows/new")
    page.get_by_label("Name").fill("Billing incident response")
    choose(page, page.get_by_test_id("wf-trigger-type"), "alert")
    page.locator("#wf-alert-id").fill(str(alert_id))
    page.get_by_test_id("add-operations-step").click()
    page.get_by_test_id("add-incident_create").click()
    opener = page.get_by_test_id("action-card").nth(1)
    opener.get_by_test_id("action-id").fill("open")
    opener.get_by_test_id("action-incident_title").fill(
        "{{ trigger.execution.workflow_name }} failed at {{ trigger.error.step }}"
    )
    page.get_by_test_id("field-wf-alert-id").screenshot(path=str(shots / "alert-trigger.png"))
    page.get_by_test_id("save-workflow").click()
    expect(page).to_have_url(re.compile(r"/admin/workflows/\d+/?$"))
    expect(page.get_by_text(f"When alert {alert_id} fires").first).to_be_visible()

    failed = api.post(f"/workflows/{watched}/execute", json={}).json()
    assert failed["status"] in ("queued", "running", "failed")

    # the failure, its alert and the alert workflow's run happen in the background: the list
    # is read again until the incident is there (the Incidents tab does not push new rows)
    row = page.get_by_test_id("incident-row").filter(has_text=f"{name} failed at charge")
    deadline = time.monotonic() + 60
    while True:
        page.goto("/admin/incidents")
        expect(page.get_by_test_id("incident-row").first.or_(page.get_by_text("No incidents"))
               .first).to_be_visible(timeout=20_000)  # fmt: skip
        if row.count() == 1 or time.monotonic() > deadline:
            break
        page.wait_for_timeout(1000)
    expect(row).to_have_count(1)
    page.screenshot(path=str(shots / "alert-incident.png"), full_page=True)
    runs = api.get("/executions", params={"trigger_type": "alert"}).json()["items"]
    ours = [r for r in runs if r["workflow_name"] == "Billing incident response"]
    assert ours and ours[0]["status"] == "succeeded"
