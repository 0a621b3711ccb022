"""Row selection and the words of a bulk action's confirmation and summary."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.bulk_selection import headline, outcome, page_toggled, question, toggled


@pytest.mark.parametrize(
    ("selected", "item", "on", "expected"),
    [
        ([], 3, True, [3]),
        ([1, 3], 3, True, [1, 3]),
        ([1, 3], 2, True, [1, 3, 2]),
        ([1, 3], 3, False, [1]),
        ([1], 9, False, [1]),
    ],
)
def test_toggled(selected: list[int], item: int, on: bool, expected: list[int]) -> None:
    assert toggled(selected, item, on) == expected


@pytest.mark.parametrize(
    ("selected", "page", "on", "expected"),
    [
        ([], [4, 5, 6], True, [4, 5, 6]),
        ([9, 5], [4, 5, 6], True, [9, 5, 4, 6]),  # other pages' picks kept, no duplicates
        ([9, 5, 4], [4, 5, 6], False, [9]),
        ([1], [], True, [1]),
        ([], [2, 2], True, [2]),
    ],
)
def test_page_toggled(selected: list[int], page: list[int], on: bool, expected: list[int]) -> None:
    assert page_toggled(selected, page, on) == expected


@pytest.mark.parametrize(
    ("action", "count", "noun", "expected"),
    [
        ("pause", 3, "workflow", "Pause 3 workflows?"),
        ("delete", 1, "workflow", "Delete 1 workflow?"),
        ("retry", 2, "execution", "Retry 2 executions?"),
    ],
)
def test_question(action: str, count: int, noun: str, expected: str) -> None:
    assert question(action, count, noun) == expected


@pytest.mark.parametrize(
    ("action", "done", "failed", "expected"),
    [
        ("pause", 3, 0, "Paused 3 workflows"),
        ("pause", 2, 1, "Paused 2 of 3 workflows"),
        ("run", 1, 0, "Started 1 workflow"),
        ("activate", 0, 1, "Activated 0 of 1 workflow"),
    ],
)
def test_headline(action: str, done: int, failed: int, expected: str) -> None:
    assert headline(action, done, failed, "workflow") == expected


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"ok": True}, "Done"),
        ({"ok": True, "execution_id": 12}, "Started execution #12"),
        ({"ok": True, "execution_id": 12, "created": False}, "Already retrying: execution #12"),
        ({"ok": False, "error": "workflow 'a' is paused"}, "Workflow 'a' is paused"),
        ({"ok": False}, "Failed"),
    ],
)
def test_outcome(item: dict[str, Any], expected: str) -> None:
    assert outcome(item) == expected
