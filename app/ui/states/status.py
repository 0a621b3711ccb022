"""The /status widget for every signed-in user."""

from __future__ import annotations

from typing import Any, TypedDict

import reflex as rx

from app.core.errors import FlowdeckError
from app.services import status
from app.ui.states.session import SessionState, error_text, run_service


class RecentRow(TypedDict):
    id: int
    workflow: str
    status: str
    started: str


class StatusState(SessionState):
    loaded: bool = False
    load_error: str = ""
    active_workflows: int = 0
    runs_24h: int = 0
    success_rate: str = "–"
    last_activity: str = "no runs yet"
    queue_depth: int = 0
    running: int = 0
    database: str = ""
    scheduler: str = ""
    degraded: bool = False
    recent: list[RecentRow] = []

    @rx.event
    async def load(self) -> Any:
        redirect = await self._guard_signed_in()
        if redirect is not None:
            return redirect
        try:
            snap = await run_service(self, status.snapshot)
        except FlowdeckError as exc:
            self.load_error = error_text(exc)
            return None
        self.load_error = ""
        self.active_workflows, self.runs_24h = snap.active_workflows, snap.runs_24h
        rate = snap.success_rate_24h
        self.success_rate = "–" if rate is None else f"{rate * 100:.0f}%"
        self.last_activity = (
            snap.last_activity.strftime("%Y-%m-%d %H:%M UTC")
            if snap.last_activity
            else "no runs yet"
        )
        self.queue_depth, self.running = snap.queue_depth, snap.running
        self.database, self.scheduler, self.degraded = snap.database, snap.scheduler, snap.degraded
        self.recent = [
            RecentRow(
                id=r.id,
                workflow=r.workflow,
                status=r.status,
                started=r.started_at.strftime("%H:%M:%S") if r.started_at else "queued",
            )
            for r in snap.recent
        ]
        self.loaded = True
        return None

    async def _guard_signed_in(self) -> Any:
        from app.core.statuses import Role

        return await self._guard((Role.ADMIN, Role.MEMBER, Role.VIEWER))
