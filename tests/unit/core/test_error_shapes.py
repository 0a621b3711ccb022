"""Error messages grouped by shape."""

from __future__ import annotations

import pytest

from app.core.error_shapes import SHAPE_MAX, shape, shape_hash


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("timeout after 30.2 s calling https://a.io/x?id=7", "timeout after <n> s calling <url>"),
        ("HTTP 500 from server at 2026-12-01T18:23:37Z", "HTTP 500 from server at <time>"),
        ("HTTP/1.1 503 Service Unavailable", "HTTP/1.1 503 Service Unavailable"),
        ("status code 429", "status code 429"),
        ("GET http://127.0.0.1:5/x answered 404", "GET <url> answered 404"),
        ('user "bob" not found', "user <str> not found"),
        ("KeyError: 'name'", "KeyError: <str>"),
        ("row 12345 missing (request req_8f3a9c21)", "row <n> missing (request <id>)"),
        ("invalid 3f2b1c4e-1111-2222-3333-444455556666", "invalid <uuid>"),
        ("hash deadbeef12 mismatch", "hash <id> mismatch"),
        ("mail to a.b@example.com failed", "mail to <email> failed"),
        ("order ORD-2024-00017 rejected", "order <id> rejected"),
        ("value -3.5e10 too large", "value <n> too large"),
        ("on 2026-11-30 at 10:00", "on <time> at <n>:<n>"),
        ("Error in step http_1", "Error in step http_1"),
        ("retry 3 of 5", "retry <n> of <n>"),
        ("  spaced\n\tout  ", "spaced out"),
        ("", "(no message)"),
        (None, "(no message)"),
    ],
)
def test_shape(message: str | None, expected: str) -> None:
    assert shape(message) == expected


def test_occurrences_of_one_failure_share_a_shape_and_others_do_not() -> None:
    a = shape("Timeout after 30 s calling https://api.one/items/17")
    b = shape("Timeout after 12.5 s calling https://api.two/")
    c = shape("HTTP 404 calling https://api.one/items/17")
    d = shape("HTTP 500 calling https://api.one/items/17")
    assert a == b and len({a, c, d}) == 3
    assert shape_hash(a) == shape_hash(b) != shape_hash(c)


def test_shape_hash_is_stable_and_short() -> None:
    assert shape_hash("x <n>") == shape_hash("x <n>")
    assert len(shape_hash("anything")) == 16
    assert shape_hash("x") == "2d711642b726b044"


def test_long_messages_are_cut() -> None:
    out = shape("word " * 2000)
    assert len(out) == SHAPE_MAX and out.endswith("…")
