"""The template gallery in a real browser: find a template, fill its fields (a bad value first),
create the workflow, run it against loopback counterparts; save it back as a template; an
import of a malformed file lists its problems and stores nothing."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.integration.alerts.counterparts import SLACK_HOOK, Counterparts, serve_counterparts
from tests.integration.templates.remote import Remote, serve_remote

NAME = "E2E nightly maintenance"
TASKS = ["clear-cache", "rotate-logs"]


def _shot(page: Page, name: str) -> None:
    """A screenshot for a person to look at, when FLOWDECK_SHOTS names a folder."""
    folder = os.environ.get("FLOWDECK_SHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"templates-{name}.png"), full_page=True)


@pytest.fixture
def remote() -> Iterator[Remote]:
    with serve_remote() as state:
        yield state


@pytest.fixture
def counterparts() -> Iterator[Counterparts]:
    with serve_counterparts() as state:
        yield state


def _connect(api: httpx.Client, body: dict) -> None:
    response = api.post("/connections", json=body)
    assert response.status_code == 201, response.text


def _field(page: Page, name: str):
    return page.locator(f'[data-testid="template-var"][data-var="{name}"]')


def _card(page: Page, template_id: str):
    return page.locator(f'[data-testid="template-card"][data-template="{template_id}"]')


def _pick(page: Page, field, option: str) -> None:
    field.get_by_role("combobox").click()
    page.get_by_role("option", name=option, exact=True).click()


def test_use_a_template_run_it_and_save_it_back(
    admin_page: Page, api: httpx.Client, remote: Remote, counterparts: Counterparts
) -> None:
    _connect(api, {"name": "Tpl E2E Ops API", "platform": "http", "connectionType": "api_key",
                   "credentials": {"apiKey": "e2e-key-5Jq8"},
                   "config": {"baseUrl": remote.base_url + "/ops"}})  # fmt: skip
    _connect(api, {"name": "Tpl E2E Other API", "platform": "http",
                   "connectionType": "api_key", "credentials": {"apiKey": "other-key-7Wd2"},
                   "config": {"baseUrl": remote.base_url + "/elsewhere"}})  # fmt: skip
    _connect(api, {"name": "Tpl E2E Slack", "platform": "slack",
                   "webhookUrl": counterparts.base_url + SLACK_HOOK})  # fmt: skip
    page = admin_page
    page.get_by_role("link", name="Templates").first.click()
    expect(page).to_have_url(re.compile(r"/admin/templates/?$"))
    expect(page.get_by_test_id("template-card").first).to_be_visible()
    assert page.get_by_test_id("template-card").count() >= 15
    _shot(page, "gallery")

    _pick(page, page.get_by_test_id("template-category"), "operations")
    page.get_by_test_id("template-search").fill("maintenance")
    expect(page.get_by_test_id("template-card")).to_have_count(1)
    card = _card(page, "recurring_maintenance")
    card.get_by_test_id("preview-template").click()
    canvas = page.get_by_test_id("template-preview-canvas")
    expect(canvas.locator(".react-flow__node")).to_have_count(3)
    _shot(page, "preview")
    page.get_by_test_id("preview-use").click()

    expect(page.get_by_role("dialog", name="Use “Recurring maintenance”")).to_be_visible()
    expect(_field(page, "ops_api").get_by_role("combobox")).to_be_visible()
    page.get_by_test_id("template-workflow-name").fill(NAME)
    _pick(page, _field(page, "ops_api"), "Tpl E2E Ops API")
    # the app is shared by every browser test: other Slack connections may exist, so pick ours
    _pick(page, _field(page, "slack"), "Tpl E2E Slack")
    _field(page, "tasks").locator("textarea").fill(", ".join(TASKS))
    _field(page, "schedule").locator("input").fill("every night please")
    _shot(page, "use")
    page.get_by_test_id("template-create").click()
    error = _field(page, "schedule").get_by_test_id("template-var-error")
    expect(error).to_be_visible()
    expect(_field(page, "tasks").get_by_test_id("template-var-error")).to_have_count(0)
    _shot(page, "use-error")
    _field(page, "schedule").locator("input").fill("0 3 * * *")
    page.get_by_test_id("template-create").click()

    expect(page).to_have_url(re.compile(r"/admin/workflows/\d+/?$"))
    expect(page.get_by_role("heading", name=NAME)).to_be_visible()
    workflow_id = int(re.search(r"/admin/workflows/(\d+)", page.url).group(1))
    body = api.get(f"/workflows/{workflow_id}").json()
    assert body["name"] == NAME
    _shot(page, "created")

    page.get_by_test_id("detail-run").click()
    page.get_by_test_id("confirm-run").click()
    expect(page).to_have_url(re.compile(r"/admin/executions/\d+/?$"))
    expect(page.get_by_test_id("execution-status")).to_contain_text("succeeded", timeout=30_000)
    paths = [r["path"] for r in remote.to("POST", "/ops/maintenance/", under=True)]
    assert paths == [f"/ops/maintenance/{t}" for t in TASKS]  # the chosen connection, not the other
    assert remote.to("POST", "/elsewhere", under=True) == []
    assert len(counterparts.slack) == 2  # the start and the end, through the only Slack

    page.goto(f"/admin/workflows/{workflow_id}")
    page.get_by_test_id("save-as-template").click()
    save = page.get_by_role("dialog", name="Save as template")
    save.get_by_label("Name").fill("E2E saved maintenance")
    save.get_by_label("Description").fill("Our nightly tasks, saved from a workflow.")
    page.get_by_test_id("save-template").click()
    expect(page.get_by_test_id("error-category")).to_be_visible()  # required
    _shot(page, "save-error")
    _pick(page, save.get_by_test_id("template-save-category"), "operations")
    page.get_by_test_id("save-template").click()
    expect(save).to_have_count(0)
    expect(
        page.get_by_text("Saved as template “E2E saved maintenance” (version 1)")
    ).to_be_visible()

    page.goto("/admin/templates")
    expect(page.get_by_test_id("template-search")).to_have_value("")  # a visit starts afresh
    expect(page.get_by_test_id("template-card").nth(15)).to_be_visible()  # the page has loaded
    page.get_by_test_id("template-search").fill("E2E saved")
    card = page.get_by_test_id("template-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Saved · v1")
    _shot(page, "saved")


def test_a_malformed_template_file_lists_its_problems_and_stores_nothing(
    admin_page: Page, api: httpx.Client
) -> None:
    before = api.get("/templates").json()["total"]
    page = admin_page
    page.goto("/admin/templates")
    expect(page.get_by_test_id("template-card").first).to_be_visible()
    page.get_by_test_id("import-template").click()
    bad = '{"flowdeck_template": 1, "id": "Bad Id", "category": "toys", "workflow": {}}'
    page.get_by_test_id("template-import-text").fill(bad)
    page.get_by_test_id("template-import-confirm").click()
    problems = page.get_by_test_id("template-import-problem")
    expect(problems.first).to_be_visible()
    assert problems.count() >= 3
    expect(problems.filter(has_text="id")).not_to_have_count(0)
    expect(problems.filter(has_text="category")).not_to_have_count(0)
    _shot(page, "import-problems")
    page.get_by_test_id("template-import-text").fill("{not json")
    page.get_by_test_id("template-import-confirm").click()
    expect(problems).to_have_count(1)
    expect(problems).to_contain_text("not JSON")
    assert api.get("/templates").json()["total"] == before

    page.keyboard.press("Escape")
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_test_id("template-search").fill("bug triage")
    expect(page.get_by_test_id("template-card")).to_have_count(1)
    _shot(page, "phone")
    _card(page, "bug_triage").get_by_test_id("use-template").click()
    missing = _field(page, "github").get_by_test_id("template-missing-connection")
    expect(missing).to_contain_text("No github connection yet")
    expect(missing.get_by_role("link")).to_have_attribute("href", "/admin/connections")
    _shot(page, "use-missing")


SWITCHES = {
    "flowdeck_template": 1,
    "id": "e2e_switches",
    "name": "E2E switches and choices",
    "description": "A switch, a choice and a number, read back from the workflow.",
    "category": "operations",
    "icon": "wrench",
    "variables": [
        {"name": "loud", "label": "Loud", "type": "boolean", "default": False},
        {"name": "env", "label": "Environment", "type": "choice",
         "options": ["staging", "production"], "default": "staging"},
        {"name": "retries", "label": "Retries", "type": "integer", "min": 0, "max": 5},
    ],
    "workflow": {
        "name": "E2E switches", "trigger": {"type": "manual"},
        "actions": [{"id": "calc", "type": "transform", "config": {"values": {
            "loud": "[[loud]]", "env": "[[env]]", "retries": "[[retries]]"}}}],
    },
}  # fmt: skip


def test_a_switch_a_choice_and_a_number_reach_the_workflow(
    admin_page: Page, api: httpx.Client
) -> None:
    page = admin_page
    page.goto("/admin/templates")
    expect(page.get_by_test_id("template-card").first).to_be_visible()  # loaded: clicks count
    page.get_by_test_id("import-template").click()
    page.get_by_test_id("template-import-text").fill(json.dumps(SWITCHES))
    page.get_by_test_id("template-import-confirm").click()
    expect(page.get_by_text("Imported “E2E switches and choices”")).to_be_visible()
    page.get_by_test_id("template-search").fill("E2E switches")
    _card(page, "e2e_switches").get_by_test_id("use-template").click()
    _field(page, "loud").get_by_role("switch").click()
    _pick(page, _field(page, "env"), "production")
    _field(page, "retries").locator("input").fill("9")
    page.get_by_test_id("template-create").click()
    expect(_field(page, "retries").get_by_test_id("template-var-error")).to_be_visible()
    _field(page, "retries").locator("input").fill("3")
    page.get_by_test_id("template-create").click()

    expect(page).to_have_url(re.compile(r"/admin/workflows/\d+/?$"))
    workflow_id = int(re.search(r"/admin/workflows/(\d+)", page.url).group(1))
    actions = api.get(f"/workflows/{workflow_id}").json()["actions"]
    assert actions[0]["config"]["values"] == {"loud": True, "env": "production", "retries": 3}
