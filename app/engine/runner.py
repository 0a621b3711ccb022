"""The engine: queues runs in the database, starts them within the limits, runs each step.

One `Engine` lives in the Flowdeck process (see `app.engine.runtime`). Waiting runs are
`queued` rows, ordered by priority then time, so a restart loses none of them. Walking a
run's graph of steps as the planner decides happens in `graph_run`; running one step —
condition, render, timeout, retries, recording — in `steps.run_step`.

Every database call of the engine runs on the writer thread (`offload.db`), never on the event
loop: starting queued runs is a task (`_fill_queue`), one at a time, that runs again when
something changed while it worked. `submit` stays synchronous (services call it from worker
threads): its insert runs on the caller's thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from datetime import datetime
from typing import Any

from app.core.errors import Conflict, ValidationFailed
from app.core.planner import (
    DEFAULT_MAX_PARALLEL,
    STEP_STATUSES,
    Outcome,
    Plan,
    StepState,
    reusable_steps,
)
from app.core.statuses import ExecutionStatus
from app.db.settings import get_settings
from app.db.types import utcnow
from app.engine import leases, offload, records, run_setup, store, suspended
from app.engine.bus import EventBus, bus, call_on_loop
from app.engine.graph_run import GraphRun
from app.engine.run_control import RunControl
from app.engine.steps import RunScope
from app.engine.wait_clock import WaitClock

log = logging.getLogger("flowdeck.engine")
PRIORITY_RANK = {"low": 0, "normal": 1, "high": 2}


class Engine(RunControl):
    def __init__(self, *, max_concurrent: int | None = None, events: EventBus = bus) -> None:
        self.max_concurrent = max_concurrent or get_settings().max_concurrent_executions
        self.events = events
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._running_by_workflow: Counter[int] = Counter()
        self._cancel_requested: set[int] = set()
        self._stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        # False once a look at the queue found nothing left waiting; every submit sets it.
        self._maybe_queued = True
        self._submits = 0  # counts submits seen on the loop, so a look cannot miss one
        self._filler: asyncio.Task[None] | None = None
        self._fill_again = False
        self._entered: set[int] = set()  # runs whose task began (a task cancelled before it
        # began never runs its body, so `_done` records its end instead)
        self._closers: set[asyncio.Task[None]] = set()
        self._walks: dict[int, GraphRun] = {}  # the runs going on in this process
        # pauses asked for while a claimed run's walk was still being built
        self._pause_asked: set[int] = set()
        self.clock = WaitClock()

    # -- life cycle -------------------------------------------------------------------------

    async def start(self) -> list[int]:
        """Mark runs of a dead process `interrupted`, then pick up the queued ones."""
        self._loop = asyncio.get_running_loop()
        self.events.bind_loop(self._loop)
        self._stopping = False
        self._maybe_queued = True
        interrupted = await self.recover()
        self._fill()
        self.clock.start(self._loop)
        return interrupted

    async def recover(self) -> list[int]:
        """Mark `interrupted` what processes whose lease ran out left running (never a living
        process's runs, nor this one's: `app.core.leases`); their ids."""
        own = leases.current_id()
        await offload.db(leases.end_dead_here, own)  # a crashed process on this machine
        interrupted = await offload.db(store.recover_interrupted, own)
        for execution_id in interrupted:
            self.events.publish_nowait(
                "execution.finished", execution_id=execution_id, status=ExecutionStatus.INTERRUPTED
            )
        if interrupted:
            log.warning("marked %d execution(s) of a stopped process interrupted", len(interrupted))
        return interrupted

    def look_at_queue(self) -> None:
        """Look for queued runs again (another process may have queued some)."""
        if self._loop is not None and not self._stopping:
            self._fill_after_submit()

    async def stop(self) -> None:
        """Stop running work; unfinished runs are `interrupted`, as after a crash."""
        self._stopping = True
        for walk in self._walks.values():
            walk.scope.interrupted = True  # a step cut short by a stop is `interrupted`
        tasks = list(self._tasks.values())
        if self._filler is not None:
            tasks.append(self._filler)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._closers:
            await asyncio.gather(*self._closers, return_exceptions=True)
        await self.clock.stop()

    async def drain(self, limit_s: float = 30.0) -> None:
        """Wait until nothing is running or queued in this engine (for tests and benchmarks)."""
        async with asyncio.timeout(limit_s):
            while True:
                while pending := self._pending():
                    await asyncio.gather(*pending, return_exceptions=True)
                # A run submitted from another thread may not have reached the loop yet.
                if not await offload.db(store.queued_candidates, 1):
                    return
                self._fill_after_submit()
                await asyncio.sleep(0)

    def _pending(self) -> list[asyncio.Task[None]]:
        pending = [*self._tasks.values(), *self._closers]
        if self._filler is not None and not self._filler.done():
            pending.append(self._filler)
        return pending

    # -- asking for runs --------------------------------------------------------------------

    def submit(
        self,
        workflow_id: int,
        *,
        workflow_version: int,
        priority: str = "normal",
        trigger_type: str = "manual",
        payload: dict[str, Any] | None = None,
        scheduled_for: datetime | None = None,
        dedupe_key: str | None = None,
        created_by: int | None = None,
        retry_of: int | None = None,
        parent_execution_id: int | None = None,
        parent_step: str | None = None,
        depth: int = 0,
    ) -> tuple[int, bool]:
        """Write a queued execution and start it if a slot is free. Returns (id, created).

        A sub-workflow's run names its parent run and step, and its depth (parent's + 1).
        """
        execution_id, created = store.insert_execution(
            {
                "workflow_id": workflow_id,
                "workflow_version": workflow_version,
                "status": ExecutionStatus.QUEUED,
                "trigger_type": trigger_type,
                "trigger_payload": payload or {},
                "priority_rank": PRIORITY_RANK.get(priority, 1),
                "queued_at": utcnow(),
                "scheduled_for": scheduled_for,
                "dedupe_key": dedupe_key,
                "created_by": created_by,
                "retry_of": retry_of,
                "parent_execution_id": parent_execution_id,
                "parent_step": parent_step,
                "depth": depth,
                "steps_completed": 0,
                "steps_total": 0,
            }
        )
        if created:
            self._maybe_queued = True
            self.events.publish_nowait(
                "execution.queued", execution_id=execution_id, workflow_id=workflow_id
            )
            self._wake()
        return execution_id, created

    def _wake(self) -> None:
        if self._loop is not None:
            call_on_loop(self._loop, self._fill_after_submit)

    def _fill_after_submit(self) -> None:
        # Set again on the loop: a look at the queue that ran since the insert cleared it.
        self._maybe_queued = True
        self._submits += 1
        self._fill()

    async def cancel(self, execution_id: int) -> str:
        """Cancel a queued or running execution; returns what happened."""
        if self._filler is not None and not self._filler.done():
            # It may be claiming this very execution: let the claim land first.
            with contextlib.suppress(Exception):
                await asyncio.shield(self._filler)
        task = self._tasks.get(execution_id)
        if task is not None:
            self._cancel_requested.add(execution_id)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.shield(task)
            return "cancelled"
        if await offload.db(store.cancel_queued, execution_id):
            self.events.publish_nowait(
                "execution.finished", execution_id=execution_id, status=ExecutionStatus.CANCELLED
            )
            await self._tell_parent({"id": execution_id, "parent_execution_id": True})
            return "cancelled"
        if await self._cancel_held(execution_id):
            return "cancelled"
        raise Conflict(f"execution {execution_id} is not queued, running, waiting or paused here")

    # -- dispatching ------------------------------------------------------------------------

    def _fill(self) -> None:
        """Start queued runs in free slots (in a task: the queue is read off the loop)."""
        if self._stopping or not self._maybe_queued:
            return
        if self._filler is not None and not self._filler.done():
            self._fill_again = True  # looked at too early: look once more when done
            return
        self._filler = asyncio.get_running_loop().create_task(self._fill_queue())

    async def _fill_queue(self) -> None:
        try:
            self._fill_again = True
            while self._fill_again and not self._stopping and self._maybe_queued:
                self._fill_again = False
                await self._fill_once()
        except Exception:
            log.exception("could not start queued executions")

    async def _fill_once(self) -> None:
        free = self.max_concurrent - len(self._tasks)
        if free <= 0:
            return
        submits = self._submits
        candidates = await offload.db(store.queued_candidates, 200)
        left_waiting = False
        for execution_id, workflow_id, limit in candidates:
            free = self.max_concurrent - len(self._tasks)
            if free <= 0 or self._stopping:
                left_waiting = True
                break
            if execution_id in self._tasks or self._running_by_workflow[workflow_id] >= limit:
                left_waiting = True
                continue
            run = await offload.db(store.claim, execution_id)
            if run is None:
                continue
            self._running_by_workflow[workflow_id] += 1
            task = asyncio.get_running_loop().create_task(self._run(run))
            self._tasks[execution_id] = task
            task.add_done_callback(lambda t, r=run: self._done(t, r))
        if not left_waiting and len(candidates) < 200 and submits == self._submits:
            self._maybe_queued = False

    def _done(self, task: asyncio.Task[None], run: dict[str, Any]) -> None:
        execution_id, workflow_id = run["id"], run["workflow_id"]
        self._tasks.pop(execution_id, None)
        if task.cancelled() and execution_id not in self._entered:
            closer = asyncio.get_running_loop().create_task(
                self._close_unstarted(run, execution_id in self._cancel_requested)
            )
            self._closers.add(closer)
            closer.add_done_callback(self._closers.discard)
        self._entered.discard(execution_id)
        self._cancel_requested.discard(execution_id)
        self._pause_asked.discard(execution_id)
        self._running_by_workflow[workflow_id] -= 1
        try:
            self._fill()
        except Exception:
            log.exception("could not start queued executions")

    async def _close_unstarted(self, run: dict[str, Any], requested: bool) -> None:
        """End a claimed run whose task was cancelled before it began (never left `running`)."""
        if requested:
            status, error = ExecutionStatus.CANCELLED, "cancelled by request"
        else:
            status = ExecutionStatus.INTERRUPTED
            error = "interrupted: Flowdeck stopped while this execution ran"
        await self._close(run, status, error=error, steps_completed=0)

    # -- one run ----------------------------------------------------------------------------

    async def _run(self, run: dict[str, Any]) -> None:
        execution_id, workflow_id = run["id"], run["workflow_id"]
        self._entered.add(execution_id)
        emit = self.events.publish_nowait
        emit(
            "execution.resumed" if run.get("resumed") else "execution.started",
            execution_id=execution_id,
            workflow_id=workflow_id,
            workflow_name=run["workflow_name"],
            steps_total=len(run["actions"]),
        )
        settings = get_settings()
        context = run_setup.run_context(run, settings.env_vars)
        scope = RunScope(
            execution_id=execution_id,
            workflow_id=workflow_id,
            retry_of=run["retry_of"],
            emit=emit,
            max_data_bytes=settings.max_step_data_bytes,
            secrets=run_setup.run_secrets(run, settings.secret_env_values),
            workflow_name=run["workflow_name"],
            on_wait=self.clock.look_again,
        )
        status, error, failed_step = ExecutionStatus.SUCCEEDED, None, None
        walk: GraphRun | None = None
        try:
            walk = await self._graph_run(run, scope, context)
            self._walks[execution_id] = walk
            if execution_id in self._pause_asked:
                self._pause_asked.discard(execution_id)
                walk.paused = True
            walk.render_ahead()
            decision = await self._walk_to_end(walk, scope, run)
            if decision is None:  # waiting or paused: the task ends, nothing is held
                return
            status = ExecutionStatus(decision.outcome)
            if decision.failed_step is not None:
                failed_step = decision.failed_step
                error = f"step {failed_step} failed: {walk.errors.get(failed_step)}"
            elif decision.handled:  # succeeded along error handlers: the failures recorded
                error = "; ".join(
                    f"step {step} failed (handled by {handler}): {walk.errors.get(step)}"
                    for step, handler in decision.handled.items()
                )
        except asyncio.CancelledError:
            if execution_id in self._cancel_requested:
                status, error = ExecutionStatus.CANCELLED, "cancelled by request"
            else:
                status = ExecutionStatus.INTERRUPTED
                error = "interrupted: Flowdeck stopped while this execution ran"
        except ValidationFailed as exc:  # a stored definition the graph checks refuse
            status, error = ExecutionStatus.FAILED, f"the steps do not form a valid graph: {exc}"
        except Exception as exc:  # a bug in the engine must not leave the run `running`
            log.exception("execution %s crashed", execution_id)
            status, error = ExecutionStatus.FAILED, f"internal error: {exc.__class__.__name__}"
        finally:
            self._walks.pop(execution_id, None)
            if walk is not None:
                walk.close()
        completed = walk.completed if walk is not None else 0
        await scope.ends.written()
        error = scope.masking().error(error)
        if scope.learned_secrets_late:  # steps stored before a credential was loaded
            await offload.db(records.remask_execution, execution_id, scope.secrets.snapshot())
        await self._close(
            run, status, error=error, steps_completed=completed, failed_step=failed_step
        )

    async def _walk_to_end(
        self, walk: GraphRun, scope: RunScope, run: dict[str, Any]
    ) -> Plan | None:
        """Walk until the planner gives an end; None once the run is suspended instead (only
        waits are left, or it was paused), its step ends written first."""
        decision = await walk.walk()
        while decision.outcome in (Outcome.WAITING, Outcome.PAUSED):
            target = ExecutionStatus(decision.outcome)
            await scope.ends.written()  # the run comes back from the stored step states
            ended = await offload.db(
                suspended.suspend, run["id"], target, list(walk.waiting.values()), walk.completed
            )
            if not ended:
                if walk.paused and target == ExecutionStatus.WAITING:
                    # paused while it was going to wait: it is paused, not waiting
                    await offload.db(
                        suspended.move_execution, run["id"], ExecutionStatus.PAUSED, target
                    )
                    target = ExecutionStatus.PAUSED
                self.events.publish_nowait(
                    f"execution.{target.value}",
                    execution_id=run["id"],
                    workflow_id=run["workflow_id"],
                    workflow_name=run["workflow_name"],
                    status=target.value,
                )
                return None
            walk.take_ended(ended)  # resolved while the run was still going: go on
            decision = await walk.walk()
        return decision

    async def _graph_run(
        self, run: dict[str, Any], scope: RunScope, context: dict[str, Any]
    ) -> GraphRun:
        """The walk of this run's steps; a retry starts with the steps it reuses succeeded."""
        graph = run_setup.graph_of(run["actions"])
        reuse: dict[str, Any] = {}
        if run["retry_of"]:
            previous = await offload.db(store.step_results, run["retry_of"])
            states = {
                step: StepState(status)
                for step, (status, _) in previous.items()
                if step in graph.nodes and status in STEP_STATUSES
            }
            reuse = {step: previous[step][1] for step in reusable_steps(graph, states)}
        walk = GraphRun(
            scope,
            graph=graph,
            actions=run["actions"],
            step_ids=run["step_ids"],
            context=context,
            reuse=reuse,
            max_parallel=run.get("max_parallel") or DEFAULT_MAX_PARALLEL,
        )
        if run.get("resumed"):
            walk.resumed_from(run["resumed"], run.get("steps_completed") or 0)
        return walk
