"""The file_watch trigger's pure decisions: allowed directories and one batch's events."""

from __future__ import annotations

from pathlib import PurePath

import pytest

from app.core.file_watch import EVENTS, batch_events, watch_problem

ROOTS = [PurePath("/srv/in"), PurePath("/data")]


@pytest.mark.parametrize(
    ("path", "roots", "problem"),
    [
        ("/srv/in", ROOTS, None),
        ("/srv/in/orders", ROOTS, None),
        ("/data/x/y", ROOTS, None),
        ("/srv/inbox", ROOTS, "/srv/inbox is not under an allowed directory"),
        ("/etc", ROOTS, "/etc is not under an allowed directory"),
        ("/srv/in", [], "no directory may be watched: set FLOWDECK_WATCH_ROOTS"),
    ],
)
def test_watch_problem(path: str, roots: list[PurePath], problem: str | None) -> None:
    found = watch_problem(PurePath(path), roots)
    assert found == problem if problem is None else (found or "").startswith(problem)


ALL = list(EVENTS)
BATCHES = [
    # one event per file: created-then-written counts as created
    ([("created", "/d/a.csv"), ("modified", "/d/a.csv")], ["*"], ALL, [("created", "/d/a.csv")]),
    ([("modified", "/d/a.csv"), ("modified", "/d/a.csv")], ["*"], ALL,
     [("modified", "/d/a.csv")]),
    ([("modified", "/d/a.csv"), ("deleted", "/d/a.csv")], ["*"], ALL, [("deleted", "/d/a.csv")]),
    ([("created", "/d/a.csv"), ("deleted", "/d/a.csv")], ["*"], ALL, [("deleted", "/d/a.csv")]),
    ([("deleted", "/d/a.csv"), ("created", "/d/a.csv")], ["*"], ALL, [("created", "/d/a.csv")]),
    # patterns match the file name
    ([("created", "/d/a.csv"), ("created", "/d/b.txt")], ["*.csv"], ALL,
     [("created", "/d/a.csv")]),
    ([("created", "/d/a.csv"), ("created", "/d/b.txt")], ["*.txt", "a.*"], ALL,
     [("created", "/d/a.csv"), ("created", "/d/b.txt")]),
    ([("created", "/d/A.CSV")], ["*.csv"], ALL, []),  # case counts
    # events filter what is left
    ([("created", "/d/a"), ("deleted", "/d/b"), ("modified", "/d/c")], ["*"], ["deleted"],
     [("deleted", "/d/b")]),
    # sorted by path
    ([("created", "/d/z"), ("created", "/d/a")], ["*"], ALL, [("created", "/d/a"),
                                                             ("created", "/d/z")]),
    ([], ["*"], ALL, []),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "patterns", "events", "expected"), BATCHES)
def test_batch_events(
    changes: list[tuple[str, str]],
    patterns: list[str],
    events: list[str],
    expected: list[tuple[str, str]],
) -> None:
    assert batch_events(changes, patterns=patterns, events=events) == expected
