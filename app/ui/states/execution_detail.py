"""Admin → Executions → one execution: header, timeline, steps, cancel and retry, live.

While the execution runs, a background event follows the bus and reloads the execution at
most every 100 ms, so a burst of step events costs one database read and one delta per
window. The following itself is `follow_execution`, a plain function that tests drive.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypedDict

import plotly.graph_objects as go
import reflex as rx
from starlette.concurrency import run_in_threadpool

from app.core.errors import AuthenticationFailed, FlowdeckError
from app.core.statuses import ExecutionStatus
from app.db.types import utcnow
from app.engine.bus import bus
from app.services import auth, executions
from app.ui.components.json_view import pretty_json
from app.ui.components.timeline import timeline_figure
from app.ui.live import duration_text
from app.ui.states.session import SessionState, error_text, run_service

THROTTLE_S = 0.1  # at most ten reloads a second, however many steps finish
FOLLOW_MAX_S = 3600.0
IDLE_CHECK_S = 5.0  # with no events, look this often whether the page still wants them


class ExecutionView(TypedDict):
    id: int
    workflow_id: int
    workflow: str
    version: int
    status: str
    trigger: str
    queued: str
    started: str
    finished: str
    duration: str
    steps: str
    error: str
    failed_step: str
    retry_of: int  # 0: not a retry
    payload: str


class AttemptView(TypedDict):
    number: int
    started: str
    duration: str
    error: str
    failure_kind: str


class StepView(TypedDict):
    id: str
    label: str
    type: str
    status: str
    started: str
    duration: str
    input: str
    output: str
    error: str
    skip_reason: str
    attempts: list[AttemptView]


def _time(iso: str | None) -> str:
    return iso[:23].replace("T", " ") + " UTC" if iso else "—"


def _completed(d: dict[str, Any]) -> int:
    """Steps done. The run's counter is written when it ends; until then count the steps."""
    if ExecutionStatus(d["status"]).is_terminal:
        return d["steps_completed"]
    done = sum(1 for s in d.get("steps", ()) if s["status"] in ("succeeded", "skipped"))
    return max(d["steps_completed"], done)


def execution_view(d: dict[str, Any]) -> ExecutionView:
    return ExecutionView(
        id=d["id"],
        workflow_id=d["workflow_id"],
        workflow=d["workflow_name"],
        version=d["workflow_version"],
        status=d["status"],
        trigger=d["trigger_type"],
        queued=_time(d["queued_at"]),
        started=_time(d["started_at"]),
        finished=_time(d["finished_at"]),
        duration=duration_text(d["duration_ms"]),
        steps=f"{_completed(d)}/{d['steps_total']}",
        error=d["error"] or "",
        failed_step=d["failed_step"] or "",
        retry_of=d["retry_of"] or 0,
        payload=pretty_json(d.get("trigger_payload")),
    )


def step_views(d: dict[str, Any]) -> list[StepView]:
    return [
        StepView(
            id=str(s["id"]),
            label=f"{s['position'] + 1}. {s['name'] or s['action_id']}",
            type=s["type"],
            status=s["status"],
            started=_time(s["started_at"]),
            duration=duration_text(s["duration_ms"]),
            input=pretty_json(s["input"]),
            output=pretty_json(s["output"]),
            error=s["error"] or "",
            skip_reason=s["skip_reason"] or "",
            attempts=[
                AttemptView(
                    number=a["number"],
                    started=_time(a["started_at"]),
                    duration=duration_text(a["duration_ms"]),
                    error=a["error"] or "",
                    failure_kind=a["failure_kind"] or "",
                )
                for a in s["attempts"]
            ],
        )
        for s in d["steps"]
    ]


def is_finished(detail: dict[str, Any]) -> bool:
    return ExecutionStatus(detail["status"]).is_terminal


async def fetch_detail(token: str, execution_id: int) -> dict[str, Any]:
    """The execution as the tab's user may see it (the service checks the role)."""
    actor = await run_in_threadpool(auth.authenticate, token)
    return await run_in_threadpool(executions.get_execution, actor, execution_id)


async def follow_execution(
    execution_id: int,
    reload: Callable[[], Awaitable[dict[str, Any]]],
    apply: Callable[[dict[str, Any]], Awaitable[bool]],
    *,
    throttle_s: float = THROTTLE_S,
    max_s: float = FOLLOW_MAX_S,
    idle_s: float = IDLE_CHECK_S,
) -> int:
    """Reload and apply the execution on its events until it finishes; returns the reloads.

    `apply` answers whether the page still wants updates (False stops the loop; it is also
    asked with no new detail ({}) when nothing happened for `idle_s`). The first reload runs
    at once, catching changes made between the page's load and the subscription.
    """
    reloads, last = 0, 0.0
    deadline = time.monotonic() + max_s
    async with bus.listen() as queue:
        due = True
        while time.monotonic() < deadline:
            if not due:
                try:
                    event = await asyncio.wait_for(queue.get(), timeout=idle_s)
                except TimeoutError:
                    if not await apply({}):
                        return reloads
                    continue
                if event.data.get("execution_id") != execution_id:
                    continue
            await asyncio.sleep(max(0.0, last + throttle_s - time.monotonic()))
            while not queue.empty():  # everything so far is covered by the reload below
                queue.get_nowait()
            last = time.monotonic()
            detail = await reload()
            reloads += 1
            if not await apply(detail) or is_finished(detail):
                return reloads
            due = False
    return reloads


class ExecutionDetailState(SessionState):
    exec_id: int = 0
    execution: ExecutionView = execution_view(
        {
            "id": 0,
            "workflow_id": 0,
            "workflow_name": "",
            "workflow_version": 0,
            "status": "queued",
            "trigger_type": "",
            "queued_at": None,
            "started_at": None,
            "finished_at": None,
            "duration_ms": None,
            "steps_completed": 0,
            "steps_total": 0,
            "error": None,
            "failed_step": None,
            "retry_of": None,
        }
    )
    steps: list[StepView] = []
    timeline: go.Figure = go.Figure(layout={"template": go.layout.Template()})
    loaded: bool = False
    problem: str = ""
    confirm: str = ""  # "cancel" or "retry" while its dialog is open
    _follow_generation: int = 0
    _follower: int = 0

    @rx.var
    def can_cancel(self) -> bool:
        return self.loaded and self.execution["status"] in ("queued", "running")

    @rx.var
    def can_retry(self) -> bool:
        return self.loaded and self.execution["status"] in ("failed", "interrupted")

    def _route_id(self) -> int:
        # The dynamic route var reads the same field; `router.page` would log a deprecation.
        raw = str(self.rx_router_page.params.get("execution_id", ""))
        return int(raw) if raw.isdigit() else 0

    def _show(self, detail: dict[str, Any]) -> None:
        self.execution = execution_view(detail)
        self.steps = step_views(detail)
        self.timeline = timeline_figure(detail, utcnow())
        self.loaded, self.problem = True, ""

    @rx.event
    async def load(self) -> Any:
        """on_load: show the execution of the URL, and follow it while it is unfinished."""
        wanted = self._route_id()
        if wanted != self.exec_id:
            self.exec_id, self.loaded, self.steps = wanted, False, []
        self._follow_generation += 1  # any older follower of this tab stops
        try:
            detail = await run_service(self, lambda a: executions.get_execution(a, wanted))
        except AuthenticationFailed:
            return rx.redirect("/login")
        except FlowdeckError as exc:
            self.problem, self.loaded = error_text(exc), False
            return None
        self._show(detail)
        return None if is_finished(detail) else ExecutionDetailState.follow

    @rx.event(background=True)
    async def follow(self) -> None:
        async with self:
            generation, execution_id, token = self._follow_generation, self.exec_id, self.token
            if self._follower == generation or not execution_id:
                return  # this page already has its follower
            self._follower = generation

        async def apply(detail: dict[str, Any]) -> bool:
            async with self:
                wanted = self._follow_generation == generation and self._route_id() == execution_id
                if wanted and detail:
                    self._show(detail)
                return wanted

        try:
            await follow_execution(execution_id, lambda: fetch_detail(token, execution_id), apply)
        except FlowdeckError:
            return  # signed out or the execution was deleted: the next load says so

    @rx.event
    def ask(self, what: str) -> None:
        self.confirm = what if what in ("cancel", "retry") else ""

    @rx.event
    def close_confirm(self, _open: bool = False) -> None:
        self.confirm = ""

    @rx.event
    async def cancel(self) -> Any:
        execution_id, self.confirm = self.exec_id, ""
        try:
            # An async service: it must run on this loop, where the engine lives.
            actor = await self._actor()
            detail = await executions.cancel_execution(actor, execution_id)
        except AuthenticationFailed:
            return rx.redirect("/login")
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        self._show(detail)
        return rx.toast.success(f"Execution #{execution_id} is {detail['status']}")

    @rx.event
    async def retry(self) -> Any:
        execution_id, self.confirm = self.exec_id, ""
        try:
            new = await run_service(self, lambda a: executions.retry_execution(a, execution_id))
        except AuthenticationFailed:
            return rx.redirect("/login")
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        return [
            rx.toast.success(f"Retrying from the failed step as execution #{new['id']}"),
            rx.redirect(f"/admin/executions/{new['id']}"),
        ]
