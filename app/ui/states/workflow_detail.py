"""/admin/workflows/[id]: one workflow's definition, stats and recent executions."""

from __future__ import annotations

from typing import Any, TypedDict

import reflex as rx

from app.core.errors import FlowdeckError
from app.core.step_summary import shown_config, summarise
from app.services import executions, workflows
from app.services.run_history import run_strips
from app.services.workflow_stats import workflow_stats
from app.ui.live import ExecRow, duration_text, exec_row
from app.ui.run_strips import StripBar, strip_view
from app.ui.states.session import error_text, run_service
from app.ui.states.workflows import WorkflowRow, WorkflowsState, next_runs_text, workflow_row
from app.ui.titles import page_title


class StepSummary(TypedDict):
    position: int
    id: str
    name: str
    type: str
    condition: str
    retry: str
    summary: str  # what it does, in one line (`app.core.step_summary`)
    config: str  # its config as indented JSON, secrets masked


class WorkflowDetailState(WorkflowsState):
    found: bool = False
    error: str = ""
    workflow: WorkflowRow = {}  # type: ignore[typeddict-item]
    description: str = ""
    webhook_url: str = ""
    version: int = 0
    priority: str = ""
    concurrency: int = 1
    steps: list[StepSummary] = []
    recent: list[ExecRow] = []
    stats: dict[str, str] = {}
    # Its own, not the list's `strips`: the list keeps its rows' strips while a detail is open.
    strip: list[StripBar] = []
    strip_label: str = ""

    @rx.var
    def page_title(self) -> str:
        """The browser tab names the workflow once it is loaded."""
        return page_title(self.workflow.get("name") if self.found else "", "Workflow")

    @rx.event
    async def load_detail(self) -> Any:
        redirect = await self.guard_admin_area()
        if redirect is not None:
            return redirect
        self.found, self.error = False, ""
        try:
            workflow_id = int(self.rx_router_page.params.get("workflow_id", "0"))
            data = await run_service(self, lambda a: workflows.get_workflow(a, workflow_id))
            stats = await run_service(self, lambda a: workflow_stats(a, workflow_id))
            strips = await run_service(self, lambda a: run_strips(a, [workflow_id]))
            recent = await run_service(
                self,
                lambda a: executions.list_executions(
                    a, executions.ExecutionFilter(workflow_id=workflow_id, limit=10)
                ),
            )
        except (ValueError, FlowdeckError) as exc:
            self.error = error_text(exc) if isinstance(exc, FlowdeckError) else "Bad id"
            return None
        self.workflow = workflow_row(data)
        self.description, self.webhook_url = data["description"], data["webhook_url"] or ""
        self.version, self.priority = data["version"], data["priority"]
        self.concurrency = data["concurrency_limit"]
        self.steps = [
            StepSummary(
                position=i + 1,
                id=a["id"],
                name=a.get("name") or a["id"],
                type=a["type"],
                condition=a.get("condition") or "",
                retry=(a.get("retry") or {}).get("strategy", "none"),
                summary=summarise(a["type"], a.get("config")),
                config=shown_config(a.get("config") or {}),
            )
            for i, a in enumerate(data["actions"])
        ]
        rate = stats["success_rate"]
        self.stats = {
            "runs": str(stats["runs"]),
            "runs_24h": str(stats["runs_24h"]),
            "success_rate": "–" if rate is None else f"{rate * 100:.0f}%",
            "p50": duration_text(stats["p50_duration_ms"]),
            "p95": duration_text(stats["p95_duration_ms"]),
            "next_runs": next_runs_text(data),
        }
        self.recent = [exec_row(i) for i in recent["items"]]
        self.strip, self.strip_label = strip_view(strips.get(workflow_id, []))
        self.found = True
        return None

    async def _reload(self) -> None:
        if self.found:
            await self.load_detail()
