"""Orchestrations in a real browser: a two-call pipeline made in the form, saved, run, watched.

The first call signs in to a loopback server and extracts a token from its JSON answer; the
second sends it in a header (the server echoes what it got). The run page shows both calls on
the timeline, succeeded, and the second call's request with the header.
Set FLOWDECK_SHOTS to a directory to keep screenshots of the list, the form and the run page.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.form_steps import choose
from tests.integration.engine.orchestration_server import Answer, Api, serve

TOKEN = "sess-e2e-4711"


@pytest.fixture
def remote() -> Iterator[Api]:
    with serve() as api:
        api.script("/login", Answer(body={"data": {"token": TOKEN}}))
        yield api


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("FLOWDECK_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_a_two_call_pipeline_built_in_the_form_runs_and_shows_its_calls(
    admin_page: Page, remote: Api
) -> None:
    page = admin_page
    page.goto("/admin/orchestrations")
    listed = page.get_by_test_id("empty-state").or_(page.get_by_test_id("orchestration-row"))
    expect(listed.first).to_be_visible()
    if page.get_by_test_id("orchestration-row").count() == 0:  # other tests share this app
        expect(page.get_by_test_id("empty-state")).to_contain_text("pipeline")
    _shot(page, "orchestrations-empty")
    page.get_by_test_id("new-orchestration").click()
    expect(page).to_have_url(re.compile(r"/admin/orchestrations/new/?$"))

    page.locator("#orch-name").fill("E2E sign in and fetch")
    choose(page, page.get_by_test_id("orch-mode"), "pipeline")
    expect(page.get_by_text("each call sees the previous call's response")).to_be_visible()

    first = page.get_by_test_id("call-card").nth(0)
    first.get_by_test_id("call-id").fill("login")
    choose(page, first.get_by_test_id("call-method"), "POST")
    first.get_by_test_id("call-url").fill(remote.url + "/login")
    first.get_by_test_id("call-body").fill('{"user": "{{ inputs.user }}"}')
    first.get_by_test_id("call-extract").fill('{"token": "data.token"}')

    page.get_by_test_id("add-call").first.click()
    second = page.get_by_test_id("call-card").nth(1)
    second.get_by_test_id("call-id").fill("profile")
    second.get_by_test_id("call-headers").fill('{"X-Session": ')
    expect(second.get_by_test_id("call-error-headers")).to_contain_text("Not valid JSON")
    second.get_by_test_id("call-headers").fill('{"X-Session": "{{ calls.login.token }}"}')
    expect(second.get_by_test_id("call-error-headers")).to_have_count(0)
    graph = page.get_by_test_id("orchestration-graph")
    expect(graph.locator(".react-flow__node")).to_have_count(2)
    expect(graph.locator(".react-flow__edge")).to_have_count(1)

    # Saved without the second URL: the service's problem lands next to the field and on top.
    page.get_by_test_id("save-orchestration").click()
    expect(second.get_by_test_id("call-error-url")).to_be_visible()
    expect(page.get_by_test_id("form-problems")).to_contain_text("calls[1].url")
    expect(first.get_by_test_id("call-error-url")).to_have_count(0)

    second.get_by_test_id("call-url").fill(remote.url + "/profile")
    page.get_by_test_id("tab-json").click()
    expect(page.get_by_test_id("json-editor")).to_have_value(re.compile("calls.login.token"))
    page.get_by_test_id("tab-form").click()
    expect(second.get_by_test_id("call-url")).to_have_value(remote.url + "/profile")
    _shot(page, "orchestration-form")
    page.get_by_test_id("save-orchestration").click()
    expect(page).to_have_url(re.compile(r"/admin/orchestrations/\d+/?$"))
    expect(page.get_by_test_id("call-card")).to_have_count(2)

    page.get_by_test_id("run-orchestration").click()
    page.get_by_test_id("run-inputs").fill("[1]")
    page.get_by_test_id("confirm-run").click()
    expect(page.get_by_test_id("run-error")).to_contain_text("JSON object")
    page.get_by_test_id("run-inputs").fill('{"user": "ada"}')
    page.get_by_test_id("confirm-run").click()
    expect(page).to_have_url(re.compile(r"/admin/orchestrations/runs/\d+/?$"))

    expect(page.get_by_test_id("run-status")).to_have_text("succeeded", timeout=30_000)
    bars = page.get_by_test_id("timeline-bar")
    expect(bars).to_have_count(2)
    expect(page.locator('[data-testid="timeline-bar"][data-status="succeeded"]')).to_have_count(2)
    expect(page.get_by_test_id("run-calls")).to_have_text("2/2 succeeded")
    page.get_by_test_id("call-item").filter(has_text="profile").get_by_role("button").first.click()
    request = page.get_by_test_id("call-request")
    expect(request).to_contain_text("X-Session")
    expect(request).to_contain_text(TOKEN)
    assert remote.seen("/profile")[0].headers.get("X-Session") == TOKEN
    _shot(page, "orchestration-run")

    page.get_by_test_id("breadcrumbs").get_by_role("link", name="E2E sign in and fetch").click()
    expect(page).to_have_url(re.compile(r"/admin/orchestrations/\d+/?$"))
    page.get_by_test_id("tab-runs").click()
    expect(page.get_by_test_id("run-row")).to_have_count(1)
    expect(page.get_by_test_id("run-row")).to_contain_text("2/2")
    _shot(page, "orchestration-detail")

    page.goto("/admin/orchestrations")
    row = page.get_by_test_id("orchestration-row").filter(has_text="E2E sign in and fetch")
    expect(row).to_contain_text("pipeline")
    expect(row).to_contain_text("succeeded")
    expect(row.get_by_test_id("orchestration-calls")).to_have_text("2")
    _shot(page, "orchestrations-list")


def test_a_parallel_run_saved_from_json_is_followed_live_and_its_calls_overlap(
    admin_page: Page, remote: Api
) -> None:
    remote.script("/slow", Answer(body={"slow": True}, delay_s=2.5))
    definition = {
        "name": "E2E parallel from JSON",
        "mode": "parallel",
        "calls": [
            {"id": "slow", "url": remote.url + "/slow"},
            {"id": "fast", "url": remote.url + "/fast"},
        ],
    }
    page = admin_page
    page.goto("/admin/orchestrations/new")
    page.get_by_test_id("tab-json").click()
    page.get_by_test_id("json-editor").fill(json.dumps(definition))
    page.get_by_test_id("save-orchestration").click()
    expect(page).to_have_url(re.compile(r"/admin/orchestrations/\d+/?$"))
    graph = page.get_by_test_id("orchestration-graph")
    expect(graph.locator(".react-flow__node")).to_have_count(2)
    expect(graph.locator(".react-flow__edge")).to_have_count(0)  # parallel: both at once

    page.get_by_test_id("run-orchestration").click()
    page.get_by_test_id("confirm-run").click()
    expect(page).to_have_url(re.compile(r"/admin/orchestrations/runs/\d+/?$"))
    expect(page.get_by_test_id("run-status")).to_have_text("running")
    running = page.locator('[data-testid="timeline-bar"][data-step="slow"][data-status="running"]')
    expect(running).to_have_count(1)
    expect(page.locator('[data-step="fast"][data-status="succeeded"]')).to_have_count(1)
    expect(page.get_by_test_id("run-status")).to_have_text("succeeded", timeout=20_000)
    slow = page.locator('[data-testid="timeline-bar"][data-step="slow"]')
    fast = page.locator('[data-testid="timeline-bar"][data-step="fast"]')
    expect(slow).to_have_attribute("data-status", "succeeded")
    slow_left = float(slow.get_attribute("data-left").rstrip("%"))
    fast_left = float(fast.get_attribute("data-left").rstrip("%"))
    slow_width = float(slow.get_attribute("data-width").rstrip("%"))
    assert slow_width > 80 and fast_left < slow_left + slow_width  # they overlapped


def test_a_conditional_run_shows_retries_skips_and_a_tolerated_failure(
    admin_page: Page, remote: Api
) -> None:
    remote.script("/flaky", Answer(status=503), Answer(status=503), Answer(body={"ok": 1}))
    remote.script("/broken", Answer(status=500, body={"error": "down"}))
    definition = {
        "name": "E2E conditional",
        "mode": "conditional",
        "calls": [
            {
                "id": "flaky",
                "url": remote.url + "/flaky",
                "retry": {"strategy": "linear", "max_attempts": 3, "delay_s": 0.1},
            },
            {"id": "notify", "url": remote.url + "/notify", "condition": "inputs.notify"},
            {"id": "broken", "url": remote.url + "/broken", "continue_on_error": True},
        ],
    }
    page = admin_page
    page.goto("/admin/orchestrations/new")
    page.get_by_test_id("tab-json").click()
    page.get_by_test_id("json-editor").fill(json.dumps(definition))
    page.get_by_test_id("tab-form").click()  # applied back to the form
    expect(page.get_by_test_id("call-card")).to_have_count(3)
    page.get_by_test_id("save-orchestration").click()
    expect(page).to_have_url(re.compile(r"/admin/orchestrations/\d+/?$"))
    page.get_by_test_id("run-orchestration").click()
    page.get_by_test_id("run-inputs").fill('{"notify": false}')
    page.get_by_test_id("confirm-run").click()
    expect(page.get_by_test_id("run-status")).to_have_text("partial", timeout=20_000)
    expect(page.get_by_test_id("run-calls")).to_have_text("1/3 succeeded")
    expect(page.locator('[data-testid="timeline-bar"]')).to_have_count(2)  # notify never ran

    items = page.get_by_test_id("call-item")
    items.filter(has_text="flaky").get_by_role("button").first.click()
    flaky = items.filter(has_text="flaky")
    expect(flaky.get_by_role("row")).to_have_count(4)  # header + three attempts
    expect(flaky).to_contain_text("503")
    items.filter(has_text="notify").get_by_role("button").first.click()
    expect(items.filter(has_text="notify")).to_contain_text("Skipped:")
    items.filter(has_text="broken").get_by_role("button").first.click()
    expect(items.filter(has_text="broken").get_by_test_id("call-response")).to_contain_text("down")
    _shot(page, "orchestration-run-partial")


def test_an_unknown_orchestration_shows_the_problem_instead_of_a_form(admin_page: Page) -> None:
    page = admin_page
    page.goto("/admin/orchestrations/99999")
    expect(page.get_by_test_id("form-error")).to_contain_text("does not exist")
    expect(page.get_by_test_id("save-orchestration")).to_have_count(0)
    expect(page.get_by_test_id("call-card")).to_have_count(0)
