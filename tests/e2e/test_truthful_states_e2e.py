"""States that say the truth (#18), in Chromium: no hydration error on a direct load, alerts that
say what they watch and count tests apart, the own user row without Deactivate, the webhook's
copyable URL and curl (no secret for an unsigned hook), version compares that name added and
removed right and refresh after a rollback, a revert that says the status stays, breadcrumbs."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

DIRECT_LOADS = [
    "/status",
    "/admin/workflows",
    "/admin/executions",
    "/admin/alerts",
    "/admin/versions",
    "/admin/audit",
    "/admin/users",
    "/admin/articles",
    "/admin/workflows/new",
]


def test_no_page_has_a_hydration_error_on_a_direct_load(admin_page: Page) -> None:
    page = admin_page
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    page.on(
        "console",
        lambda m: (
            errors.append(f"{page.url}: {m.text}")
            if m.type == "error" and ("418" in m.text or "ydrat" in m.text)
            else None
        ),
    )
    for path in DIRECT_LOADS:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        expect(page.locator("h1, h2").first).to_be_visible()
    assert [e for e in errors if "418" in e or "ydrat" in e] == []
    page.goto("/status")
    expect(page.get_by_test_id("system-status")).to_be_visible()
    # A paragraph in a paragraph is what broke /status: the browser re-nests it.
    assert page.evaluate("document.querySelectorAll('p p, p div').length") == 0


def test_an_alert_says_what_it_watches_and_counts_tests_apart(admin_page: Page) -> None:
    page = admin_page
    page.goto("/admin/alerts")
    page.get_by_test_id("new-alert").click()
    expect(page.get_by_test_id("event-workflow_fail")).to_be_checked()
    expect(page.get_by_test_id("event-step_fail")).not_to_be_checked()  # one message per failure
    page.get_by_test_id("alert-alert_type").get_by_role("combobox").click()
    page.get_by_role("option", name="telegram").click()
    expect(page.get_by_test_id("connection-hint")).to_contain_text("bot token")
    page.get_by_test_id("alert-alert_type").get_by_role("combobox").click()
    page.get_by_role("option", name="in_app").click()
    page.get_by_label("Name").fill("E2E watcher")
    page.get_by_test_id("save-alert").click()
    row = page.get_by_test_id("alert-row").filter(has_text="E2E watcher")
    expect(row.get_by_test_id("alert-watches")).to_have_text("Failed runs of every workflow")
    expect(row.get_by_test_id("alert-counts")).to_have_text("0 sent · 0 failed")
    row.get_by_test_id("test-alert").click()
    expect(row.get_by_test_id("test-result")).to_contain_text("Delivered")
    expect(row.get_by_test_id("alert-counts")).to_have_text("0 sent · 0 failed · tests: 1 sent")


def test_the_own_user_row_has_no_deactivate(admin_page: Page) -> None:
    page = admin_page
    page.goto("/admin/users")
    own = page.get_by_test_id("user-row").filter(has=page.get_by_test_id("own-row"))
    expect(own).to_have_count(1)
    expect(own).to_contain_text("admin@example.com")
    expect(own.get_by_role("button", name="Deactivate")).to_have_count(0)
    expect(own.get_by_role("button", name="Reset password")).to_be_visible()


def test_the_webhook_url_and_curl_copy_and_an_unsigned_hook_has_no_secret(
    admin_page: Page,
) -> None:
    page = admin_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/admin/workflows/new")
    page.get_by_label("Name").fill("E2E hook")
    page.get_by_test_id("wf-trigger-type").get_by_role("combobox").click()
    page.get_by_role("option", name="webhook").click()
    expect(page.locator("#wf-secret")).to_have_count(0)  # signature none: nothing to set
    page.get_by_test_id("wf-signature").get_by_role("combobox").click()
    page.get_by_role("option", name="github").click()
    expect(page.locator("#wf-secret")).to_be_visible()
    page.get_by_test_id("wf-signature").get_by_role("combobox").click()
    page.get_by_role("option", name="none").click()
    expect(page.locator("#wf-secret")).to_have_count(0)
    page.get_by_test_id("save-workflow").click()
    expect(page).to_have_url(re.compile(r"/admin/workflows/\d+/?$"))
    url = page.get_by_test_id("webhook-url")
    expect(url).to_contain_text("/api/hooks/")
    page.get_by_test_id("copy-webhook-url").click()
    expect(page.locator("[data-sonner-toast]").filter(has_text="URL copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == url.inner_text()
    crumbs = page.get_by_test_id("breadcrumbs")
    expect(crumbs).to_contain_text("Workflows")
    expect(crumbs).to_contain_text("E2E hook")

    page.goto(page.url.rstrip("/") + "/edit")
    expect(page.get_by_test_id("webhook-curl")).to_contain_text("curl -X POST")
    expect(page.get_by_test_id("webhook-curl")).not_to_contain_text("SECRET")
    page.get_by_test_id("copy-webhook-curl").click()
    assert page.evaluate("navigator.clipboard.readText()").startswith("curl -X POST")
    expect(page.get_by_test_id("breadcrumbs")).to_contain_text("Edit")


WORKFLOW = {
    "name": "E2E compared",
    "trigger": {"type": "manual"},
    "actions": [{"id": "fetch", "type": "transform", "config": {"values": {"a": 1}}}],
}


def test_a_compare_names_added_and_removed_and_a_rollback_refreshes_the_list(
    admin_page: Page, api: httpx.Client
) -> None:
    made = api.post("/workflows", json=WORKFLOW)
    assert made.status_code == 201, made.text
    wid = made.json()["id"]
    changed = {
        **WORKFLOW,
        "description": "now with a schedule",
        "trigger": {"type": "schedule", "config": {"cron": "0 9 * * 1", "timezone": "UTC"}},
        "actions": [
            {
                "id": "fetch_the_weather_for_every_city_we_watch",
                "type": "transform",
                "config": {"values": {"a": 2}},
            }
        ],
    }
    assert api.put(f"/workflows/{wid}", json=changed).status_code == 200

    page = admin_page
    page.goto(f"/admin/versions?workflow={wid}")
    rows = page.get_by_test_id("diff-field")

    def kind_of(path: str) -> str:
        shown = re.compile("^" + re.escape(path) + "$")
        row = rows.filter(has=page.get_by_test_id("diff-path").filter(has_text=shown))
        return row.get_by_test_id("diff-kind").inner_text()

    expect(rows.first).to_be_visible()
    assert kind_of("trigger.config.cron") == "added"  # not "config changed {} → {…}"
    assert kind_of("description") == "added"  # not "changed from empty"
    assert kind_of("actions.fetch.id") == "removed"
    assert kind_of("actions.fetch_the_weather_for_every_city_we_watch.id") == "added"
    assert "{" not in "".join(rows.all_inner_texts())  # no raw JSON
    assert "`" not in page.get_by_test_id("diff-view").inner_text()  # no literal backticks
    long_row = rows.filter(has_text="fetch_the_weather_for_every_city_we_watch").first
    badge, box = long_row.get_by_test_id("diff-kind").bounding_box(), long_row.bounding_box()
    assert badge and box and badge["x"] + badge["width"] <= box["x"] + box["width"]  # not clipped

    listed = page.get_by_test_id("version-item").filter(has_text="E2E compared")
    expect(listed).to_contain_text("v2 · custom")
    page.get_by_test_id("restore-version").last.click()  # v1
    page.get_by_test_id("restore-reason").fill("back to manual")
    page.get_by_test_id("confirm-restore").click()
    expect(listed).to_contain_text("v3 · custom", timeout=15_000)  # the list follows


def test_an_article_revert_says_the_status_stays(admin_page: Page, api: httpx.Client) -> None:
    made = api.post("/articles", json={"title": "E2E revert", "body": "one"})
    assert made.status_code == 201, made.text
    aid = made.json()["id"]
    # Archived, not ready: other browser tests share this app, and one leaves a workflow that
    # publishes every article moved to ready (the note would then rightly say "published").
    moved = api.put(f"/articles/{aid}", json={"body": "two", "status": "archived"})
    assert moved.status_code == 200, moved.text

    page = admin_page
    page.goto(f"/admin/versions?article={aid}")
    page.get_by_test_id("restore-version").last.click()  # v1, a draft
    note = page.get_by_test_id("restore-status-note")
    expect(note).to_contain_text("The status stays archived")
    page.get_by_test_id("confirm-restore").click()
    toast = page.locator("[data-sonner-toast]").filter(has_text="Reverted to version 1")
    expect(toast).to_contain_text("version 1 was draft")
    assert api.get(f"/articles/{aid}").json()["status"] == "archived"

    page.goto(f"/admin/articles/{aid}")
    crumbs = page.get_by_test_id("breadcrumbs")
    expect(crumbs).to_contain_text("Articles")
    expect(crumbs).to_contain_text("E2E revert")
