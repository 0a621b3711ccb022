"""Live push: the engine's events reach every open dashboard without polling.

Two feeds (see `app.ui.feeds`): `status` (safe for every signed-in user: counts and recent
runs, shown by `LiveStatus`) and `ops` (members and admins: the newest executions with their
errors, the cards, the Workflows table's run columns, shown by `LiveOps`). A bus subscriber
marks them dirty; a throttled pusher computes each snapshot once from the database and writes
it into every watching tab, so an isolated event is on screen in milliseconds and a burst
costs one push per window.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypedDict

import reflex as rx
from starlette.concurrency import run_in_threadpool

from app.core.dates import when_text
from app.core.errors import AuthenticationFailed, PermissionDenied
from app.core.execution_canvas import duration_text as core_duration_text
from app.core.statuses import Role
from app.engine.bus import Event, bus
from app.services import executions, status
from app.services.actor import SYSTEM
from app.services.workflow_stats import global_stats, recent_counters
from app.ui.feeds import feeds, push, signed_in, tab_token
from app.ui.states.session import SessionState

log = logging.getLogger("flowdeck.live")
WINDOW_S = 0.05  # at most one push per state per window; bursts coalesce


class RecentRow(TypedDict):
    id: int
    workflow: str
    status: str
    started: str


class ExecRow(TypedDict):
    id: int
    workflow_id: int
    workflow: str
    status: str
    trigger: str
    started: str
    duration: str
    steps: str
    error: str
    retry_of: int  # 0: not a retry
    reused: int  # steps a retry took over from the run it retried


class WorkflowCounters(TypedDict):
    """The run columns of a Workflows table row, pushed live as runs finish."""

    last_status: str
    last_run: str
    runs: int
    success_rate: str
    avg_duration: str


def counters_texts(item: dict[str, Any]) -> WorkflowCounters:
    """Table texts from a workflow's counters (`to_public` or `recent_counters` shape)."""
    rate = item["success_rate"]
    return WorkflowCounters(
        last_status=item["last_status"] or "",
        last_run=when_text(item["last_run_at"], empty=""),
        runs=item["runs"],
        success_rate="–" if rate is None else f"{rate * 100:.0f}%",
        avg_duration=duration_text(item["avg_duration_ms"] if item["runs"] else None),
    )


def _clock(iso: str | None) -> str:
    return iso[11:19] if iso else "—"


def duration_text(ms: float | None) -> str:
    """The house way of saying a duration, "—" for none (a table cell is never blank)."""
    return core_duration_text(ms) or "—"


def exec_row(item: dict[str, Any]) -> ExecRow:
    return ExecRow(
        id=item["id"],
        workflow_id=item["workflow_id"],
        workflow=item["workflow_name"],
        status=item["status"],
        trigger=item["trigger_type"],
        started=when_text(item["started_at"] or item["queued_at"], "second"),
        duration=duration_text(item["duration_ms"]),
        steps=f"{item['steps_completed']}/{item['steps_total']}",
        error=(item["error"] or "")[:140],
        retry_of=item.get("retry_of") or 0,
        reused=item.get("steps_reused") or 0,
    )


class LiveStatus(rx.State):
    loaded: bool = False
    active_workflows: int = 0
    runs_24h: int = 0
    success_rate: str = "–"
    last_activity: str = "no runs yet"
    last_activity_day: str = ""
    queue_depth: int = 0
    running: int = 0
    database: str = ""
    scheduler: str = ""
    degraded: bool = False
    failing: str = ""
    recent: list[RecentRow] = []
    pushed_at: float = 0.0

    @rx.event
    async def link(self) -> Any:
        """Join the live status feed (any signed-in user)."""
        session = await self.get_state(SessionState)
        try:
            await session._actor()
        except AuthenticationFailed:
            return rx.redirect("/login")
        feeds.join("status", tab_token(self))
        fill_status(self, await run_in_threadpool(status.current_snapshot))
        return None


def fill_status(state: LiveStatus, snap: status.StatusSnapshot) -> None:
    state.active_workflows, state.runs_24h = snap.active_workflows, snap.runs_24h
    rate = snap.success_rate_24h
    state.success_rate = "–" if rate is None else f"{rate * 100:.0f}%"
    moment = snap.last_activity
    state.last_activity = moment.strftime("%H:%M:%S") if moment else "no runs yet"
    state.last_activity_day = moment.strftime("%Y-%m-%d UTC") if moment else ""
    state.queue_depth, state.running = snap.queue_depth, snap.running
    state.database, state.scheduler, state.degraded = snap.database, snap.scheduler, snap.degraded
    state.failing = snap.failing
    state.recent = [
        RecentRow(
            id=r.id,
            workflow=r.workflow,
            status=r.status,
            started=when_text(r.started_at, "second", empty="queued"),
        )
        for r in snap.recent
    ]
    state.loaded = True
    state.pushed_at = time.time()


class LiveOps(rx.State):
    loaded: bool = False
    executions: list[ExecRow] = []
    cards: dict[str, str] = {}
    # by workflow id (as text): what the Workflows table shows in its run columns
    counters: dict[str, WorkflowCounters] = {}
    pushed_at: float = 0.0

    @rx.event
    async def link(self) -> Any:
        """Join the operations feed (members and admins only)."""
        session = await self.get_state(SessionState)
        try:
            actor = await session._actor()
        except AuthenticationFailed:
            return rx.redirect("/login")
        try:
            actor.require(Role.ADMIN, Role.MEMBER)
        except PermissionDenied:
            return rx.redirect("/status")
        feeds.join("ops", tab_token(self))
        fill_ops(self, await run_in_threadpool(ops_snapshot))
        return None


def _cards(stats: dict[str, Any]) -> dict[str, str]:
    rate = stats["success_rate_24h"]
    last = stats["last_activity_at"]
    return {
        "total_workflows": str(stats["total_workflows"]),
        "active_workflows": str(stats["active_workflows"]),
        "executions_24h": str(stats["executions_24h"]),
        "executions_total": str(stats["executions_total"]),
        "success_rate_24h": "–" if rate is None else f"{rate * 100:.0f}%",
        "running_now": str(stats["running_now"]),
        "queued_now": str(stats["queued_now"]),
        "last_activity": last[11:19] if last else "no runs yet",
        "last_activity_day": last[:10] if last else "",
    }


def ops_snapshot() -> dict[str, Any]:
    page = executions.list_executions(SYSTEM, executions.ExecutionFilter(limit=25))
    return {
        "executions": [exec_row(i) for i in page["items"]],
        "cards": _cards(global_stats(SYSTEM)),
        "counters": {str(c["id"]): counters_texts(c) for c in recent_counters(SYSTEM)},
    }


def fill_ops(state: LiveOps, snap: dict[str, Any]) -> None:
    state.executions = snap["executions"]
    state.cards = snap["cards"]
    state.counters = snap["counters"]
    state.loaded = True
    state.pushed_at = time.time()


class _Pusher:
    """Coalesces dirty marks into at most one push per window for one feed."""

    def __init__(self, name: str, push: Callable[[], Any]) -> None:
        self.name, self._push = name, push
        self._last = 0.0
        self._scheduled: asyncio.TimerHandle | None = None
        self._running = False
        self._again = False

    def mark(self) -> None:
        if self._running:
            self._again = True
            return
        if self._scheduled is not None:
            return
        delay = max(0.0, self._last + WINDOW_S - time.monotonic())
        self._scheduled = asyncio.get_running_loop().call_later(delay, self._fire)

    def _fire(self) -> None:
        self._scheduled = None
        self._running = True
        asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        try:
            await self._push()
        except Exception:
            log.exception("live push of %s failed", self.name)
        finally:
            self._last = time.monotonic()
            self._running = False
            if self._again:
                self._again = False
                self.mark()


@asynccontextmanager
async def live_push(app: rx.App) -> AsyncIterator[None]:
    """Lifespan task: subscribe to the bus and push snapshots to the watching tabs."""

    async def push_status() -> None:
        snap = await run_in_threadpool(status.current_snapshot)
        await push(app, "status", LiveStatus, lambda s: fill_status(s, snap), signed_in(*Role))

    async def push_ops() -> None:
        snap = await run_in_threadpool(ops_snapshot)
        staff = signed_in(Role.ADMIN, Role.MEMBER)
        await push(app, "ops", LiveOps, lambda s: fill_ops(s, snap), staff)

    pushers = [_Pusher("status", push_status), _Pusher("ops", push_ops)]

    def on_event(event: Event) -> None:
        if event.name.startswith(("execution.", "step.", "workflow.")):
            for pusher in pushers:
                pusher.mark()

    bus.subscribe("", on_event)
    try:
        yield
    finally:
        bus.unsubscribe(on_event)
