"""The designer's copy and paste: a state mixin; the remapping is `app.core.canvas_clipboard`.

Copying keeps the clipboard JSON in a backend-only var (per tab) and also puts it on the
system clipboard, so Ctrl+V in another workflow's designer pastes it too: the canvas sends the
text of a paste when it is Flowdeck's, else an empty string and the tab's own copy is pasted.
Both are checked the same way (size, nesting, room left, known step types) before anything
walks them. Pasted steps come in selected, at an offset, with fresh ids; one undo removes them.
"""

from __future__ import annotations

import json
from typing import Any

import reflex as rx

from app.core import canvas_clipboard
from app.core.errors import ValidationFailed
from app.core.graph import MAX_STEPS
from app.ui.forms.step_kinds import ACTION_TYPES
from app.ui.forms.workflow_form import definition_to_form


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


class DesignerClipboard(rx.State, mixin=True):
    _clipboard: str = ""

    @rx.event
    def copy_nodes(self, ids_json: str) -> Any:
        """Ctrl+C on the canvas: the selected steps (JSON list of ids) to the clipboard."""
        ids = self._known_ids(ids_json)  # type: ignore[attr-defined]
        if not ids:
            return None
        board = canvas_clipboard.copy_steps(self._pinned(), ids)  # type: ignore[attr-defined]
        self._clipboard = json.dumps(board)
        count = len(board["steps"])
        return [
            rx.set_clipboard(self._clipboard),
            rx.toast(f"Copied {count} step{'s' if count != 1 else ''}", duration=1500),
        ]

    @rx.event
    def paste_nodes(self, text: str) -> Any:
        """Ctrl+V: the system clipboard's Flowdeck steps (`text`), else this tab's copy."""
        if not isinstance(text, str) or len(text) > canvas_clipboard.MAX_TEXT:
            return rx.toast.error("Cannot paste: the clipboard holds too much")
        source = text if text.strip() else self._clipboard
        if not source:
            return rx.toast("Nothing to paste yet: select steps and press Ctrl+C")
        room = MAX_STEPS - len(self.actions)  # type: ignore[attr-defined]
        try:
            copied = canvas_clipboard.read_clipboard(source, ACTION_TYPES, room)
            steps = self._pinned()  # type: ignore[attr-defined]
            pasted, _ = canvas_clipboard.paste_steps(copied, steps)
            forms = definition_to_form({"actions": pasted})[2]
        except ValidationFailed as exc:
            return rx.toast.error(f"Cannot paste: {exc.problems[0].message}")
        except (AttributeError, TypeError, ValueError):  # a field of the wrong shape
            return rx.toast.error("Cannot paste: the clipboard's steps are not well formed")
        new = {form["id"]: form for form in forms}
        self._apply([*steps, *pasted], new)  # type: ignore[attr-defined]
        self._select([form["id"] for form in forms])  # type: ignore[attr-defined]
        return None
