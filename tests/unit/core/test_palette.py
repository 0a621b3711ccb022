"""The command palette's decisions: what a query asks for, how names rank, the error snippet."""

from __future__ import annotations

import pytest

from app.core.palette import (
    MAX_QUERY,
    Entry,
    Query,
    like_pattern,
    parse,
    ranked,
    score,
    snippet,
)


@pytest.mark.parametrize(
    ("raw", "query"),
    [
        ("", Query("")),
        ("   ", Query("")),
        ("#42", Query("#42", execution_id=42)),
        ("42", Query("42", execution_id=42)),
        ("# 7", Query("# 7", execution_id=7)),
        ("#42a", Query("#42a")),
        ("#" + "9" * 19, Query("#" + "9" * 19)),  # past any id: plain text
        ("run  Weather   digest", Query("run Weather digest", run_name="Weather digest")),
        ("RUN x", Query("RUN x", run_name="x")),
        ("run", Query("run")),
        ("running", Query("running")),
        ("  timeout\n error ", Query("timeout error")),
    ],
)
def test_parse(raw: str, query: Query) -> None:
    assert parse(raw) == query


def test_parse_cuts_long_queries() -> None:
    assert len(parse("x" * 10_000).text) == MAX_QUERY


@pytest.mark.parametrize(
    ("text", "searches"),
    [("", False), ("ab", False), ("abc", True), ("#123", False), ("123", False)],
)
def test_errors_are_searched_from_three_characters_and_never_for_a_number(
    text: str, searches: bool
) -> None:
    assert parse(text).searches_errors is searches


@pytest.mark.parametrize(
    ("query", "name", "expected"),
    [
        ("", "Anything", 0),
        ("workflows", "Workflows", 4000 - 9),  # the whole name
        ("work", "Workflows", 3000 - 9),  # its start
        ("digest", "Weather digest", 2000 - 14),  # a word's start
        ("ather", "Weather digest", 1000 - 14),  # inside
        ("nwf", "New workflow", 0 - 12),  # letters in order
        ("zz", "Workflows", None),
        ("wfx", "Workflows", None),
    ],
)
def test_score(query: str, name: str, expected: int | None) -> None:
    assert score(query, name) == expected


def test_a_shorter_name_wins_a_tie() -> None:
    assert score("exec", "Executions") > score("exec", "Executions that failed")  # type: ignore[operator]


ENTRIES = [
    Entry("page", "Workflows", "/admin/workflows"),
    Entry("page", "Executions", "/admin/executions"),
    Entry("page", "Data", "/admin/data", admin_only=True),
    Entry("action", "New workflow", "/admin/workflows/new", keywords="create add"),
    Entry("action", "Log out", "log-out", keywords="sign out"),
]


@pytest.mark.parametrize(
    ("query", "admin", "labels"),
    [
        ("", True, ["Workflows", "Executions", "Data", "New workflow", "Log out"]),
        ("", False, ["Workflows", "Executions", "New workflow", "Log out"]),
        ("work", True, ["Workflows", "New workflow"]),
        ("data", False, []),  # not for members
        ("data", True, ["Data"]),
        ("create", True, ["New workflow"]),  # by a keyword
        ("sign", True, ["Log out"]),
        ("out", True, ["Log out"]),
        ("qqq", True, []),
    ],
)
def test_ranked(query: str, admin: bool, labels: list[str]) -> None:
    assert [e.label for e in ranked(query, ENTRIES, admin=admin, limit=10)] == labels


def test_ranked_keeps_to_the_limit() -> None:
    assert len(ranked("", ENTRIES, admin=True, limit=2)) == 2


ERROR = "step fetch failed: HTTP 503 from https://api.example.com/weather after 3 attempts"


@pytest.mark.parametrize(
    ("text", "needle", "width", "expected"),
    [
        ("short error", "err", 90, "short error"),
        ("two\n  lines", "x", 90, "two lines"),
        (ERROR, "503", 30, "…led: HTTP 503 from https://api…"),
        (ERROR, "attempts", 30, "…e.com/weather after 3 attempts"),
        (ERROR, "STEP", 30, "step fetch failed: HTTP 503 fr…"),
        (ERROR, "absent", 20, "step fetch failed: …"),
    ],
)
def test_snippet(text: str, needle: str, width: int, expected: str) -> None:
    assert snippet(text, needle, width) == expected


@pytest.mark.parametrize(
    ("text", "pattern"),
    [("time", "%time%"), ("100%", "%100\\%%"), ("a_b", "%a\\_b%"), ("c:\\x", "%c:\\\\x%")],
)
def test_like_pattern_escapes(text: str, pattern: str) -> None:
    assert like_pattern(text) == pattern
