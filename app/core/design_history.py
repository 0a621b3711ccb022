"""Undo and redo for the designer: a bounded stack of snapshots, and nothing else.

A snapshot is whatever the caller restores; the designer keeps one JSON text per step, so a
snapshot is a tuple of strings and `share` lets the steps an edit did not touch keep the very
same string objects as the snapshot before (100 entries of a 200-step workflow cost about what
the edits changed, not 100 copies of it).

Each entry remembers what it undoes (`key`) and when: a burst of edits with the same non-empty
key (typing in one field of one step) within `COALESCE_S` seconds is one entry, so one undo
takes back the whole word rather than its last letter. An empty key never coalesces (each
canvas edit is its own entry). Recording a new edit drops what could be redone, as every
editor does. Times are passed in (`now`), so the tables below need no clock.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import NamedTuple

Snapshot = tuple[str, ...]
LIMIT = 100
COALESCE_S = 2.0


class Entry(NamedTuple):
    snapshot: Snapshot
    key: str  # what the edit after this snapshot changed ("" for a canvas edit)
    at: float  # when it was recorded, in the caller's seconds


class History(NamedTuple):
    """`past[-1]` is what one undo brings back; `future[-1]` what one redo brings back."""

    past: tuple[Entry, ...] = ()
    future: tuple[Entry, ...] = ()

    @property
    def can_undo(self) -> bool:
        return bool(self.past)

    @property
    def can_redo(self) -> bool:
        return bool(self.future)


def record(
    history: History, before: Snapshot, key: str = "", now: float = 0.0, limit: int = LIMIT
) -> History:
    """`before` (what there was before an edit) on the undo stack; nothing is left to redo.

    An edit with the same non-empty `key` as the last one, within `COALESCE_S` of it and with
    nothing undone in between, joins it: the older snapshot is kept, so undo skips both.
    """
    last = history.past[-1] if history.past else None
    if (
        key
        and last is not None
        and last.key == key
        and not history.future
        and 0 <= now - last.at <= COALESCE_S
    ):
        return History((*history.past[:-1], last._replace(at=now)), ())
    past = (*history.past, Entry(before, key, now))
    return History(past[-limit:] if limit > 0 else (), ())


def undo(history: History, current: Snapshot) -> tuple[History, Snapshot] | None:
    """The snapshot to restore and the history after it, or None when nothing is left."""
    if not history.past:
        return None
    entry = history.past[-1]
    return History(history.past[:-1], (*history.future, entry._replace(snapshot=current))), (
        entry.snapshot
    )


def redo(history: History, current: Snapshot) -> tuple[History, Snapshot] | None:
    """Undo undone: the snapshot to restore, or None when nothing was undone."""
    if not history.future:
        return None
    entry = history.future[-1]
    return History((*history.past, entry._replace(snapshot=current)), history.future[:-1]), (
        entry.snapshot
    )


def share(texts: Sequence[str], previous: Snapshot) -> Snapshot:
    """`texts` as a snapshot, reusing `previous`'s string objects where they are equal."""
    return tuple(
        previous[i] if i < len(previous) and previous[i] == text else text
        for i, text in enumerate(texts)
    )


def changed_key(before: Snapshot, after: Snapshot) -> str:
    """`"<i>:<field>"` when one field of one step changed (a JSON object per step), else "".

    The coalescing key of an edit made in the side panel: typing in the same field again
    joins the entry, any other edit starts a new one.
    """
    if len(before) != len(after):
        return ""
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    if len(changed) != 1:
        return ""
    at = changed[0]
    try:
        old, new = json.loads(before[at]), json.loads(after[at])
    except ValueError:
        return ""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return ""
    fields = [k for k in old.keys() | new.keys() if old.get(k) != new.get(k)]
    return f"{at}:{fields[0]}" if len(fields) == 1 else ""
