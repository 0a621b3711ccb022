"""What alert messages say, and how each channel formats and escapes them. No I/O."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from app.alerts.email import build_email, recipients, subject_for
from app.alerts.events import AlertEvent
from app.alerts.messages import (
    AlertMessage,
    build_message,
    duration_text,
    storm_note,
    with_template,
)
from app.alerts.slack import blocks
from app.alerts.slack import escape as slack_escape
from app.alerts.telegram import escape_markdown, render_html, request_body
from app.alerts.webhook import SIGNATURE_HEADER, signed_request
from app.core.signatures import verify_flowdeck

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
BASE = "https://flowdeck.example.com"


def _failed(**extra) -> AlertMessage:
    event = AlertEvent(
        kind="workflow_fail",
        execution_id=42,
        workflow_id=7,
        at=T0,
        workflow_name="Import <orders> & bills",
        status="failed",
        step="fetch",
        step_name="Fetch orders",
        error="step fetch failed: HTTP 500 <html>",
        duration_ms=1500,
        **extra,
    )
    return build_message(event, base_url=BASE)


def test_a_failed_run_says_what_which_workflow_step_error_and_links() -> None:
    message = _failed()
    text = message.text()
    assert message.title == "Workflow failed: Import <orders> & bills"
    assert "[ERROR]" in text
    assert "Execution #42 of workflow “Import <orders> & bills” failed at step" in text
    assert "Step: Fetch orders (fetch)" in text
    assert "Error: step fetch failed: HTTP 500 <html>" in text
    assert "Duration: 1.5 s" in text
    assert f"View execution: {BASE}/admin/executions/42" in text
    assert message.link == f"{BASE}/admin/executions/42"


@pytest.mark.parametrize(
    ("kind", "status", "title", "phrase"),
    [
        ("workflow_start", "", "Workflow started: W", "started (3 steps)"),
        ("workflow_complete", "succeeded", "Workflow succeeded: W", "finished successfully"),
        ("workflow_fail", "interrupted", "Workflow interrupted: W", "was interrupted"),
        ("step_fail", "failed", "Step failed: s in W", "Step “s” of execution #1"),
    ],
)
def test_every_kind_has_its_own_words(kind: str, status: str, title: str, phrase: str) -> None:
    event = AlertEvent(kind, 1, 2, T0, "W", status, step="s", steps_total=3)
    message = build_message(event, base_url=BASE)
    assert message.title == title and phrase in message.summary
    assert message.severity == event.severity.value


def test_storm_note_and_durations() -> None:
    assert storm_note(0) is None
    assert storm_note(1) == "(and 1 more time in the minute after the previous alert)"
    assert "(and 9 more times" in (_failed_with_note().note or "")
    assert [duration_text(x) for x in (None, 12.4, 4200, 200_000)] == [
        "",
        "12 ms",
        "4.2 s",
        "3 min 20 s",
    ]


def _failed_with_note() -> AlertMessage:
    event = AlertEvent("workflow_fail", 1, 2, T0, "W", "failed")
    return build_message(event, base_url=BASE, suppressed=9)


class _TelegramHTML(HTMLParser):
    """Telegram's HTML mode: only a few tags, every one closed, entities escaped."""

    allowed = {"b", "i", "u", "s", "a", "code", "pre"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        assert tag in self.allowed, tag
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack.pop() == tag

    def handle_data(self, data: str) -> None:
        self.text += data


def test_telegram_html_is_escaped_and_well_formed() -> None:
    rendered = render_html(_failed())
    parser = _TelegramHTML()
    parser.feed(rendered)
    assert parser.stack == []
    assert "Import <orders> & bills" in parser.text  # the reader sees the real name
    assert "<orders>" not in rendered and "&lt;orders&gt;" in rendered
    assert f'<a href="{BASE}/admin/executions/42">View execution</a>' in rendered


def test_telegram_markdown_v2_escapes_every_special_character() -> None:
    assert escape_markdown("a_b*c[d](e)~`>#+-=|{}.!\\") == (
        "a\\_b\\*c\\[d\\]\\(e\\)\\~\\`\\>\\#\\+\\-\\=\\|\\{\\}\\.\\!\\\\"
    )
    body = request_body("-100", _failed(), {"parse_mode": "MarkdownV2"})
    assert body["parse_mode"] == "MarkdownV2" and "Import <orders\\> & bills" in body["text"]


def test_telegram_body_options_and_plain_fallback() -> None:
    body = request_body("@ops_team", _failed(), {"disable_notification": True})
    assert body["chat_id"] == "@ops_team" and body["parse_mode"] == "HTML"
    assert body["disable_notification"] is True
    plain = request_body("1", _failed(), {"parse_mode": "none"})
    assert "parse_mode" not in plain and plain["text"] == _failed().text()
    huge = build_message(AlertEvent("workflow_fail", 1, 2, T0, "<" * 3000, "failed"), base_url=BASE)
    fallback = request_body("1", huge, {})
    assert "parse_mode" not in fallback and len(fallback["text"]) <= 4096


def test_slack_blocks_escape_and_link() -> None:
    result = blocks(_failed())
    assert [b["type"] for b in result] == ["header", "section", "section", "context"]
    assert result[0]["text"] == {
        "type": "plain_text",
        "text": "Workflow failed: Import <orders> & bills",
    }
    section = json.dumps(result[1])
    assert "&lt;orders&gt; &amp; bills" in section and "<orders>" not in section
    assert "HTTP 500 &lt;html&gt;" in result[2]["text"]["text"]
    assert f"<{BASE}/admin/executions/42|View execution>" in result[3]["elements"][0]["text"]
    assert slack_escape("<!channel> & co") == "&lt;!channel&gt; &amp; co"


def test_email_is_text_and_html_with_a_templated_subject() -> None:
    mail = build_email(
        _failed(),
        sender="bot@example.com",
        to=["a@example.com", "b@example.com"],
        subject_template="{{ severity }} in {{ workflow }} ({{ step }})",
    )
    assert mail["Subject"] == "error in Import <orders> & bills (fetch)"
    assert mail["To"] == "a@example.com, b@example.com"
    text, html = (part.get_content() for part in mail.iter_parts())
    assert "Error: step fetch failed: HTTP 500 <html>" in text
    assert "&lt;orders&gt;" in html and "<orders>" not in html
    assert "/admin/executions/42" in html


def test_email_subject_default_and_broken_template_fallback() -> None:
    assert (
        subject_for(_failed(), None) == "[Flowdeck] ERROR: Workflow failed: Import <orders> & bills"
    )
    assert subject_for(_failed(), "{{ nope }}") == subject_for(_failed(), None)
    assert recipients(" a@x.io ; b@y.io,, ") == ["a@x.io", "b@y.io"]


def test_webhook_signature_verifies_over_the_exact_body() -> None:
    secret = "whsec-0123456789abcdef"
    message = AlertMessage(**{**_failed().__dict__, "delivery_id": 5})
    body, headers = signed_request(message, secret, alert_id=3, alert_name="ops", now=1_700_000_000)
    assert verify_flowdeck(secret, body, headers[SIGNATURE_HEADER], now=1_700_000_010)
    assert not verify_flowdeck(
        "wrong-secret-000000", body, headers[SIGNATURE_HEADER], 1_700_000_010
    )
    assert not verify_flowdeck(secret, body + b" ", headers[SIGNATURE_HEADER], 1_700_000_010)
    payload = json.loads(body)
    assert payload["event"] == "workflow_fail" and payload["step"] == "fetch"
    assert payload["execution"] == {
        "id": 42,
        "status": "failed",
        "url": f"{BASE}/admin/executions/42",
    }
    assert payload["alert"] == {"id": 3, "name": "ops"}
    assert headers["X-Flowdeck-Delivery"] == "5" and headers["X-Flowdeck-Event"] == "workflow_fail"


def test_a_message_template_writes_the_main_line_and_keeps_the_rest() -> None:
    message = with_template(_failed(), "{{ workflow }} broke at {{ step }}: {{ error }}")
    assert message.summary == (
        "Import <orders> & bills broke at fetch: step fetch failed: HTTP 500 <html>"
    )
    assert message.title == _failed().title and message.facts == _failed().facts
    assert message.link == _failed().link
    assert message.text().splitlines()[1] == message.summary
    # each channel still escapes what the template produced
    assert "&lt;orders&gt;" in render_html(message)


def test_data_in_a_template_is_never_evaluated_again() -> None:
    message = with_template(replace(_failed(), error="{{ 7*7 }}"), "Error: {{ error }}")
    assert message.summary == "Error: {{ 7*7 }}"


def test_a_template_that_fails_when_sending_keeps_the_default_line_and_says_why() -> None:
    message = with_template(_failed(), "{{ error.missing_attribute.deeper }}")
    assert message.summary == _failed().summary
    assert message.note is not None and message.note.startswith("(message template:")
    assert with_template(_failed(), None) == _failed()
    assert with_template(_failed(), "") == _failed()
