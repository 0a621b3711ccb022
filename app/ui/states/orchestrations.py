"""Admin → Orchestrations: the table, its filters and the row actions (roles: the service)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.core.errors import FlowdeckError
from app.services import orchestrations
from app.ui.states.delete_confirm import DeleteConfirm
from app.ui.states.orchestrations_views import OrchestrationRow, orchestration_row
from app.ui.states.session import SessionState, error_text, run_service

PAGE_SIZE = 20
ALL_MODES = "all modes"


class OrchestrationsState(DeleteConfirm, SessionState):
    rows: list[OrchestrationRow] = []
    total: int = 0
    loaded: bool = False
    search: str = ""
    mode_filter: str = ALL_MODES
    sort: str = "name"
    page: int = 0

    async def _reload(self) -> None:
        flt = orchestrations.OrchestrationFilter(
            search=self.search.strip(),
            mode=None if self.mode_filter == ALL_MODES else self.mode_filter,
            sort=self.sort,
            limit=PAGE_SIZE,
            offset=self.page * PAGE_SIZE,
        )
        items, self.total = await run_service(
            self, lambda a: orchestrations.list_orchestrations(a, flt)
        )
        self.rows = [orchestration_row(i) for i in items]
        self.loaded = True

    @rx.event
    async def load(self) -> Any:
        redirect = await self.guard_admin_area()
        if redirect is not None:
            return redirect
        try:
            await self._reload()
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        return None

    @rx.event
    async def set_filter(self, name: str, value: str) -> None:
        if name not in ("search", "mode_filter"):
            return
        setattr(self, name, value[:200])
        self.page = 0
        await self._reload()

    @rx.event
    async def set_sort(self, column: str) -> None:
        if column.lstrip("-") not in orchestrations.SORT_FIELDS:
            return
        self.sort = f"-{column}" if self.sort == column else column
        await self._reload()

    @rx.event
    async def go_page(self, delta: int) -> None:
        last = max(0, (self.total - 1) // PAGE_SIZE)
        self.page = min(max(0, self.page + delta), last)
        await self._reload()

    @rx.var
    def page_label(self) -> str:
        if not self.total:
            return "0 orchestrations"
        first = self.page * PAGE_SIZE + 1
        return f"{first}–{min(self.total, first + PAGE_SIZE - 1)} of {self.total}"

    @rx.event
    async def toggle_active(self, orchestration_id: int, active: bool) -> Any:
        try:
            await run_service(
                self,
                lambda a: orchestrations.update_orchestration(
                    a, orchestration_id, {"is_active": bool(active)}
                ),
            )
            await self._reload()
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        return rx.toast.success("Active" if active else "Paused")

    async def _delete(self, target_id: int) -> None:
        await run_service(self, lambda a: orchestrations.delete_orchestration(a, target_id))
        await self._reload()
