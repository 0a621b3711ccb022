"""What an alert watches and what it sent, in words."""

from __future__ import annotations

import pytest

from app.core.alert_words import DEFAULT_EVENTS, sent_text, watches


@pytest.mark.parametrize(
    ("events", "workflow", "minimum", "expected"),
    [
        (["workflow_fail"], None, None, "Failed runs of every workflow"),
        (["workflow_fail"], "Nightly import", None, "Failed runs of Nightly import"),
        (
            ["step_fail", "workflow_fail"],
            None,
            None,
            "Failed runs and failed steps of every workflow",
        ),
        (
            ["workflow_fail", "workflow_start", "workflow_complete"],
            "Digest",
            None,
            "Starts, successes and failed runs of Digest",
        ),
        (
            ["workflow_fail", "step_fail"],
            None,
            "error",
            "Failed runs and failed steps of every workflow (error and above)",
        ),
        ([], None, None, "Nothing: no event is ticked"),
    ],
)
def test_an_alert_watches(
    events: list[str], workflow: str | None, minimum: str | None, expected: str
) -> None:
    assert watches(events, workflow, minimum) == expected


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ((0, 0, 0, 0), "0 sent · 0 failed"),
        ((3, 1, 0, 0), "3 sent · 1 failed"),
        ((3, 1, 2, 0), "3 sent · 1 failed · tests: 2 sent"),
        ((0, 0, 2, 1), "0 sent · 0 failed · tests: 2 sent, 1 failed"),
    ],
)
def test_sent_counts_keep_test_sends_apart(
    counts: tuple[int, int, int, int], expected: str
) -> None:
    assert sent_text(*counts) == expected


def test_a_new_alert_hears_once_per_failure() -> None:
    assert DEFAULT_EVENTS == ("workflow_fail",)
