"""The email trigger in a real browser: an imap connection made on the connections page (TLS by
STARTTLS, the server's self-signed certificate pasted as the CA) and verified against a real
Dovecot, then a workflow whose email trigger is filled in on the workflow form; a message
delivered to the mailbox starts its run."""

from __future__ import annotations

import imaplib
import re
import time
import uuid
from collections.abc import Iterator
from email.message import EmailMessage

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.form_steps import choose
from tests.integration.mail_trigger.dovecot import ImapServer, running_dovecot


@pytest.fixture
def dovecot() -> Iterator[ImapServer]:
    with running_dovecot() as server:
        yield server


def _deliver(server: ImapServer, subject: str) -> None:
    """APPEND a message (stdlib imaplib: Playwright's loop is running in this thread)."""
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "ada@example.com", "ops@example.com", subject
    mail["Message-ID"] = f"<{uuid.uuid4().hex}@example.com>"
    mail.set_content("hello\n")
    with imaplib.IMAP4("127.0.0.1", server.port, timeout=5) as client:
        client.login(server.user, server.password)
        assert client.append("INBOX", None, None, mail.as_bytes())[0] == "OK"


def test_an_imap_connection_and_an_email_trigger_through_the_forms(
    admin_page: Page, api: httpx.Client, dovecot: ImapServer
) -> None:
    page, tag = admin_page, uuid.uuid4().hex[:6]
    page.goto("/admin/connections")
    page.get_by_test_id("new-connection").click()
    choose(page, page.get_by_test_id("conn-platform"), "imap")
    page.locator("#conn-name").fill(f"Inbox {tag}")
    page.locator("#conn-password").fill(dovecot.password)
    page.locator("#conn-host").fill("localhost")
    page.locator("#conn-port").fill(str(dovecot.port))
    choose(page, page.get_by_test_id("conn-tls"), "starttls")
    page.locator("#conn-username").fill(dovecot.user)
    page.locator("#conn-ca_pem").fill(dovecot.ca_pem)
    page.get_by_test_id("save-connection").click()
    row = page.get_by_test_id("connection-row").filter(has_text=f"Inbox {tag}")
    row.get_by_test_id("verify-connection").click()
    expect(row.get_by_test_id("connection-status")).to_have_text("verified", timeout=20_000)
    assert dovecot.password not in page.content()

    page.goto("/admin/workflows/new")
    page.get_by_label("Name").fill(f"Mail in {tag}")
    choose(page, page.get_by_test_id("wf-trigger-type"), "email")
    page.locator("#wf-mail-connection").fill(f"Inbox {tag}")
    page.locator("#wf-mail-subject").fill(tag)
    page.get_by_label("Then (flag", exact=False).click()  # the select is named by its label
    page.get_by_role("option", name="move", exact=True).click()
    page.get_by_test_id("save-workflow").click()
    expect(page.get_by_test_id("error-wf-mail-move-to")).to_contain_text("the folder to move")
    page.locator("#wf-mail-move-to").fill("Done")
    page.get_by_test_id("save-workflow").click()
    expect(page).to_have_url(re.compile(r"/admin/workflows/\d+/?$"))
    workflow_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    try:
        trigger = api.get(f"/workflows/{workflow_id}").json()["trigger"]
        assert trigger["type"] == "email" and trigger["config"]["move_to"] == "Done"
        assert trigger["config"]["subject_contains"] == tag

        _deliver(dovecot, f"Order {tag}")
        deadline = time.monotonic() + 30
        while True:  # the app's watcher was started by the save (workflow.changed)
            runs = api.get("/executions", params={"workflow_id": workflow_id}).json()["items"]
            if runs or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert len(runs) == 1 and runs[0]["trigger_type"] == "email"
    finally:  # the mail server stops with the test: so does the app's watcher
        paused = api.put(f"/workflows/{workflow_id}", json={"is_active": False})
        assert paused.status_code == 200, paused.text
