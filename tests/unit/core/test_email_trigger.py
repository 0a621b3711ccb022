"""The email trigger's pure parts: config checks, search keys, after-commands, dedupe keys,
reconnect delays, filters, the payload of a parsed message and the FETCH answer helpers."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest

from app.core.config_models import parse_trigger_config, trigger_config_models
from app.core.email_messages import (
    MAX_BODY_CHARS,
    MAX_HEADERS,
    capabilities_from,
    fetched_message,
    fetched_size,
    message_payload,
    uid_validity,
)
from app.core.email_trigger import (
    after_commands,
    dedupe_key,
    matches,
    reconnect_delay,
    search_criteria,
)
from app.core.errors import ValidationFailed


def test_email_is_a_registered_trigger_type() -> None:
    assert "email" in trigger_config_models
    config = parse_trigger_config("email", {"connection": "mail"})
    assert config.model_dump() == {
        "connection": "mail", "mailbox": "INBOX", "from_contains": None,
        "subject_contains": None, "has_attachment": None, "after": "flag", "move_to": None,
        "use_idle": True, "poll_s": 60,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("config", "path"),
    [
        ({}, "config.connection"),
        ({"connection": ""}, "config.connection"),
        ({"connection": True}, "config.connection"),
        ({"connection": 0}, "config.connection"),
        ({"connection": "m", "mailbox": 'In"box'}, "config.mailbox"),
        ({"connection": "m", "mailbox": ""}, "config.mailbox"),
        ({"connection": "m", "poll_s": 1}, "config.poll_s"),
        ({"connection": "m", "poll_s": 10_000}, "config.poll_s"),
        ({"connection": "m", "after": "delete"}, "config.after"),
        ({"connection": "m", "after": "move"}, "config.move_to"),
        ({"connection": "m", "after": "move", "move_to": "INBOX"}, "config.move_to"),
        ({"connection": "m", "subject_contains": "x" * 201}, "config.subject_contains"),
        ({"connection": "m", "from_contains": "a\x00"}, "config.from_contains"),
        ({"connection": "m", "extra": 1}, "config.extra"),
    ],
)
def test_bad_configs_are_refused_at_their_path(config: dict[str, Any], path: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_trigger_config("email", config)
    assert path in [p.path for p in info.value.problems], info.value.problems


@pytest.mark.parametrize(
    ("after", "keys"),
    [("flag", ("UNSEEN", "UNDELETED", "UNFLAGGED")), ("move", ("UNSEEN", "UNDELETED"))],
)
def test_search_criteria(after: str, keys: tuple[str, ...]) -> None:
    assert search_criteria(after) == keys


@pytest.mark.parametrize(
    ("after", "capabilities", "commands"),
    [
        ("flag", {"MOVE"}, [("STORE", "7", "+FLAGS.SILENT", r"(\Seen \Flagged)")]),
        ("move", {"MOVE", "UIDPLUS"}, [("MOVE", "7", '"Done"')]),
        (
            "move",
            {"UIDPLUS"},
            [
                ("COPY", "7", '"Done"'),
                ("STORE", "7", "+FLAGS.SILENT", r"(\Deleted)"),
                ("EXPUNGE", "7"),
            ],
        ),  # fmt: skip
        ("move", set(), [("COPY", "7", '"Done"'), ("STORE", "7", "+FLAGS.SILENT", r"(\Deleted)")]),
    ],
)
def test_after_commands(after: str, capabilities: set[str], commands: list) -> None:
    assert after_commands(after, "Done", "7", capabilities) == commands


def test_dedupe_keys_follow_the_message_id_else_the_uid() -> None:
    one = dedupe_key("<a@x>", "1", "5")
    assert one == dedupe_key(" <a@x> ", "2", "9")  # another copy, another mailbox: the same
    assert one != dedupe_key("<b@x>", "1", "5")
    assert dedupe_key(None, "1", "5") == dedupe_key("", "1", "5") != dedupe_key(None, "1", "6")
    assert one.startswith("email:") and len(dedupe_key("<" + "x" * 900 + ">", "", "")) <= 200


@pytest.mark.parametrize(
    ("failures", "delay"), [(0, 2.0), (1, 2.0), (2, 4.0), (5, 32.0), (9, 300.0), (50, 300.0)]
)
def test_reconnect_delay(failures: int, delay: float) -> None:
    assert reconnect_delay(failures) == delay


PAYLOAD = {"from": "Ada <ADA@example.com>", "subject": "Invoice 7", "attachments": [{}]}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, True),
        ({"from_contains": "ada@"}, True),
        ({"from_contains": "eve@"}, False),
        ({"subject_contains": "INVOICE"}, True),
        ({"subject_contains": "receipt"}, False),
        ({"has_attachment": True}, True),
        ({"has_attachment": False}, False),
        ({"from_contains": "ada", "subject_contains": "7", "has_attachment": True}, True),
    ],
)
def test_filters(filters: dict[str, Any], expected: bool) -> None:
    full = {"from_contains": None, "subject_contains": None, "has_attachment": None, **filters}
    assert matches(PAYLOAD, **full) is expected


def _parsed(mail: EmailMessage) -> EmailMessage:
    parsed = BytesParser(policy=policy.default).parsebytes(mail.as_bytes())
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_the_payload_of_a_message_with_text_html_and_an_attachment() -> None:
    mail = EmailMessage()
    mail["From"] = "Ada Lovelace <ada@example.com>"
    mail["To"] = "ops@example.com, Bob <bob@example.com>"
    mail["Subject"], mail["Message-ID"] = "Grüße", "<1@example.com>"
    mail["Date"] = "Wed, 02 Dec 2026 10:00:00 +0100"
    mail.set_content("plain\r\nbody\n")
    mail.add_alternative("<p>html</p>", subtype="html")
    mail.add_attachment(b"\x00" * 300, maintype="application", subtype="pdf", filename="a.pdf")
    payload = message_payload(_parsed(mail))
    assert payload["from_address"] == "ada@example.com"
    assert payload["to"] == ["ops@example.com", "bob@example.com"] and payload["cc"] == []
    assert payload["subject"] == "Grüße" and payload["date"] == "2026-12-02T10:00:00+01:00"
    assert (payload["text"], payload["html"]) == ("plain\nbody\n", "<p>html</p>\n")
    assert payload["attachments"] == [
        {"name": "a.pdf", "size": 300, "content_type": "application/pdf"}
    ]
    assert payload["headers"]["Message-ID"] == "<1@example.com>"


def test_the_payload_is_bounded() -> None:
    mail = EmailMessage()
    for n in range(MAX_HEADERS + 20):
        mail[f"X-H{n}"] = "v" * 3000
    mail["Received"] = "one"
    mail.set_content("x" * (MAX_BODY_CHARS + 10))
    payload = message_payload(_parsed(mail))
    assert len(payload["headers"]) == MAX_HEADERS
    assert all(len(v) <= 1000 for v in payload["headers"].values())
    assert len(payload["text"]) == MAX_BODY_CHARS and payload["text_truncated"] is True
    assert (payload["html"], payload["message_id"], payload["date"]) == ("", None, None)


def test_fetch_answer_helpers() -> None:
    lines = [b"1 FETCH (UID 5 RFC822.SIZE 53 BODY[] {53}", bytearray(b"From: a\r\n\r\nx"), b")",
             b"Fetch completed"]  # fmt: skip
    assert fetched_message(lines) == b"From: a\r\n\r\nx" and fetched_size(lines) == 53
    assert fetched_message([b"Fetch completed"]) is None and fetched_size([b"done"]) is None
    selected = [b"1 EXISTS", b"OK [UIDVALIDITY 1796235183] UIDs valid", b"done"]
    assert uid_validity(selected) == "1796235183" and uid_validity([]) == ""
    login = [b"CAPABILITY IMAP4rev1 IDLE move", b"Logged in"]
    assert capabilities_from(login) == {"IMAP4REV1", "IDLE", "MOVE"}
    assert capabilities_from([b"Logged in"]) == frozenset()
