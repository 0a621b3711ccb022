"""A list's filters read from and written to the address."""

from __future__ import annotations

import pytest

from app.core.list_query import ALL, query_string, read_filters

ALLOWED = {"workflow": None, "status": ("failed", "succeeded"), "range": ("1h", ALL)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"workflow": ALL, "status": ALL, "range": ALL}),
        (
            {"workflow": "12", "status": "failed", "range": "1h"},
            {"workflow": "12", "status": "failed", "range": "1h"},
        ),
        ({"workflow": "x1", "status": "FAILED", "range": "2y"}, {**dict.fromkeys(ALLOWED, ALL)}),
        ({"workflow": "1" * 13}, {**dict.fromkeys(ALLOWED, ALL)}),
        ({"workflow": "-3", "status": ""}, {**dict.fromkeys(ALLOWED, ALL)}),
        (
            {"other": "x", "status": "succeeded"},
            {"workflow": ALL, "status": "succeeded", "range": ALL},
        ),
    ],
)
def test_only_offered_values_are_read_back(query: dict, expected: dict) -> None:
    assert read_filters(query, ALLOWED) == expected


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"workflow": ALL, "status": ALL}, ""),
        ({"workflow": "3", "status": ALL}, "?workflow=3"),
        (
            {"workflow": "3", "status": "failed", "range": "24h"},
            "?workflow=3&status=failed&range=24h",
        ),
        ({"q": "a b&c"}, "?q=a+b%26c"),
    ],
)
def test_only_set_filters_are_written(filters: dict, expected: str) -> None:
    assert query_string(filters) == expected


def test_what_is_written_reads_back_the_same() -> None:
    filters = {"workflow": "7", "status": "failed", "range": ALL}
    from urllib.parse import parse_qsl

    query = dict(parse_qsl(query_string(filters)[1:]))
    assert read_filters(query, ALLOWED) == filters
