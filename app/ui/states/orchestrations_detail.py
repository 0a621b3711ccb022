"""One orchestration's page: the editor, plus its runs and the Run button with its inputs.

A run is started through the run service without waiting for it; the page then goes to the
run's page, which follows it live.
"""

from __future__ import annotations

import json
from typing import Any

import reflex as rx

from app.core.errors import FlowdeckError
from app.services import orchestration_runs, orchestration_views
from app.ui.states.orchestrations_editor import OrchestrationEditorState
from app.ui.states.orchestrations_views import RunRow, run_row
from app.ui.states.session import error_text, run_service

RUNS_SHOWN = 20
MAX_INPUTS = 100_000


def parse_inputs(text: str) -> tuple[dict[str, Any] | None, str]:
    """The run's inputs from the dialog's text, or the reason they are refused."""
    if len(text) > MAX_INPUTS:
        return None, f"At most {MAX_INPUTS:,} characters"
    try:
        value = json.loads(text or "{}")
    except ValueError as exc:
        return None, f"Not valid JSON: {exc}"
    if not isinstance(value, dict):
        return None, 'The inputs must be a JSON object, such as {"user": "ada"}'
    return value, ""


class OrchestrationDetailState(OrchestrationEditorState):
    runs: list[RunRow] = []
    run_open: bool = False
    run_inputs: str = "{}"
    run_error: str = ""
    starting: bool = False

    async def _reload_runs(self) -> None:
        orch_id = self.orch_id
        if not orch_id:
            self.runs = []
            return
        found = await run_service(
            self,
            lambda a: orchestration_views.list_runs(
                a, orch_id, orchestration_views.RunFilter(limit=RUNS_SHOWN)
            ),
        )
        self.runs = [run_row(r) for r in found["items"]]

    @rx.event
    async def load_edit(self) -> Any:
        redirect = await self.guard_admin_area()
        if redirect is not None:
            return redirect
        self.runs, self.run_open = [], False
        if await self._load_existing() is None:
            return None
        try:
            await self._reload_runs()
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        return None

    @rx.event
    async def reload_after_rollback(self) -> Any:
        """A rollback wrote a new version: the form shows it (the History tab stays open)."""
        if await self._load_existing() is None:
            return None
        self.tab = "history"
        try:
            await self._reload_runs()
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        return None

    @rx.event
    async def refresh_runs(self) -> Any:
        try:
            await self._reload_runs()
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        return None

    @rx.event
    def ask_run(self) -> None:
        self.run_open, self.run_error = bool(self.orch_id), ""

    @rx.event
    def close_run(self, _open: bool = False) -> None:
        self.run_open = False

    @rx.event
    def set_run_inputs(self, value: str) -> None:
        self.run_inputs = value[: MAX_INPUTS + 1]
        self.run_error = ""

    @rx.event
    async def confirm_run(self) -> Any:
        inputs, problem = parse_inputs(self.run_inputs)
        if inputs is None:
            self.run_error = problem
            return None
        orch_id = self.orch_id
        self.starting = True
        try:
            actor = await self._actor()
            started = await orchestration_runs.start_run(actor, orch_id, inputs, trigger="manual")
        except FlowdeckError as exc:
            self.run_error = error_text(exc)
            return None
        finally:
            self.starting = False
        self.run_open = False
        return [
            rx.toast.success(f"Started run #{started['id']}"),
            rx.redirect(f"/admin/orchestrations/runs/{started['id']}"),
        ]
