"""Undo / redo on a bounded stack: record, undo, redo, coalescing, the bound, shared snapshots."""

from __future__ import annotations

import json

import pytest

from app.core.design_history import (
    COALESCE_S,
    LIMIT,
    History,
    changed_key,
    record,
    redo,
    share,
    undo,
)

A, B, C, D = ("a",), ("b",), ("c",), ("d",)


def _walk(ops: list[tuple]) -> tuple[History, tuple[str, ...]]:
    """Apply ("edit", new, key, now) / ("undo",) / ("redo",) to a document starting at A."""
    history, current = History(), A
    for op in ops:
        if op[0] == "edit":
            _, new, key, now = op
            history, current = record(history, current, key, now), new
        else:
            step = (undo if op[0] == "undo" else redo)(history, current)
            if step is not None:
                history, current = step
    return history, current


@pytest.mark.parametrize(
    ("ops", "current", "undos", "redos"),
    [
        ([], A, 0, 0),
        ([("undo",)], A, 0, 0),
        ([("redo",)], A, 0, 0),
        ([("edit", B, "", 0.0)], B, 1, 0),
        ([("edit", B, "", 0.0), ("undo",)], A, 0, 1),
        ([("edit", B, "", 0.0), ("undo",), ("redo",)], B, 1, 0),
        ([("edit", B, "", 0.0), ("edit", C, "", 1.0), ("undo",), ("undo",)], A, 0, 2),
        ([("edit", B, "", 0.0), ("edit", C, "", 1.0), ("undo",), ("undo",), ("redo",)], B, 1, 1),
        # a new edit after an undo drops what could be redone
        ([("edit", B, "", 0.0), ("undo",), ("edit", C, "", 1.0), ("redo",)], C, 1, 0),
        # typing in one field: one entry; another field, or too late, is a new one
        ([("edit", B, "0:name", 0.0), ("edit", C, "0:name", 1.0), ("undo",)], A, 0, 1),
        ([("edit", B, "0:name", 0.0), ("edit", C, "0:url", 1.0), ("undo",)], B, 1, 1),
        ([("edit", B, "0:name", 0.0), ("edit", C, "0:name", COALESCE_S + 0.5)], C, 2, 0),
        # the window slides: each keystroke keeps the burst open
        (
            [("edit", B, "0:n", 0.0), ("edit", C, "0:n", 1.5), ("edit", D, "0:n", 3.0), ("undo",)],
            A,
            0,
            1,
        ),
        # canvas edits never coalesce, even back to back
        ([("edit", B, "", 0.0), ("edit", C, "", 0.0), ("undo",)], B, 1, 1),
        # nothing joins an entry across an undo
        (
            [("edit", B, "0:n", 0.0), ("edit", C, "", 0.1), ("undo",), ("edit", D, "0:n", 0.2)],
            D,
            2,
            0,
        ),
    ],
)
def test_record_undo_redo(ops, current, undos, redos):
    history, now = _walk(ops)
    assert now == current
    assert (len(history.past), len(history.future)) == (undos, redos)
    assert history.can_undo == bool(undos) and history.can_redo == bool(redos)


def test_fifty_undos_and_fifty_redos_walk_every_step():
    history, current = History(), ("0",)
    for n in range(1, 61):
        history, current = record(history, current, "", float(n)), (str(n),)
    seen = []
    for _ in range(50):
        history, current = undo(history, current)  # type: ignore[misc]
        seen.append(current[0])
    assert seen == [str(n) for n in range(59, 9, -1)]
    for _ in range(50):
        history, current = redo(history, current)  # type: ignore[misc]
    assert current == ("60",) and not history.can_redo


@pytest.mark.parametrize(("edits", "limit", "kept"), [(5, 3, 3), (150, LIMIT, LIMIT), (2, 0, 0)])
def test_the_stack_is_bounded_and_drops_the_oldest(edits, limit, kept):
    history = History()
    for n in range(edits):
        history = record(history, (str(n),), "", float(n), limit=limit)
    assert len(history.past) == kept
    if kept:
        assert history.past[0].snapshot == (str(edits - kept),)


def test_share_reuses_equal_strings():
    old = ("x" * 50 + "1", "y" * 50)
    new = share(["x" * 50 + "1", "y" * 49 + "z", "new"], old)
    assert new == ("x" * 50 + "1", "y" * 49 + "z", "new")
    assert new[0] is old[0] and new[1] is not old[1]
    assert share([], old) == ()


def _step(**fields) -> str:
    return json.dumps({"id": "a", "name": "", "url": "", **fields}, sort_keys=True)


@pytest.mark.parametrize(
    ("before", "after", "key"),
    [
        ((_step(),), (_step(name="N"),), "0:name"),
        ((_step(), _step(id="b")), (_step(), _step(id="b", url="u")), "1:url"),
        ((_step(),), (_step(name="N", url="u"),), ""),  # two fields
        ((_step(), _step()), (_step(name="x"), _step(name="y")), ""),  # two steps
        ((_step(),), (_step(), _step(id="b")), ""),  # a step added
        ((_step(),), (_step(),), ""),  # nothing
        (("not json",), ("still not",), ""),
        (("[1]",), ("[2]",), ""),
    ],
)
def test_changed_key(before, after, key):
    assert changed_key(before, after) == key
