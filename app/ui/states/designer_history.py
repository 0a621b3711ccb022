"""The designer's undo / redo and its "unsaved changes" flag: a state mixin over the form's steps.

History lives in backend-only vars (never sent to the browser) as snapshots of the form's steps
(`app.core.design_history`: one JSON text per step, unchanged steps shared between snapshots,
100 entries at most). Canvas edits record themselves (`DesignerState._apply` calls `_commit`
before and after). Edits in the side panel go through the form's own handlers, on another
state, so they are found instead: every designer event (a canvas edit, a selection, undo, a
field of the panel losing focus) first records steps that differ from the last snapshot seen
as one entry, keyed by the field when only one field of one step changed, so typing a word is
one undo. Loading starts a new history; saving keeps it and only moves the "clean" mark.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any, TypedDict

import reflex as rx

from app.core.design_history import History, Snapshot, changed_key, record, redo, share, undo
from app.ui.forms.workflow_form import ActionForm


class EditStatus(TypedDict):
    dirty: bool
    can_undo: bool
    can_redo: bool


def snapshot_of(actions: Sequence[Any], previous: Snapshot = ()) -> Snapshot:
    """The form's steps as a snapshot, sharing `previous`'s text for unchanged steps."""
    return share([json.dumps(a, sort_keys=True) for a in actions], previous)


def _raw(value: Any) -> Any:
    """The value under Reflex's change-tracking proxy (what `json.dumps` can read)."""
    return getattr(value, "__wrapped__", value)


def restored(snapshot: Snapshot) -> list[ActionForm]:
    """Fresh form steps from a snapshot (nothing shared with the history)."""
    return [json.loads(text) for text in snapshot]


class DesignerHistory(rx.State, mixin=True):
    _history: History = History()
    _seen: Snapshot = ()  # the steps as the history last saw them
    _saved: Snapshot = ()  # the steps as loaded or last saved

    def _snapshot(self) -> Snapshot:
        return snapshot_of(_raw(self.actions), self._seen)

    def _reset_history(self) -> None:
        self._history = History()
        self._seen = self._snapshot()
        self._saved = self._seen

    def _mark_clean(self) -> None:
        """After a save: what is there now is what is stored (the history stays)."""
        self._seen = self._snapshot()
        self._saved = self._seen

    def _commit(self, panel: bool = True) -> bool:
        """Record what changed since the last snapshot as one entry; whether anything did.

        `panel`: the change came from the side panel (found now, after the fact), so it may
        join the entry before it when it is more typing in the same field.
        """
        self._flush_panel()  # type: ignore[attr-defined]
        now = self._snapshot()
        if now == self._seen:
            return False
        key = changed_key(self._seen, now) if panel else ""
        self._history = record(self._history, self._seen, key, time.monotonic())
        self._seen = now
        return True

    def _restore(self, snapshot: Snapshot) -> None:
        before = [a["id"] for a in _raw(self.actions)]
        kept = self._selection()
        self.actions = restored(snapshot)
        self._seen = snapshot
        self._after_restore(before, kept)

    def _selection(self) -> list[str]:
        """Hook: the ids selected now (kept across undo where they still exist)."""
        return []

    def _after_restore(self, ids_before: list[str], selected: list[str]) -> None:
        """Hook for the designer: mend the selection and problems after undo / redo."""

    @rx.event
    def undo(self) -> None:
        self._commit()
        step = undo(self._history, self._seen)
        if step is not None:
            self._history = step[0]
            self._restore(step[1])

    @rx.event
    def redo(self) -> None:
        self._commit()
        step = redo(self._history, self._seen)
        if step is not None:
            self._history = step[0]
            self._restore(step[1])

    @rx.event
    def checkpoint(self) -> None:
        """A field of the side panel lost focus: what was typed there is one entry."""
        self._commit()

    @rx.var
    def edit_status(self) -> EditStatus:
        now = snapshot_of(_raw(self._form_actions()))  # type: ignore[attr-defined]
        pending = now != self._seen
        return {
            "dirty": now != self._saved,
            "can_undo": self._history.can_undo or pending,
            "can_redo": self._history.can_redo and not pending,
        }
