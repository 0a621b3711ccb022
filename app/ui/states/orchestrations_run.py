"""Admin → Orchestrations → one run: header, the call timeline, each call's request and
response, live while the run goes on.

Following is the execution page's way (`follow_execution`), for runs: a background event
listens on the bus for the run's `orchestration.call` / `orchestration.finished` events and
reloads the run at most every `THROTTLE_S`; with no event for `IDLE_S` it reloads anyway (a
call's row is written on the engine's writer thread just after its event). It stops when the
run has ended, when the tab shows another page, or when the tab's socket has been gone for
`GONE_S` (a closed tab). `follow_run` is a plain function tests drive.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import reflex as rx
from starlette.concurrency import run_in_threadpool

from app.core.errors import AuthenticationFailed, FlowdeckError
from app.db.types import utcnow
from app.engine.bus import bus
from app.services import auth, orchestration_views
from app.ui.states.execution_detail_views import BarView, TickView
from app.ui.states.orchestrations_views import (
    RUN_ENDED,
    CallView,
    RunView,
    call_views,
    run_view,
    timeline_views,
)
from app.ui.states.session import SessionState, error_text, run_service

THROTTLE_S = 0.1
IDLE_S = 1.0
GONE_S = 30.0
FOLLOW_MAX_S = 3700.0  # an orchestration's overall timeout is at most an hour
_EVENTS = ("orchestration.call", "orchestration.finished")
_EMPTY: dict[str, Any] = {
    "id": 0,
    "orchestration_id": 0,
    "orchestration_name": "",
    "status": "running",
    "started_at": None,
    "finished_at": None,
    "duration_ms": None,
    "calls": [],
}


def is_finished(detail: dict[str, Any]) -> bool:
    return detail.get("status") in RUN_ENDED


async def fetch_run(token: str, run_id: int) -> dict[str, Any]:
    """The run as the tab's user may see it (the service checks the role)."""
    actor = await run_in_threadpool(auth.authenticate, token)
    return await run_in_threadpool(orchestration_views.get_run, actor, run_id)


async def follow_run(
    run_id: int,
    reload: Callable[[], Awaitable[dict[str, Any]]],
    apply: Callable[[dict[str, Any]], Awaitable[bool]],
    *,
    throttle_s: float = THROTTLE_S,
    idle_s: float = IDLE_S,
    max_s: float = FOLLOW_MAX_S,
) -> int:
    """Reload and apply the run on its events (and every `idle_s` without one) until it has
    ended or `apply` answers False (the page no longer wants it); returns the reloads."""
    reloads, last = 0, 0.0
    deadline = time.monotonic() + max_s
    async with bus.listen() as queue:
        while time.monotonic() < deadline:
            await asyncio.sleep(max(0.0, last + throttle_s - time.monotonic()))
            while not queue.empty():  # everything so far is covered by the reload below
                queue.get_nowait()
            last = time.monotonic()
            detail = await reload()
            reloads += 1
            if not await apply(detail) or is_finished(detail):
                return reloads
            try:
                while True:
                    event = await asyncio.wait_for(queue.get(), timeout=idle_s)
                    if event.name in _EVENTS and event.data.get("run_id") == run_id:
                        break
            except TimeoutError:
                pass
    return reloads


def tab_connected(token: str) -> bool:
    """Whether the tab's socket is there now (True when no running app can be asked)."""
    app = getattr(sys.modules.get("app.app"), "app", None)  # the running app, if any
    namespace = getattr(app, "event_namespace", None)
    if namespace is None:
        return True
    return token in namespace.token_to_sid


class OrchestrationRunState(SessionState):
    run_id: int = 0
    run: RunView = run_view(_EMPTY)
    calls: list[CallView] = []
    bars: list[BarView] = []
    ticks: list[TickView] = []
    open_calls: list[str] = []
    loaded: bool = False
    problem: str = ""
    cancelling: bool = False
    _follow_generation: int = 0
    _follower: int = 0

    def _route_id(self) -> int:
        raw = str(self.rx_router_page.params.get("run_id", ""))
        return int(raw) if raw.isdigit() and len(raw) < 12 else 0

    def _show(self, detail: dict[str, Any]) -> None:
        self.run = run_view(detail)
        self.calls = call_views(detail)
        self.bars, self.ticks = timeline_views(detail, utcnow())
        self.loaded, self.problem = True, ""

    @rx.var
    def running(self) -> bool:
        return self.loaded and self.run["status"] == "running"

    @rx.event
    async def load(self) -> Any:
        """on_load: show the run of the URL, and follow it while it goes on."""
        wanted = self._route_id()
        if wanted != self.run_id:
            self.run_id, self.loaded, self.calls, self.bars, self.open_calls = (
                wanted,
                False,
                [],
                [],
                [],
            )
        self._follow_generation += 1  # any older follower of this tab stops
        try:
            detail = await run_service(self, lambda a: orchestration_views.get_run(a, wanted))
        except AuthenticationFailed:
            return rx.redirect("/login")
        except FlowdeckError as exc:
            self.problem, self.loaded = error_text(exc), False
            return None
        self._show(detail)
        return None if is_finished(detail) else OrchestrationRunState.follow

    @rx.event(background=True)
    async def follow(self) -> None:
        async with self:
            generation, run_id, token = self._follow_generation, self.run_id, self.token
            client = self.router.session.client_token
            if self._follower == generation or not run_id:
                return  # this page already has its follower
            self._follower = generation
        gone_since: list[float] = []

        async def apply(detail: dict[str, Any]) -> bool:
            if not tab_connected(client):
                gone_since[:] = gone_since or [time.monotonic()]
                if time.monotonic() - gone_since[0] > GONE_S:
                    return False
            else:
                gone_since.clear()
            async with self:
                wanted = self._follow_generation == generation and self._route_id() == run_id
                if wanted and detail:
                    self._show(detail)
                return wanted

        try:
            await follow_run(run_id, lambda: fetch_run(token, run_id), apply)
        except FlowdeckError:
            return  # signed out or the run was deleted: the next load says so

    @rx.event
    def set_open_calls(self, keys: list[str] | str) -> None:
        self.open_calls = [keys] if isinstance(keys, str) else [str(k) for k in keys][:200]

    @rx.event
    def show_call(self, key: str) -> Any:
        """A click on a timeline row opens that call below."""
        if key not in self.open_calls:
            self.open_calls = [*self.open_calls, key]
        return rx.scroll_to(f"call-{key}")

    @rx.event
    async def cancel(self) -> Any:
        from app.services import orchestration_runs

        run_id = self.run_id
        self.cancelling = True
        try:
            actor = await self._actor()
            detail = await orchestration_runs.cancel_run(actor, run_id)
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        finally:
            self.cancelling = False
        self._show(detail)
        return rx.toast.success("Run cancelled")
