"""Alerts in a real browser: a Slack alert made through the form, tested, then fired by a run."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Page, expect

HOOK_PATH = "/services/T1111/B1111/alertSecretPath77"


@pytest.fixture
def slack_hook() -> Iterator[tuple[str, list[dict]]]:
    """Speaks Slack's incoming-webhook contract: JSON with `text` → 200 "ok"."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            payload = json.loads(body or b"{}")
            ok = self.path == HOOK_PATH and isinstance(payload.get("text"), str)
            if ok:
                received.append(payload)
            answer = b"ok" if ok else b"invalid_payload"
            self.send_response(200 if ok else 400)
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


def test_slack_alert_through_the_form(admin_page: Page, slack_hook) -> None:
    base, received = slack_hook
    page = admin_page
    page.goto("/admin/alerts")
    page.get_by_test_id("new-alert").click()
    page.get_by_label("Name").fill("E2E failures")
    page.get_by_test_id("save-alert").click()
    expect(page.get_by_test_id("error-channel")).to_be_visible()
    page.get_by_label("Send to").fill(base + HOOK_PATH)
    page.get_by_test_id("event-workflow_complete").click()
    page.get_by_test_id("alert-severity").get_by_role("combobox").click()
    page.get_by_role("option", name="info").click()  # completions are info-level events
    page.get_by_test_id("save-alert").click()
    row = page.get_by_test_id("alert-row").filter(has_text="E2E failures")
    expect(row).to_be_visible()
    assert "alertSecretPath77" not in page.content()
    row.get_by_test_id("test-alert").click()
    expect(row.get_by_test_id("test-result")).to_contain_text("Delivered")
    assert received and "E2E failures" in json.dumps(received[0])

    # A real run that completes is announced too (workflow_complete was ticked).
    page.goto("/admin/workflows/new")
    page.get_by_label("Name").fill("Alerted run")
    page.get_by_test_id("save-workflow").click()
    expect(page).to_have_url(re.compile(r"/admin/workflows/\d+/?$"))
    page.get_by_test_id("detail-run").click()
    page.get_by_test_id("confirm-run").click()
    expect(page).to_have_url(re.compile(r"/admin/executions/\d+/?$"))
    for _ in range(50):  # delivery runs off the engine's bus, within a second or two
        if any("Alerted run" in json.dumps(m) for m in received):
            break
        page.wait_for_timeout(100)
    assert any("Alerted run" in json.dumps(m) for m in received)


def test_in_app_alert_rings_the_bell_live(admin_page: Page) -> None:
    page = admin_page
    page.goto("/admin/alerts")
    page.get_by_test_id("new-alert").click()
    page.get_by_label("Name").fill("Inbox")
    page.get_by_test_id("alert-alert_type").get_by_role("combobox").click()
    page.get_by_role("option", name="in_app").click()
    page.get_by_test_id("event-workflow_complete").click()
    page.get_by_test_id("alert-severity").get_by_role("combobox").click()
    page.get_by_role("option", name="info").click()
    page.get_by_test_id("save-alert").click()
    expect(page.get_by_test_id("alert-row").filter(has_text="Inbox")).to_be_visible()
    page.get_by_role("button", name="Notifications").click()
    page.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_test_id("bell-count")).to_have_count(0)
    page.keyboard.press("Escape")

    page.goto("/admin/workflows/new")
    page.get_by_label("Name").fill("Bell ringer")
    page.get_by_test_id("save-workflow").click()
    expect(page).to_have_url(re.compile(r"/admin/workflows/\d+/?$"))
    page.get_by_test_id("detail-run").click()
    page.get_by_test_id("confirm-run").click()
    expect(page.get_by_test_id("bell-count")).to_have_text(re.compile(r"^[1-9]"))
    page.get_by_role("button", name="Notifications").click()
    expect(page.get_by_text("Workflow succeeded: Bell ringer")).to_be_visible()
