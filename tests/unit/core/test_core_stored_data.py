"""What is kept of a step's data: masked, then capped with a visible marker."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.core.redact import REDACTED
from app.core.stored_data import (
    MARKER_OVERHEAD,
    cap_text,
    cap_value,
    human_bytes,
    is_truncated,
    json_size,
    stored_error,
    stored_value,
)

KIB = 1_024


@pytest.mark.parametrize(
    "value",
    [None, True, 0, 3.5, "", "short", {"a": 1}, [1, 2, 3], {"x": "y" * 900}, "é" * 100],
)
def test_values_within_the_limit_are_kept_as_they_are(value: Any) -> None:
    assert cap_value(value, KIB) == value


@pytest.mark.parametrize(
    ("size", "text"),
    [(999, "999 B"), (1_000, "1.0 kB"), (12_345, "12.3 kB"), (5_242_880, "5.2 MB")],
)
def test_human_bytes(size: int, text: str) -> None:
    assert human_bytes(size) == text


@pytest.mark.parametrize(
    ("text", "limit", "label"),
    [
        ("a" * 5_242_880, 1_048_576, "showing the first 1 MiB"),
        ("a" * 5_000, 2 * KIB, "showing the first 2 KiB"),
        ("a" * 5_000, 1_500, "showing the first 1500 bytes"),
        ("\n" * 5_000, KIB, "showing the first 1 KiB"),  # escapes count double
        ("é" * 5_000, KIB, "showing the first 1 KiB"),  # \u00e9: six bytes each
    ],
)
def test_long_text_keeps_its_start_and_says_how_big_it_was(
    text: str, limit: int, label: str
) -> None:
    capped = cap_text(text, limit)
    assert capped.startswith(text[:10])
    assert f"[truncated: {human_bytes(json_size(text))}, {label}]" in capped
    assert limit // 2 < json_size(capped) <= limit
    assert cap_text(capped, limit) == capped  # capping twice changes nothing


@pytest.mark.parametrize(
    "value",
    [
        {"status": 200, "body": "x" * 50_000},
        [{"id": i, "name": f"item {i}"} for i in range(5_000)],
        {"nested": {"deep": ['é\n"' * 10_000]}},
    ],
)
def test_big_structures_become_a_json_marker_with_a_preview(value: Any) -> None:
    capped = cap_value(value, 4 * KIB)
    assert is_truncated(capped)
    assert capped["original_bytes"] == json_size(value)
    assert json.dumps(value).startswith(capped["preview"])
    assert 4 * KIB - MARKER_OVERHEAD - 10 < json_size(capped) <= 4 * KIB
    assert cap_value(capped, 4 * KIB) == capped
    assert json.loads(json.dumps(capped)) == capped  # plain JSON


def test_a_marker_is_recognised_and_ordinary_data_is_not() -> None:
    assert not is_truncated({"_truncated": "yes", "preview": ""})
    assert not is_truncated({"preview": "x"})
    assert is_truncated(cap_value(["x" * 100] * 100, KIB))


def test_secrets_are_masked_before_capping_so_no_half_secret_is_kept() -> None:
    secret = "sk-live-0123456789abcdef"
    text = "a" * (KIB - 20) + secret + "b" * 5_000  # the cut would fall inside the secret
    stored = stored_value(text, [secret], KIB)
    assert "sk-live" not in stored and "[truncated" in stored
    value = {"echo": {"Authorization": "x"}, "body": f"token={secret}"}
    assert stored_value(value, [secret], KIB) == {
        "echo": {"Authorization": REDACTED},
        "body": f"token={REDACTED}",
    }


@pytest.mark.parametrize(
    ("error", "limit", "longest"),
    [
        (None, KIB, None),
        ("boom", KIB, 4),
        ("e" * 10_000, KIB, KIB),
        ("e" * 10_000, 1_048_576, 5_000),  # the error columns hold 5000 characters
    ],
)
def test_errors_are_capped_to_the_limit_and_the_column(
    error: str | None, limit: int, longest: int | None
) -> None:
    stored = stored_error(error, [], limit)
    if longest is None:
        assert stored is None
    else:
        assert stored is not None and len(stored) <= longest
