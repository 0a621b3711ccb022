"""Webhook signatures: GitHub's published vector and Flowdeck's timestamped scheme."""

from __future__ import annotations

import pytest

from app.core.signatures import (
    flowdeck_signature,
    github_signature,
    verify_flowdeck,
    verify_github,
)

# https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
GITHUB_SECRET = "It's a Secret to Everybody"
GITHUB_BODY = b"Hello, World!"
GITHUB_EXPECTED = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_github_published_vector() -> None:
    assert github_signature(GITHUB_SECRET.encode(), GITHUB_BODY) == GITHUB_EXPECTED
    assert github_signature(GITHUB_SECRET, GITHUB_BODY) == GITHUB_EXPECTED


@pytest.mark.parametrize(
    ("secret", "body", "header", "expected"),
    [
        (GITHUB_SECRET, GITHUB_BODY, GITHUB_EXPECTED, True),
        (GITHUB_SECRET, GITHUB_BODY, GITHUB_EXPECTED.upper(), False),
        (GITHUB_SECRET, b"Hello, World?", GITHUB_EXPECTED, False),
        ("another secret", GITHUB_BODY, GITHUB_EXPECTED, False),
        (GITHUB_SECRET, GITHUB_BODY, GITHUB_EXPECTED.removeprefix("sha256="), False),
        (GITHUB_SECRET, GITHUB_BODY, "", False),
        (GITHUB_SECRET, GITHUB_BODY, None, False),
        (GITHUB_SECRET, GITHUB_BODY, "sha256=ünïcode", False),
    ],
)
def test_verify_github(secret: str, body: bytes, header: str | None, expected: bool) -> None:
    assert verify_github(secret, body, header) is expected


SECRET = b"whsec_test"
BODY = b'{"event": "article.ready"}'
TS = 1_780_000_000


def test_flowdeck_signature_format() -> None:
    header = flowdeck_signature(SECRET, TS, BODY)
    assert header.startswith(f"t={TS},v1=")
    assert len(header.partition(",v1=")[2]) == 64


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (TS, True),
        (TS + 299, True),
        (TS + 300, True),
        (TS + 301, False),  # too old: a replay
        (TS - 300, True),
        (TS - 301, False),  # from the future
    ],
)
def test_verify_flowdeck_tolerance_both_ways(now: float, expected: bool) -> None:
    header = flowdeck_signature(SECRET, TS, BODY)
    assert verify_flowdeck(SECRET, BODY, header, now=now) is expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, False),
        ("", False),
        (f"t={TS}", False),
        ("v1=" + "0" * 64, False),
        (f"t=abc,v1={'0' * 64}", False),
        (f"t={TS},v1={'0' * 64}", False),
        (f"t={TS},v1={'0' * 64},v1=__GOOD__", True),  # rotation: any v1 may match
        (f"t={TS + 1},v1=__GOOD__", False),  # timestamp is part of what is signed
        (f" t={TS} , v1=__GOOD__ ", True),
    ],
)
def test_verify_flowdeck_header_parsing(header: str | None, expected: bool) -> None:
    good = flowdeck_signature(SECRET, TS, BODY).partition(",v1=")[2]
    if header is not None:
        header = header.replace("__GOOD__", good)
    assert verify_flowdeck(SECRET, BODY, header, now=TS) is expected


def test_verify_flowdeck_rejects_other_body_and_secret() -> None:
    header = flowdeck_signature(SECRET, TS, BODY)
    assert not verify_flowdeck(SECRET, BODY + b" ", header, now=TS)
    assert not verify_flowdeck(b"other", BODY, header, now=TS)
    assert verify_flowdeck(SECRET, BODY, header, now=TS + 50, tolerance=60)
    assert not verify_flowdeck(SECRET, BODY, header, now=TS + 61, tolerance=60)
