"""The failing-workflow rule and its sentence."""

from __future__ import annotations

import pytest

from app.core.run_health import Failing, banner, failing

S, F, X, P = "succeeded", "failed", "interrupted", "partial"


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([F, F, F, F, S], Failing("X", 4, 5)),
        ([F, S, F, S, F], Failing("X", 3, 5)),
        ([F, F, S, S, S], None),  # two of five: not yet
        ([S, F, F, F, F, F, F], Failing("X", 4, 5)),  # only the last five count
        ([F, X, F], Failing("X", 3, 3)),  # interrupted counts as failed
        ([F, F], Failing("X", 2, 2)),  # new and failing every time
        ([F], None),  # one failure is not a pattern
        ([F, S], None),
        ([P, P, P, P, P], None),  # partial runs are not failures
        ([], None),
    ],
)
def test_a_workflow_is_failing_when(statuses: list[str], expected: Failing | None) -> None:
    assert failing({"X": statuses}) == ([expected] if expected else [])


def test_the_worst_come_first_then_by_name() -> None:
    found = failing(
        {"b": [F, F, F, S, S], "a": [F, F, F, S, S], "c": [F, F, F, F, F], "ok": [S] * 5}
    )
    assert [f.workflow for f in found] == ["c", "a", "b"]


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        ([], ""),
        ([Failing("Nightly import", 4, 5)], "4 of the last 5 runs of Nightly import failed"),
        ([Failing("Sync", 2, 2)], "The last 2 runs of Sync failed"),
        (
            [Failing(n, 5, 5) for n in "abcde"],
            "The last 5 runs of a failed; the last 5 runs of b failed; "
            "the last 5 runs of c failed; and 2 more workflows failing",
        ),
        (
            [Failing(n, 5, 5) for n in "abcd"],
            "The last 5 runs of a failed; the last 5 runs of b failed; "
            "the last 5 runs of c failed; and 1 more workflow failing",
        ),
    ],
)
def test_the_banner_sentence(found: list[Failing], expected: str) -> None:
    assert banner(found) == expected
