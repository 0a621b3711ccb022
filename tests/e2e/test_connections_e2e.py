"""Connections in a real browser: a Slack connection made through the form, then verified."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Page, expect

SECRET_PATH = "/services/T0000/B0000/e2eSecretToken42"


@pytest.fixture
def slack_server() -> Iterator[tuple[str, list[dict]]]:
    """Answers like Slack's incoming webhooks: 200 "ok" for a JSON body with `text`."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            payload = json.loads(body or b"{}")
            ok = self.path == SECRET_PATH and isinstance(payload.get("text"), str)
            if ok:
                received.append(payload)
            answer = b"ok" if ok else b"no_service"
            self.send_response(200 if ok else 404)
            self.send_header("content-type", "text/plain")
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


def test_slack_connection_through_the_form(admin_page: Page, slack_server) -> None:
    base, received = slack_server
    page = admin_page
    page.goto("/admin/connections")
    page.get_by_test_id("new-connection").click()
    page.get_by_label("Name").fill("E2E Slack")
    page.get_by_test_id("save-connection").click()
    expect(page.get_by_test_id("error-webhook_url")).to_contain_text("required")
    page.get_by_label("Webhook url").fill(base + SECRET_PATH)
    page.get_by_test_id("save-connection").click()
    row = page.get_by_test_id("connection-row").filter(has_text="E2E Slack")
    status = row.get_by_test_id("connection-status")
    expect(status).to_have_text("unverified")
    row.get_by_test_id("verify-connection").click()
    expect(status).to_have_text("verified")
    assert received and received[0]["text"]
    assert "e2eSecretToken42" not in page.content()
