"""Browser tabs name the object a page shows."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

STEP = {"id": "a", "type": "transform", "config": {"values": {"x": 1}}}


def test_a_workflow_page_tab_names_the_workflow(admin_page: Page, api: httpx.Client) -> None:
    body = {"name": "E2E titled digest", "trigger": {"type": "manual"}, "actions": [STEP]}
    created = api.post("/workflows", json=body)
    assert created.status_code == 201, created.text
    admin_page.goto(f"/admin/workflows/{created.json()['id']}")
    expect(admin_page).to_have_title("E2E titled digest · Flowdeck")


def test_a_run_page_tab_names_its_number_and_workflow(admin_page: Page, api: httpx.Client) -> None:
    body = {"name": "E2E titled run", "trigger": {"type": "manual"}, "actions": [STEP]}
    created = api.post("/workflows", json=body)
    assert created.status_code == 201, created.text
    ran = api.post(f"/workflows/{created.json()['id']}/execute", json={})
    assert ran.status_code == 202, ran.text
    number = ran.json()["id"]
    admin_page.goto(f"/admin/executions/{number}")
    expect(admin_page).to_have_title(f"#{number} · E2E titled run · Flowdeck")
