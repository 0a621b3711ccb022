"""A received email as a trigger payload, and the message bytes out of an IMAP FETCH answer.
Pure: the watcher parses the bytes (`email.parser.BytesParser(policy=policy.default)`) and
hands in the `EmailMessage`.

Everything is bounded: at most `MAX_HEADERS` header names, each value cut at
`MAX_HEADER_CHARS`; the text and HTML bodies each cut at `MAX_BODY_CHARS` (with
`text_truncated` / `html_truncated`); at most `MAX_ATTACHMENTS` attachments listed (name,
size in bytes, content type; never their content).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

MAX_HEADERS = 50
MAX_HEADER_CHARS = 1000
MAX_BODY_CHARS = 64_000
MAX_ATTACHMENTS = 50
MAX_ADDRESSES = 50


def _text(value: Any, limit: int = MAX_HEADER_CHARS) -> str:
    return str(value or "").replace("\x00", "")[:limit]


def _addresses(message: Message, name: str) -> list[str]:
    found = getaddresses([str(v) for v in message.get_all(name, [])])
    return [address for _, address in found if address][:MAX_ADDRESSES]


def _headers(message: Message) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in message.items():
        if name not in headers and len(headers) >= MAX_HEADERS:
            continue
        joined = f"{headers[name]}\n{value}" if name in headers else str(value)
        headers[name] = _text(joined)
    return headers


def _date(message: Message) -> str | None:
    raw = message.get("Date")
    if raw is None:
        return None
    try:
        return parsedate_to_datetime(str(raw)).isoformat()
    except (TypeError, ValueError, IndexError):
        return _text(raw, 200)


def _body(message: EmailMessage, kind: str) -> tuple[str, bool]:
    part = message.get_body(preferencelist=(kind,))
    if part is None:
        return "", False
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    text = str(content).replace("\x00", "").replace("\r\n", "\n")  # one line end, as sent
    return text[:MAX_BODY_CHARS], len(text) > MAX_BODY_CHARS


def attachments(message: EmailMessage) -> list[dict[str, Any]]:
    """Name, size (bytes) and content type of each attachment (at most `MAX_ATTACHMENTS`)."""
    found: list[dict[str, Any]] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        name = part.get_filename()
        if not (part.get_content_disposition() == "attachment" or name):
            continue
        data = part.get_payload(decode=True)
        found.append({
            "name": _text(name or "", 255) or None,
            "size": len(data) if isinstance(data, bytes) else 0,
            "content_type": part.get_content_type(),
        })  # fmt: skip
        if len(found) >= MAX_ATTACHMENTS:
            break
    return found


def message_payload(message: EmailMessage) -> dict[str, Any]:
    """The trigger payload of one parsed message."""
    text, text_cut = _body(message, "plain")
    html, html_cut = _body(message, "html")
    return {
        "message_id": _text(message.get("Message-ID"), 998).strip() or None,
        "from": _text(message.get("From")),
        "from_address": (_addresses(message, "From") or [None])[0],
        "to": _addresses(message, "To"),
        "cc": _addresses(message, "Cc"),
        "subject": _text(message.get("Subject")),
        "date": _date(message),
        "headers": _headers(message),
        "text": text,
        "text_truncated": text_cut,
        "html": html,
        "html_truncated": html_cut,
        "attachments": attachments(message),
    }


def fetched_message(lines: Sequence[bytes | bytearray]) -> bytes | None:
    """The message bytes (the literal) of a one-message `FETCH … BODY[]` answer, or None."""
    for line in lines:
        if isinstance(line, bytearray):
            return bytes(line)
    return None


def capabilities_from(lines: Sequence[bytes | bytearray]) -> frozenset[str]:
    """The upper-cased capability names of a CAPABILITY answer (or a login's answer with one)."""
    for line in lines:
        words = bytes(line).decode("ascii", "replace").split()
        if words and words[0].upper() == "CAPABILITY":
            return frozenset(w.upper() for w in words[1:])
    return frozenset()


def _joined(lines: Sequence[bytes | bytearray]) -> str:
    return " ".join(bytes(line).decode("ascii", "replace") for line in lines)


def fetched_size(lines: Sequence[bytes | bytearray]) -> int | None:
    """`RFC822.SIZE` of a one-message FETCH answer, or None (no such message any more)."""
    found = re.search(r"RFC822\.SIZE (\d+)", _joined(lines))
    return int(found.group(1)) if found else None


def uid_validity(lines: Sequence[bytes | bytearray]) -> str:
    """The `UIDVALIDITY` a SELECT answered with ("" if it said none)."""
    found = re.search(r"\[UIDVALIDITY (\d+)\]", _joined(lines))
    return found.group(1) if found else ""
