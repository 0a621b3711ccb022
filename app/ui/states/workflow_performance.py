"""A workflow's Performance panel (a tab of /admin/workflows/[id]): the analytics charts for
this workflow, its steps' statistics (the bottleneck and the most failing step marked), its
most common errors, and one step's errors when a step is picked.

Opened with `?tab=performance&days=7&step=<action id>` (the Analytics page's drill-down links)
it shows that tab, that period and that step's errors. Numbers only from
`app.services.analytics`, in a thread, from background events.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import reflex as rx
from starlette.concurrency import run_in_threadpool

from app.core.errors import AuthenticationFailed, FlowdeckError
from app.services import analytics, auth
from app.services.actor import Actor
from app.ui.components.analytics_charts import (
    PERIODS,
    duration_text,
    parse_range,
    rate_text,
    when_text,
)
from app.ui.states.analytics import AnalyticsCharts
from app.ui.states.session import SessionState, error_text


def step_rows(steps: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Display rows of the per-step table; `mark` is "bottleneck" for the step with the
    highest p95 (the service sorts by it), "failing" for the one failing most, or both."""
    slowest = steps[0]["action_id"] if steps and steps[0].get("p95_ms") else None
    failing = max(steps, key=lambda s: s.get("failures") or 0, default=None)
    worst = failing["action_id"] if failing and failing.get("failures") else None
    return [
        {
            "action_id": s["action_id"],
            "runs": f"{s.get('runs') or 0:,}",
            "failures": f"{s.get('failures') or 0:,}",
            "failure_rate": rate_text(s.get("failure_rate")),
            "retries": f"{s.get('retries') or 0:,}",
            "skipped": f"{s.get('skipped') or 0:,}",
            "avg": duration_text(s.get("avg_ms")),
            "p95": duration_text(s.get("p95_ms")),
            "bottleneck": "1" if s["action_id"] == slowest else "",
            "failing": "1" if s["action_id"] == worst else "",
        }
        for s in steps
    ]


def error_rows(groups: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Error groups as text; `example` is the example execution's id, "" when it was pruned."""
    rows = []
    for g in groups:
        example = g.get("example_execution_id")
        kept = example is not None and g.get("example_exists", True)
        rows.append(
            {
                "action_id": g.get("action_id") or "",
                "shape": g.get("shape") or "",
                "example_error": g.get("example_error") or "",
                "count": f"{g.get('count') or 0:,}",
                "first_seen": when_text(g.get("first_seen")),
                "last_seen": when_text(g.get("last_seen")),
                "example": str(example) if kept else "",
            }
        )
    return rows


class WorkflowPerformanceState(AnalyticsCharts, SessionState):
    workflow_id: int = 0
    tab: str = "overview"
    steps: list[dict[str, str]] = []
    errors: list[dict[str, str]] = []
    selected_step: str = ""
    step_loading: bool = False
    step_problem: str = ""
    step_summary: dict[str, str] = {}
    step_groups: list[dict[str, str]] = []
    step_recent: list[dict[str, str]] = []
    _shown_for: str = ""
    _step_generation: int = 0

    def _service(self, args: dict[str, Any]) -> Callable[[Actor], dict[str, Any]]:
        workflow_id = self.workflow_id

        def call(actor: Actor) -> dict[str, Any]:
            return analytics.workflow_performance(actor, workflow_id, **args)

        return call

    def _csv_name(self) -> str:
        return f"workflow-{self.workflow_id}"

    def _show(self, answer: dict[str, Any]) -> None:
        AnalyticsCharts._show(self, answer)
        steps, errors = answer.get("steps") or [], answer.get("errors") or []
        self.steps, self.errors = step_rows(steps), error_rows(errors)
        self._csv = {**self._csv, "steps": steps, "errors": errors}

    def _error_days(self) -> int:
        """`action_errors` takes days back from now: the chosen period, or for a custom
        range the days from its first day until now."""
        if self.period != "custom":
            return int(self.period) if self.period in PERIODS else 7
        try:
            start, _ = parse_range(self.custom_start, self.custom_end)
        except ValueError:
            return 7
        return max(1, min(366, math.ceil((datetime.now(UTC) - start).total_seconds() / 86400)))

    @rx.event
    async def load(self) -> Any:
        """on_load of the workflow page: take the tab, period and step from the address."""
        params = self.rx_router_page.params
        try:
            workflow_id = int(params.get("workflow_id", "0"))
        except ValueError:
            return None
        if workflow_id != self.workflow_id:
            self.loaded, self.tables, self.steps, self.errors = False, [], [], []
            self.selected_step, self._shown_for = "", ""
        self.workflow_id = workflow_id
        self.tab = "performance" if params.get("tab") == "performance" else "overview"
        days, start, end = params.get("days", ""), params.get("start", ""), params.get("end", "")
        if days in PERIODS:
            self.period = days
        elif start and end:
            self.period, self.custom_start, self.custom_end = "custom", start, end
        self.selected_step = str(params.get("step", ""))[:200]
        if self.tab != "performance":
            return None
        self._shown_for = str(workflow_id)
        events = [WorkflowPerformanceState.refresh]
        if self.selected_step:
            events.append(WorkflowPerformanceState.load_step)
        return events

    @rx.event
    def set_tab(self, tab: str) -> Any:
        self.tab = "performance" if tab == "performance" else "overview"
        if self.tab == "performance" and self._shown_for != str(self.workflow_id):
            self._shown_for = str(self.workflow_id)
            return WorkflowPerformanceState.refresh
        return None

    @rx.event
    def set_period(self, value: str | list[str]) -> Any:
        if not self._choose(str(value)):
            return None
        events = [WorkflowPerformanceState.refresh]
        if self.selected_step:
            events.append(WorkflowPerformanceState.load_step)
        return events

    @rx.event
    def apply_range(self) -> Any:
        if self._args() is None:
            return None
        events = [WorkflowPerformanceState.refresh]
        if self.selected_step:
            events.append(WorkflowPerformanceState.load_step)
        return events

    @rx.event
    def pick_step(self, action_id: str) -> Any:
        self.selected_step = action_id[:200]
        return WorkflowPerformanceState.load_step

    @rx.event
    def close_step(self) -> None:
        self.selected_step, self.step_groups, self.step_recent = "", [], []

    @rx.event(background=True)
    async def load_step(self) -> Any:
        async with self:
            self._step_generation += 1
            generation, token = self._step_generation, self.token
            workflow_id, action_id, days = self.workflow_id, self.selected_step, self._error_days()
            self.step_loading, self.step_problem = True, ""
        if not action_id:
            return None

        def call(actor: Actor) -> dict[str, Any]:
            return analytics.action_errors(actor, workflow_id, action_id, days=days)

        try:
            actor = await run_in_threadpool(auth.authenticate, token)
            answer = await run_in_threadpool(call, actor)
        except AuthenticationFailed:
            return rx.redirect("/login")
        except FlowdeckError as exc:
            async with self:
                if generation == self._step_generation:
                    self.step_problem, self.step_loading = error_text(exc), False
            return None
        async with self:
            if generation != self._step_generation:
                return None
            self.step_summary = {
                "runs": f"{answer.get('runs') or 0:,}",
                "failures": f"{answer.get('failures') or 0:,}",
                "days": str(days),
            }
            self.step_groups = error_rows(answer.get("groups") or [])
            self.step_recent = [
                {"execution_id": str(r["execution_id"]), "at": when_text(r.get("at")),
                 "error": (r.get("error") or "")[:300]}
                for r in answer.get("recent") or []
            ]  # fmt: skip
            self._csv = {**self._csv, "step_errors": answer.get("recent") or []}
            self.step_loading = False
        return None
