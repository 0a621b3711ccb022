"""Nesting depth of a JSON text, counted outside strings."""

from __future__ import annotations

import json

import pytest

from app.core.json_depth import MAX_JSON_DEPTH, nests_deeper_than


def _nested(levels: int, opener: str = "[") -> bytes:
    """`levels` arrays (or objects) inside each other around a 1."""
    head, closer = ("[", "]") if opener == "[" else ('{"a": ', "}")
    text = head * levels + "1" + closer * levels
    json.loads(text)
    return text.encode()


@pytest.mark.parametrize(
    ("raw", "deeper"),
    [
        (b"{}", False),
        (b'{"a": [1, 2, {"b": 3}]}', False),
        (_nested(MAX_JSON_DEPTH), False),
        (_nested(MAX_JSON_DEPTH + 1), True),
        (_nested(MAX_JSON_DEPTH + 1, "{"), True),
        (_nested(900, "{"), True),
        # brackets inside strings, escaped quotes included, do not count
        (json.dumps({"text": "[" * 500 + '\\"' + "{" * 500}).encode(), False),
        (json.dumps(["[" * 100] * 100).encode(), False),  # many, side by side, not nested
        (json.dumps([[i] for i in range(500)]).encode(), False),
    ],
)
def test_nests_deeper_than(raw: bytes, deeper: bool) -> None:
    assert nests_deeper_than(raw) is deeper


def test_a_smaller_limit() -> None:
    assert nests_deeper_than(b"[[[1]]]", limit=2)
    assert not nests_deeper_than(b"[[[1]]]", limit=3)
