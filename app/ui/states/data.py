"""Admin → Data: the database's size and rows, the retention settings, what the next prune
removes, and a prune by hand.

Every number comes from `app.services.retention` / `retention_prune` (admins only, checked
there), called in a thread. The prune runs as a background event so the page keeps answering.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from starlette.concurrency import run_in_threadpool

from app.core.errors import AuthenticationFailed, FlowdeckError, ValidationFailed
from app.core.retention import FIELDS
from app.services import auth, retention, retention_prune
from app.services.actor import Actor
from app.ui.components.data_rows import (
    last_prune_view,
    preview_view,
    prune_message,
    settings_form,
    size_cards,
    table_rows,
)
from app.ui.states.session import SessionState, error_text, run_service

#: A prune by hand stops after this long (the rest goes next time), as over the API.
UI_PRUNE_SECONDS = 20.0


def _overview(actor: Actor) -> dict[str, Any]:
    """The quick part of the page (sizes, rows, settings, last prune), read in one thread."""
    return {
        "info": retention.database_info(actor),
        "settings": retention.read_settings(actor),
        "last": retention.last_prune(actor),
    }


class DataState(SessionState):
    loaded: bool = False
    problem: str = ""
    sizes: dict[str, str] = {}
    tables: list[dict[str, str]] = []
    settings: dict[str, str] = dict.fromkeys(FIELDS, "")
    errors: dict[str, str] = {}
    saving: bool = False
    preview_totals: dict[str, str] = {}
    preview_rows: list[dict[str, str]] = []
    last_prune: dict[str, str] = {}
    overrides: int = 0
    confirm_open: bool = False
    pruning: bool = False

    preview_loading: bool = False
    _generation: int = 0

    def _show(self, answer: dict[str, Any]) -> None:
        self.sizes = size_cards(answer["info"])
        self.tables = table_rows(answer["info"])
        self.settings = settings_form(answer["settings"])
        self.overrides = len(answer["settings"].get("overrides") or [])
        self.last_prune = last_prune_view(answer["last"])
        self.loaded = True

    @rx.event
    async def load(self) -> Any:
        redirect = await self.guard_admin_only()
        if redirect is not None:
            return redirect
        self.errors, self.confirm_open = {}, False
        return DataState.refresh

    @rx.event(background=True)
    async def refresh(self) -> Any:
        """The quick numbers first, then the preview (a sweep: seconds over a big history)."""
        async with self:
            self._generation += 1
            generation, token = self._generation, self.token
            self.preview_loading = True
        try:
            actor = await run_in_threadpool(auth.authenticate, token)
            answer = await run_in_threadpool(_overview, actor)
            async with self:
                if generation == self._generation:
                    self._show(answer)
                    self.problem = ""
            preview = await run_in_threadpool(retention_prune.preview, actor)
        except AuthenticationFailed:
            return rx.redirect("/login")
        except FlowdeckError as exc:
            async with self:
                self.problem, self.preview_loading = error_text(exc), False
            return None
        async with self:
            if generation == self._generation:  # a later refresh wins
                self.preview_totals, self.preview_rows = preview_view(preview)
                self.preview_loading = False
        return None

    @rx.event
    def set_setting(self, name: str, value: str) -> None:
        if name in FIELDS:
            self.settings = {**self.settings, name: value[:20]}
            self.errors = {k: v for k, v in self.errors.items() if k != name}

    @rx.event
    async def save(self) -> Any:
        values = {name: self.settings.get(name, "") for name in FIELDS}
        self.errors, self.saving = {}, True
        try:
            await run_service(self, lambda a: retention.update_settings(a, values))
        except ValidationFailed as exc:
            self.errors = {p.path or "form": error_text_of(p.message) for p in exc.problems}
            return rx.toast.error("Some settings need attention")
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        finally:
            self.saving = False
        return [rx.toast.success("Retention settings saved"), DataState.refresh]

    @rx.event
    def open_confirm(self) -> None:
        self.confirm_open = True

    @rx.event
    def set_confirm_open(self, value: bool) -> None:
        self.confirm_open = bool(value)

    @rx.event(background=True)
    async def prune_now(self) -> Any:
        async with self:
            if self.pruning:
                return None
            self.pruning, self.confirm_open, token = True, False, self.token
        try:
            actor = await run_in_threadpool(auth.authenticate, token)
            result = await run_in_threadpool(
                lambda: retention_prune.prune(actor, max_seconds=UI_PRUNE_SECONDS, reason="manual")
            )
        except AuthenticationFailed:
            return rx.redirect("/login")
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        finally:
            async with self:
                self.pruning = False
        return [rx.toast.success(prune_message(result)), DataState.refresh]


def error_text_of(message: str) -> str:
    return message[:1].upper() + message[1:]
