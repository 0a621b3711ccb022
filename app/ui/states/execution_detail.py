"""Admin → Executions → one execution: header, canvas, timeline, waits, steps, controls, live.

While the execution runs, a background event follows the bus and reloads the execution at
most every 100 ms (`execution_follow`): the canvas at every reload, the rest of a big run's
page at most every 2 s (`PagePacer`), the canvas's delta sent first, on its own.

The canvas is the version's steps (`to_canvas`, laid out once per execution: a version never
changes): its nodes and edges are sent once, and each reload sends only the run to lay over
them (`canvas_run`: statuses, notes, edge states; ~10 KB for 200 steps, where the dressed
nodes and edges were ~150 KB a push), and only when it changed.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from starlette.concurrency import run_in_threadpool

from app.core.canvas import to_canvas
from app.core.errors import AuthenticationFailed, FlowdeckError
from app.db.types import utcnow
from app.services import approvals, execution_control, execution_graph, executions
from app.ui.states.execution_detail_views import (
    BarView,
    CanvasRun,
    ExecutionView,
    RunEdge,
    RunNode,
    StepView,
    TickView,
    WaitView,
    canvas_run,
    canvas_views,
    execution_view,
    selected_step,
    step_views,
    timeline_views,
    wait_views,
)
from app.ui.states.execution_follow import (
    BIG_RUN_STEPS,
    SETTLE_S,
    PagePacer,
    fetch_detail,
    follow_execution,
    is_finished,
    page_every,
    throttle_for,
)
from app.ui.states.session import SessionState, error_text, run_service
from app.ui.titles import page_title

__all__ = ["ExecutionDetailState", "fetch_detail", "follow_execution", "throttle_for"]

ROWS_PAGE = 25  # a big run's steps list and timeline show this many rows, then "Show more"


def rows_shown(total: int, limit: int) -> int:
    """How many rows of the steps list (or the timeline) a page shows: every row of a small
    run; of a big one the first `ROWS_PAGE` (or the `limit` the person asked for). Each live
    update redraws every row shown, and 200 rows took a browser ~0.1-0.5 s a push."""
    if limit <= 0:
        limit = total if total <= BIG_RUN_STEPS else ROWS_PAGE
    return min(total, limit)


Canvas = tuple[list[dict[str, Any]], list[dict[str, Any]]]


def canvas_of(found: execution_graph.ExecutionGraph) -> Canvas:
    """The nodes and edges of the steps the execution runs, laid out (no run on them yet)."""
    return to_canvas(list(found.steps))


PAUSABLE = ("running", "waiting")
CANCELLABLE = ("queued", "running", "waiting", "paused")
RETRYABLE = tuple(status.value for status in executions.RETRYABLE)
CONTROLS = ("pause", "resume", "cancel", "retry")
_EMPTY = {
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


class ExecutionDetailState(SessionState):
    exec_id: int = 0
    execution: ExecutionView = execution_view(_EMPTY)
    steps: list[StepView] = []
    selected: str = ""  # the step whose details the canvas's panel shows
    selected_view: StepView = selected_step([], "")
    steps_more: int = 0  # rows of the steps list not shown (a big run's, until asked)
    steps_limit: int = 0  # rows asked for (0: the default of `rows_shown`)
    bars: list[BarView] = []
    bars_more: int = 0
    bars_limit: int = 0
    ticks: list[TickView] = []
    waits: list[WaitView] = []
    open_steps: list[str] = []
    loaded: bool = False
    problem: str = ""
    confirm: str = ""  # "cancel" or "retry" while its dialog is open
    busy: str = ""  # the control being carried out
    pausing: bool = False  # pause asked; running steps are finishing (this tab asked)
    decision: str = ""  # "approved" / "rejected" while the decision dialog is open
    decision_approval: int = 0
    decision_comment: str = ""
    _canvas: Canvas | None = None
    _detail: dict[str, Any] = {}
    _follow_generation: int = 0
    _follower: int = 0

    @rx.var
    def page_title(self) -> str:
        """The browser tab: "#42 · Weather digest · Flowdeck" once the run is loaded."""
        if not self.loaded:
            return page_title("", "Execution", self.exec_id or None)
        return page_title(self.execution["workflow"], "Execution", self.exec_id)

    @rx.var
    def can_pause(self) -> bool:
        return self.loaded and self.execution["status"] in PAUSABLE and not self.pausing

    @rx.var
    def can_resume(self) -> bool:
        return self.loaded and self.execution["status"] == "paused"

    @rx.var
    def can_cancel(self) -> bool:
        return self.loaded and self.execution["status"] in CANCELLABLE

    @rx.var
    def can_retry(self) -> bool:
        return self.loaded and self.execution["status"] in RETRYABLE

    def _route_id(self) -> int:
        # The dynamic route var reads the same field; `router.page` would log a deprecation.
        raw = str(self.rx_router_page.params.get("execution_id", ""))
        return int(raw) if raw.isdigit() else 0

    def _put(self, name: str, value: Any) -> None:
        """Assign a var only when it changed: assigning sends it, and the browser redraws it."""
        if getattr(self, name) != value:
            setattr(self, name, value)

    async def _show_canvas(self, detail: dict[str, Any]) -> None:
        """The canvas alone (its own substate): its nodes and edges (once), the run on them."""
        canvas = await self.get_state(ExecutionCanvasState)
        if self._canvas is None:
            canvas._clear()
        else:
            canvas._show_run(self._canvas, detail, self.user_email, self.user_role)

    async def _show_all(self, detail: dict[str, Any]) -> None:
        self._show(detail)
        await self._show_canvas(detail)

    def _show(self, detail: dict[str, Any]) -> None:
        """Everything but the canvas."""
        self._detail = detail
        self._put("execution", execution_view(detail))
        self._put("pausing", self.pausing and detail["status"] == "running")
        self._show_steps()
        self._put("waits", wait_views(detail, self.user_email, self.user_role))
        bars, ticks = timeline_views(detail, utcnow())
        shown = rows_shown(len(bars), self.bars_limit)
        self._put("bars", bars[:shown])
        self._put("bars_more", len(bars) - shown)
        self._put("ticks", ticks)
        self._put("loaded", True)
        self._put("problem", "")

    def _show_steps(self) -> None:
        """The steps list's rows (only those shown: a big run's first page) and the panel's."""
        rows = self._detail.get("steps") or []
        shown = rows_shown(len(rows), self.steps_limit)
        self._put("steps", step_views(self._detail, rows[:shown]) if rows else [])
        self._put("steps_more", len(rows) - shown)
        self._show_selected()

    def _show_selected(self) -> None:
        rows = [s for s in self._detail.get("steps") or () if s["action_id"] == self.selected]
        views = step_views(self._detail, rows) if rows else []
        self._put("selected_view", selected_step(views, self.selected))

    @rx.event
    def show_more_steps(self) -> None:
        """Fifty more rows of a big run's steps list."""
        self.steps_limit = len(self.steps) + ROWS_PAGE * 2
        self._show_steps()

    @rx.event
    def show_all_bars(self) -> None:
        self.bars_limit = 1_000_000
        bars, _ticks = timeline_views(self._detail, utcnow())
        self._put("bars", bars)
        self._put("bars_more", 0)

    @rx.event
    async def load(self) -> Any:
        """on_load: show the execution of the URL, and follow it while it is unfinished."""
        wanted = self._route_id()
        if wanted != self.exec_id:
            self.exec_id, self.loaded, self.steps, self._canvas = wanted, False, [], None
            self.bars, self.waits = [], []
            (await self.get_state(ExecutionCanvasState))._clear()
            self.open_steps, self.selected, self._detail = [], "", {}
            self.steps_limit, self.bars_limit = 0, 0
        self._follow_generation += 1  # any older follower of this tab stops
        try:
            detail = await run_service(self, lambda a: executions.get_execution(a, wanted))
            if self._canvas is None:
                found = await run_service(
                    self, lambda a: execution_graph.execution_graph(a, wanted)
                )
                self._canvas = await run_in_threadpool(canvas_of, found)
        except AuthenticationFailed:
            return rx.redirect("/login")
        except FlowdeckError as exc:
            self.problem, self.loaded = error_text(exc), False
            return None
        await self._show_all(detail)
        return None if is_finished(detail) else ExecutionDetailState.follow

    @rx.event(background=True)
    async def follow(self) -> None:
        async with self:
            generation, execution_id, token = self._follow_generation, self.exec_id, self.token
            size = len(self._canvas[0]) if self._canvas else len(self.steps)
            if self._follower == generation or not execution_id:
                return  # this page already has its follower
            self._follower = generation
        pacer = PagePacer(page_every(size))

        async def apply(detail: dict[str, Any]) -> bool:
            # The canvas first, in a delta of its own: the browser redraws its changed nodes
            # before it is busy with the rest of the page.
            async with self:
                wanted = self._follow_generation == generation and self._route_id() == execution_id
                if wanted and detail:
                    await self._show_canvas(detail)
            whole = pacer.take(detail) if wanted else None
            if whole:
                async with self:
                    if self._follow_generation == generation:
                        self._show(whole)
            return wanted

        try:
            await follow_execution(
                execution_id,
                lambda: fetch_detail(token, execution_id),
                apply,
                throttle_s=throttle_for(size),
                settle_s=SETTLE_S,
            )
        except FlowdeckError:
            return  # signed out or the execution was deleted: the next load says so

    @rx.event
    def set_open_steps(self, keys: list[str] | str) -> None:
        self.open_steps = [keys] if isinstance(keys, str) else [str(k) for k in keys]

    @rx.event
    def select_node(self, step_id: str) -> None:
        """A click on a node shows its step beside the canvas; on the empty canvas, closes it."""
        known = self._canvas is not None and any(n["id"] == step_id for n in self._canvas[0])
        self.selected = step_id if known else ""
        self._show_selected()

    @rx.event
    def node_action(self, step_id: str, action: str) -> None:
        """Approve / Reject on a waiting approval's node: the decision dialog for its approval."""
        decision = {"approve": "approved", "reject": "rejected"}.get(action)
        wait = next((w for w in self.waits if w["step"] == step_id and w["can_decide"]), None)
        if decision and wait is not None:
            self._open_decision(wait["approval_id"], decision)

    @rx.event
    def show_step(self, key: str) -> Any:
        """A click on a timeline row (or "in the list" in the panel) opens that step below."""
        if key not in self.open_steps:
            self.open_steps = [*self.open_steps, key]
        keys = [s["action_id"] for s in self._detail.get("steps") or ()]
        if key in keys and keys.index(key) >= len(self.steps):  # beyond the rows shown
            self.steps_limit = keys.index(key) + 1
            self._show_steps()
        return rx.scroll_to(f"step-{key}")

    @rx.event
    def ask(self, what: str) -> None:
        self.confirm = what if what in ("cancel", "retry") else ""

    @rx.event
    def close_confirm(self, _open: bool = False) -> None:
        self.confirm = ""

    @rx.event
    async def pause(self) -> Any:
        return await self._control("pause")

    @rx.event
    async def resume(self) -> Any:
        return await self._control("resume")

    @rx.event
    async def cancel(self) -> Any:
        return await self._control("cancel")

    @rx.event
    async def retry(self) -> Any:
        return await self._control("retry")

    async def _control(self, action: str) -> Any:
        """Pause, resume, cancel or retry through the control service; a toast either way."""
        execution_id, self.confirm, self.busy = self.exec_id, "", action
        try:
            # Async services: they run on this loop, where the engine lives.
            actor = await self._actor()
            if action == "retry":
                answer = await execution_control.retry(actor, execution_id)
                new_id = answer.execution["id"]
                return [
                    rx.toast.success(f"Retrying from the failed step as execution #{new_id}"),
                    rx.redirect(f"/admin/executions/{new_id}"),
                ]
            do = getattr(execution_control, action)
            detail = await do(actor, execution_id)
        except AuthenticationFailed:
            return rx.redirect("/login")
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        finally:
            self.busy = ""
        if action == "pause" and detail["status"] == "running":
            self.pausing = True
            message = f"Pausing execution #{execution_id}: running steps finish, no new one starts"
        else:
            message = f"Execution #{execution_id} is {detail['status']}"
        await self._show_all(detail)
        done = [rx.toast.success(message)]
        if not is_finished(detail):  # a fresh follower: the old one may have run out
            self._follow_generation += 1
            done.append(ExecutionDetailState.follow)
        return done

    @rx.event
    def open_decision(self, approval_id: int, decision: str) -> None:
        self._open_decision(approval_id, decision)

    def _open_decision(self, approval_id: int, decision: str) -> None:
        known = any(w["approval_id"] == approval_id for w in self.waits)
        if known and decision in ("approved", "rejected"):
            self.decision_approval, self.decision, self.decision_comment = approval_id, decision, ""

    @rx.event
    def close_decision(self, _open: bool = False) -> None:
        self.decision, self.decision_approval = "", 0

    @rx.event
    def set_decision_comment(self, value: str) -> None:
        self.decision_comment = value[:2000]

    @rx.event
    async def submit_decision(self) -> Any:
        """Approve or reject as the signed-in person; the service checks they are an approver."""
        approval_id, decision = self.decision_approval, self.decision
        step = next((w["step"] for w in self.waits if w["approval_id"] == approval_id), "")
        comment = self.decision_comment.strip() or None
        self.busy = "decide"
        try:
            actor = await self._actor()
            await approvals.decide(actor, approval_id, decision, comment)
        except AuthenticationFailed:
            return rx.redirect("/login")
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        finally:
            self.busy = ""
        self.decision, self.decision_approval, self.decision_comment = "", 0, ""
        self.waits = [w for w in self.waits if w["approval_id"] != approval_id]
        self._follow_generation += 1  # the run goes on: follow it again
        return [rx.toast.success(f"You {decision} step {step}"), ExecutionDetailState.follow]


class ExecutionCanvasState(ExecutionDetailState):
    """The canvas's vars, in a substate of their own. The browser redraws every component that
    reads a substate when any var of it changes: a live update of the canvas alone redraws
    the canvas alone, not the header, steps list and timeline of a 200-step run (~60 ms a
    push on a quiet machine, 0.2-0.3 s on a busy one)."""

    canvas_nodes: list[RunNode] = []
    canvas_edges: list[RunEdge] = []
    canvas_run: CanvasRun = {"steps": {}, "edges": {}}

    def _clear(self) -> None:
        self._put("canvas_nodes", [])
        self._put("canvas_edges", [])
        self._put("canvas_run", {"steps": {}, "edges": {}})

    def _show_run(self, canvas: Canvas, detail: dict[str, Any], email: str, role: str) -> None:
        nodes, edges = canvas_views(*canvas)
        self._put("canvas_nodes", nodes)  # once per execution: the same at every reload
        self._put("canvas_edges", edges)
        self._put("canvas_run", canvas_run(*canvas, detail, email, role))
