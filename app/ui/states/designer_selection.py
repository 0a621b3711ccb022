"""The designer's selection: a state mixin. One step selected opens the side panel; more
(shift-click, box select, Ctrl+A on the canvas) show how many and act together (Delete,
Ctrl+C, a drag).

The canvas owns the selection while a person makes it and tells the server the ids when it
changes; the server changes it only on purpose (a step added or pasted is selected, a deleted
one is not) and the canvas applies what the server sends when it differs from what it sent.
With one step selected the selection is its place in the list, so retyping its id in the
panel keeps the panel open.
"""

from __future__ import annotations

import json
from typing import Any

import reflex as rx

from app.ui.states.workflow_editor import plain


def bounded_json(text: Any, limit: int) -> Any:
    """`text` parsed, or None when it is not a string, longer than `limit`, or not JSON."""
    if not isinstance(text, str) or len(text) > limit:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


class DesignerSelection(rx.State, mixin=True):
    #: With one step selected, its place in the list, not its id: renaming it in the panel
    #: (one key at a time) must not lose the selection.
    selected_at: int = -1
    #: Every selected step (shift-click, box select, Ctrl+A), as the canvas last said.
    selected_ids: list[str] = []

    def _known_ids(self, ids_json: str) -> list[str]:
        """The ids of a JSON list that name steps, once each; nothing for an oversized list."""
        ids = [a["id"] for a in plain(self.actions)]
        found = bounded_json(ids_json, sum(len(i) + 8 for i in ids) + 2)
        if not isinstance(found, list) or len(found) > len(ids):
            return []
        known = set(ids)
        return list(dict.fromkeys(i for i in found if isinstance(i, str) and i in known))

    def _select(self, ids: list[str]) -> None:
        self._flush_panel()  # type: ignore[attr-defined]  # the panel's text is its step's
        self.selected_ids = ids
        at = [a["id"] for a in plain(self.actions)]
        self.selected_at = at.index(ids[0]) if len(ids) == 1 and ids[0] in at else -1
        self.panel_at = self.selected_at

    def _selection(self) -> list[str]:
        if 0 <= self.selected_at < len(self.actions):
            return [self.actions[self.selected_at]["id"]]
        known = {a["id"] for a in plain(self.actions)}
        return [i for i in self.selected_ids if i in known]

    def _after_restore(self, ids_before: list[str], selected: list[str]) -> None:
        ids = [a["id"] for a in plain(self.actions)]
        if ids != ids_before:
            self.errors = {}  # their paths name places in the list
        self._select([i for i in selected if i in ids])

    @rx.event
    def select_node(self, step_id: str) -> None:
        """One step selected ("" for none)."""
        self._commit()
        known = {a["id"] for a in plain(self.actions)}
        self._select([step_id] if step_id in known else [])

    @rx.event
    def select_nodes(self, ids_json: str) -> None:
        """The canvas's selection changed: a JSON list of the selected ids."""
        self._commit()
        self._select(self._known_ids(ids_json))

    @rx.var
    def canvas_selection(self) -> list[str]:
        """The selected ids as the canvas draws them (the one selected step by its place)."""
        return self._selection()

    @rx.var
    def selected_count(self) -> int:
        return len(self._selection())

    @rx.var
    def selected_index(self) -> int:
        return self.selected_at if 0 <= self.selected_at < len(self.actions) else -1

    @rx.var
    def selected(self) -> str:
        at = self.selected_at
        return self.actions[at]["id"] if 0 <= at < len(self.actions) else ""
