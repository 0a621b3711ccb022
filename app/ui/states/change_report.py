"""Versions → the change report: how many workflow changes in a period, by whom, where."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypedDict

import reflex as rx

from app.core.errors import FlowdeckError
from app.db.types import utcnow
from app.services import workflow_history
from app.ui.states.session import SessionState, error_text, run_service

PERIODS = {"24 hours": 1, "7 days": 7, "30 days": 30, "90 days": 90}


class PersonChanges(TypedDict):
    who: str
    changes: int


class WorkflowChanges(TypedDict):
    id: int
    name: str
    changes: int


class ChangeReportState(SessionState):
    period: str = "7 days"
    total: int = 0
    workflows_changed: int = 0
    by_person: list[PersonChanges] = []
    most_changed: list[WorkflowChanges] = []
    problem: str = ""
    loaded: bool = False

    async def _reload(self) -> None:
        since = utcnow() - timedelta(days=PERIODS[self.period])
        try:
            report = await run_service(
                self, lambda a: workflow_history.change_summary_report(a, since, top=5)
            )
        except FlowdeckError as exc:
            self.problem = error_text(exc)
            return
        self.problem = ""
        self.total, self.workflows_changed = report["total_changes"], report["workflows_changed"]
        self.by_person = [
            PersonChanges(who=p["email"], changes=p["changes"]) for p in report["by_person"][:5]
        ]
        self.most_changed = [
            WorkflowChanges(id=w["workflow_id"], name=w["name"], changes=w["changes"])
            for w in report["most_changed"]
        ]
        self.loaded = True

    @rx.event
    async def load(self) -> Any:
        await self._reload()

    @rx.event
    async def set_period(self, value: str) -> Any:
        if value not in PERIODS:
            return None
        self.period = value
        await self._reload()
        return None
