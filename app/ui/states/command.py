"""The command palette (Ctrl/⌘+K) and the keyboard-shortcuts dialog (`?`) of every admin page.

The search runs on the server (`app.services.command_search`, with the tab's role). What
choosing a result does stays on the server too (`_hits`, a backend-only var): the browser only
sends the index of the row it chose, so a forged event can open only what this tab was shown,
and running a workflow goes through the service's own checks.
"""

from __future__ import annotations

from typing import Any, TypedDict

import reflex as rx

from app.core.errors import FlowdeckError
from app.core.palette import MAX_QUERY
from app.services import executions
from app.services.command_search import Hit, search
from app.ui.commands import ENTRIES, HELP, LOG_OUT, THEME
from app.ui.states.session import SessionState, error_text, run_service

OPTION_ID = "palette-option-"  # + index: the element ids aria-activedescendant points at


class PaletteRow(TypedDict):
    label: str
    hint: str
    icon: str
    group: str  # the heading shown above the first row of a group ("" for the others)


_GROUPS = {
    "page": "Pages",
    "action": "Actions",
    "run": "Actions",
    "workflow": "Workflows",
    "execution": "Executions",
}


def palette_rows(hits: list[Hit]) -> list[PaletteRow]:
    rows: list[PaletteRow] = []
    previous = ""
    for hit in hits:
        group = _GROUPS.get(hit.kind, "")
        rows.append(
            PaletteRow(
                label=hit.label,
                hint=hit.hint,
                icon=hit.icon,
                group=group if group != previous else "",
            )
        )
        previous = group
    return rows


class CommandState(SessionState):
    palette_open: bool = False
    help_open: bool = False
    query: str = ""
    rows: list[PaletteRow] = []
    active: int = 0
    searching_error: str = ""
    _hits: list[Hit] = []

    @rx.var
    def active_id(self) -> str:
        return f"{OPTION_ID}{self.active}" if self.rows else ""

    async def _search(self) -> None:
        text = self.query
        try:
            hits = await run_service(self, lambda a: search(a, text, entries=ENTRIES))
        except FlowdeckError as exc:
            hits, self.searching_error = [], error_text(exc)
        else:
            self.searching_error = ""
        self._hits, self.rows, self.active = hits, palette_rows(hits), 0

    @rx.event
    async def open_palette(self) -> None:
        self.help_open = False
        if self.palette_open:  # already open (Ctrl+K twice): what is typed there stays
            return
        self.palette_open, self.query = True, ""
        await self._search()

    @rx.event
    def set_palette_open(self, value: bool) -> None:
        self.palette_open = bool(value)

    @rx.event
    async def set_query(self, value: str) -> None:
        self.query = str(value)[:MAX_QUERY]
        await self._search()

    @rx.event
    async def palette_key(self, key: str) -> Any:
        """↑ ↓ PageUp PageDown move the active row, Enter chooses it."""
        if key == "Enter":
            return await self.choose(self.active)
        if not self.rows:
            return None
        last = len(self.rows) - 1
        moves = {
            "ArrowDown": min(last, self.active + 1),
            "ArrowUp": max(0, self.active - 1),
            "PageDown": min(last, self.active + 5),
            "PageUp": max(0, self.active - 5),
        }
        if key not in moves:
            return None
        self.active = moves[key]
        return rx.call_script(
            f"document.getElementById('{OPTION_ID}{self.active}')"
            "?.scrollIntoView({block: 'nearest'})"
        )

    @rx.event
    async def choose(self, index: int) -> Any:
        if not isinstance(index, int) or not 0 <= index < len(self._hits):
            return None
        hit = self._hits[index]
        self.palette_open = False
        if hit.target:
            return rx.redirect(hit.target)
        if hit.kind == "run":
            return await self._run(hit)
        if hit.action == HELP:
            self.help_open = True
        elif hit.action == THEME:
            return rx.toggle_color_mode()
        elif hit.action == LOG_OUT:
            return await self.logout()
        return None

    async def _run(self, hit: Hit) -> Any:
        try:
            actor = await self._actor()
            started = await executions.execute_workflow(actor, hit.ref, payload={})
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        return [
            rx.toast.success(f"Started execution #{started['id']}"),
            rx.redirect(f"/admin/executions/{started['id']}"),
        ]

    @rx.event
    def open_help(self) -> None:
        self.palette_open, self.help_open = False, True

    @rx.event
    def set_help_open(self, value: bool) -> None:
        self.help_open = bool(value)
