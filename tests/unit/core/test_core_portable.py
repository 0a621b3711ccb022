"""Same answers on SQLite and PostgreSQL: LIKE escaping, non-finite floats, NUL text, labels."""

from __future__ import annotations

import math

import pytest

from app.core.portable import (
    bounded_label,
    contains_pattern,
    escape_like,
    has_nul,
    json_safe,
    non_finite_text,
)


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("plain", "plain"),
        ("50%", "50\\%"),
        ("a_b", "a\\_b"),
        ("C:\\dir", "C:\\\\dir"),
        ("\\%_", "\\\\\\%\\_"),  # the escape character is escaped first, then the wildcards
        ("", ""),
    ],
)
def test_escape_like(text: str, escaped: str) -> None:
    assert escape_like(text) == escaped


def test_contains_pattern_wraps_the_escaped_text() -> None:
    assert contains_pattern("5%_") == "%5\\%\\_%"


@pytest.mark.parametrize(
    ("value", "text"),
    [(math.inf, "Infinity"), (-math.inf, "-Infinity"), (math.nan, "NaN")],
)
def test_non_finite_text(value: float, text: str) -> None:
    assert non_finite_text(value) == text


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        (1.5, 1.5),
        (math.inf, "Infinity"),
        ({"a": [1, -math.inf, {"b": math.nan}]}, {"a": [1, "-Infinity", {"b": "NaN"}]}),
        ((math.inf, 2), ["Infinity", 2]),
        ("NaN", "NaN"),
        (None, None),
        (True, True),
    ],
)
def test_json_safe(value: object, safe: object) -> None:
    assert json_safe(value) == safe


def test_json_safe_returns_unchanged_containers_as_they_are() -> None:
    value = {"a": [1, 2.5, {"b": "c"}]}
    assert json_safe(value) is value


@pytest.mark.parametrize(
    ("value", "found"),
    [("ok", False), ("a\x00b", True), ("\\u0000", False), (b"\x00", False), (None, False)],
)
def test_has_nul(value: object, found: bool) -> None:
    assert has_nul(value) is found


@pytest.mark.parametrize(
    ("name", "suffix", "limit", "label"),
    [
        ("ann@example.com", " (API key 7)", 320, "ann@example.com (API key 7)"),
        ("a" * 320, " (API key 7)", 320, "a" * 307 + "…" + " (API key 7)"),
        ("a" * 400, "", 320, "a" * 319 + "…"),
        ("abc", " (API key 123456789)", 10, "… (API key"),  # the limit always holds
    ],
)
def test_bounded_label(name: str, suffix: str, limit: int, label: str) -> None:
    assert bounded_label(name, suffix, limit) == label
    assert len(bounded_label(name, suffix, limit)) <= limit


def test_a_nul_in_a_stored_error_is_written_as_its_escape() -> None:
    from app.core.stored_data import stored_error

    assert stored_error("bad\x00answer", [], 1000) == "bad\\u0000answer"
