"""Admin → Workflows: the table, its filters and the row actions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, TypedDict

import reflex as rx

from app.core.cron import next_fire_times
from app.core.dates import zoned_text
from app.core.errors import FlowdeckError
from app.core.run_strip import Bar
from app.services import executions, workflows
from app.services.run_history import run_strips
from app.ui.live import counters_texts
from app.ui.run_strips import StripBar, strip_view
from app.ui.states.delete_confirm import DeleteConfirm
from app.ui.states.session import SessionState, error_text, run_service
from app.ui.states.workflow_bulk import WorkflowBulk

PAGE_SIZE = 20


class WorkflowRow(TypedDict):
    id: int
    name: str
    type: str
    trigger: str
    trigger_type: str
    next_runs: str
    active: bool
    last_status: str
    last_run: str
    runs: int
    success_rate: str
    avg_duration: str


def next_runs_text(item: dict[str, Any]) -> str:
    config = item["trigger"]["config"]
    if item["trigger"]["type"] != "schedule" or not config.get("cron"):
        return ""
    tz = config.get("timezone") or "UTC"
    moments = next_fire_times(config["cron"], tz, datetime.now(UTC), 3)
    return "Next runs: " + ", ".join(zoned_text(m) for m in moments)


def workflow_row(item: dict[str, Any]) -> WorkflowRow:
    return WorkflowRow(
        id=item["id"],
        name=item["name"],
        type=item["workflow_type"],
        trigger=item["trigger_summary"],
        trigger_type=item["trigger"]["type"],
        next_runs=next_runs_text(item),
        active=item["is_active"],
        **counters_texts(item),
    )


class WorkflowsState(WorkflowBulk, DeleteConfirm, SessionState):
    rows: list[WorkflowRow] = []
    #: each listed workflow's run-history strip and its spoken summary, by workflow id
    strips: dict[str, list[StripBar]] = {}
    strip_labels: dict[str, str] = {}
    total: int = 0
    loaded: bool = False
    search: str = ""
    type_filter: str = "all types"
    active_filter: str = "active or paused"
    trigger_filter: str = "any trigger"
    sort: str = "name"
    page: int = 0
    run_id: int = 0
    run_name: str = ""
    run_payload: str = "{}"
    run_error: str = ""

    def _filter(self) -> workflows.WorkflowFilter:
        return workflows.WorkflowFilter(
            search=self.search.strip(),
            workflow_type=None if self.type_filter == "all types" else self.type_filter,
            trigger_type=None if self.trigger_filter == "any trigger" else self.trigger_filter,
            is_active=(
                None
                if self.active_filter not in ("active", "paused")
                else self.active_filter == "active"
            ),
            sort=self.sort,
            limit=PAGE_SIZE,
            offset=self.page * PAGE_SIZE,
        )

    async def _reload(self) -> None:
        flt = self._filter()
        items, self.total = await run_service(self, lambda a: workflows.list_workflows(a, flt))
        ids = [i["id"] for i in items]
        self._show_strips(await run_service(self, lambda a: run_strips(a, ids)))
        self.rows = [workflow_row(i) for i in items]
        self.loaded = True

    def _show_strips(self, found: dict[int, list[Bar]]) -> None:
        views = {str(workflow_id): strip_view(strip) for workflow_id, strip in found.items()}
        self.strips = {key: bars for key, (bars, _) in views.items()}
        self.strip_labels = {key: label for key, (_, label) in views.items()}

    @rx.event
    async def load(self) -> Any:
        redirect = await self.guard_admin_area()
        if redirect is not None:
            return redirect
        await self._reload()
        return None

    @rx.event
    async def set_filter(self, name: str, value: str) -> None:
        if name not in ("search", "type_filter", "active_filter", "trigger_filter"):
            return
        setattr(self, name, value)
        self.page = 0
        self._clear_selection()  # a selection is of what the old filter showed
        await self._reload()

    @rx.event
    async def set_sort(self, column: str) -> None:
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
            return "0 workflows"
        first = self.page * PAGE_SIZE + 1
        return f"{first}–{min(self.total, first + PAGE_SIZE - 1)} of {self.total}"

    # -- row actions ------------------------------------------------------------------------

    async def _act(self, call: Any, success: str) -> Any:
        try:
            await run_service(self, call)
            await self._reload()
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        return rx.toast.success(success)

    @rx.event
    async def toggle_active(self, workflow_id: int, active: bool) -> Any:
        word = "Resumed" if active else "Paused"
        return await self._act(lambda a: workflows.set_active(a, workflow_id, active), word)

    @rx.event
    async def duplicate(self, workflow_id: int) -> Any:
        return await self._act(
            lambda a: workflows.duplicate_workflow(a, workflow_id),
            "Duplicated (paused until you resume it)",
        )

    async def _delete(self, target_id: int) -> None:
        await run_service(self, lambda a: workflows.delete_workflow(a, target_id))
        await self._reload()

    @rx.event
    def ask_run(self, workflow_id: int, name: str) -> None:
        self.run_id, self.run_name, self.run_payload, self.run_error = workflow_id, name, "{}", ""

    @rx.event
    def close_run(self, _open: bool = False) -> None:
        self.run_id = 0

    @rx.event
    def set_run_payload(self, value: str) -> None:
        self.run_payload = value

    @rx.event
    async def confirm_run(self) -> Any:
        try:
            payload = json.loads(self.run_payload or "{}")
        except ValueError as exc:
            self.run_error = f"Not valid JSON: {exc}"
            return None
        workflow_id = self.run_id
        try:
            actor = await self._actor()
            started = await executions.execute_workflow(actor, workflow_id, payload=payload)
        except FlowdeckError as exc:
            self.run_error = error_text(exc)
            return None
        self.run_id = 0
        return [
            rx.toast.success(f"Started execution #{started['id']}"),
            rx.redirect(f"/admin/executions/{started['id']}"),
        ]
