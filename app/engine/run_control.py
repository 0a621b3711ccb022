"""Control of runs that are going on: pause, resume, cancel a run that holds no task, and
carry out the end of a wait (the `Engine`'s part of `app.engine.waits`).

A run going on in this process has a walk (`Engine._walks`): pausing it sets the walk's flag
(no new step starts; once its running steps have finished the run is `paused` and its task
ends), resuming clears it. A run that holds no task (`waiting`, `paused`) is moved in the
database: waiting → paused, paused → queued (the queue starts it again from its stored step
states), waiting or paused → cancelled.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from app.core.errors import Conflict
from app.core.statuses import ExecutionStatus
from app.engine import offload, store, suspended, waits
from app.engine.bus import EventBus

if TYPE_CHECKING:
    from app.engine.graph_run import GraphRun

log = logging.getLogger("flowdeck.engine")


class RunControl:
    """Mixed into `Engine`: what it needs from the engine is declared here."""

    events: EventBus
    _loop: asyncio.AbstractEventLoop | None
    _walks: dict[int, GraphRun]
    _tasks: dict[int, asyncio.Task[None]]
    _pause_asked: set[int]

    def _fill_after_submit(self) -> None:
        raise NotImplementedError

    async def pause(self, execution_id: int) -> str:
        """Running here: no new step starts, running ones finish, then it is `paused`;
        waiting: `paused` at once (a wait that ends meanwhile is kept for the resume)."""
        walk = self._walks.get(execution_id)
        if walk is not None:
            walk.paused = True
            walk.poke()
            return "pausing"
        if execution_id in self._tasks:  # claimed, its walk not built yet: paused once it is
            self._pause_asked.add(execution_id)
            return "pausing"
        if await offload.db(
            suspended.move_execution,
            execution_id,
            ExecutionStatus.PAUSED,
            ExecutionStatus.WAITING,
        ):
            self._announce(execution_id, ExecutionStatus.PAUSED)
            return "paused"
        raise Conflict(f"execution {execution_id} is not running or waiting here")

    async def resume(self, execution_id: int) -> str:
        """A paused run goes on: from the queue, from its stored step states."""
        walk = self._walks.get(execution_id)
        if walk is not None and walk.paused:  # its running steps have not finished yet
            walk.paused = False
            walk.poke()
            return "resumed"
        if execution_id in self._pause_asked:  # the pause had not landed yet
            self._pause_asked.discard(execution_id)
            return "resumed"
        if await offload.db(
            suspended.move_execution, execution_id, ExecutionStatus.QUEUED, ExecutionStatus.PAUSED
        ):
            self._announce(execution_id, ExecutionStatus.QUEUED)
            self._fill_after_submit()
            return "resumed"
        raise Conflict(f"execution {execution_id} is not paused")

    def wait_resolved(self, execution_id: int, *, requeued: bool) -> None:
        """A wait of `execution_id` ended (from any thread): start it or tell its walk."""
        if self._loop is None or self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(self._on_wait_resolved, execution_id, requeued)

    def _on_wait_resolved(self, execution_id: int, requeued: bool) -> None:
        if requeued:
            self._fill_after_submit()
        elif (walk := self._walks.get(execution_id)) is not None:
            walk.poke()

    def _announce(self, execution_id: int, status: ExecutionStatus) -> None:
        self.events.publish_nowait(
            f"execution.{status.value}", execution_id=execution_id, status=status.value
        )

    async def _cancel_held(self, execution_id: int) -> bool:
        """Cancel a waiting or paused run (no task holds it); False if it is neither."""
        run = await offload.db(suspended.open_run, execution_id)
        if run is None or run["status"] not in (ExecutionStatus.WAITING, ExecutionStatus.PAUSED):
            return False
        await self._close(
            {"id": execution_id, **run},
            ExecutionStatus.CANCELLED,
            error="cancelled by request",
            steps_completed=run["steps_completed"],
        )
        return True

    async def _close(
        self,
        run: dict[str, Any],
        status: ExecutionStatus,
        *,
        error: str | None,
        steps_completed: int,
        failed_step: str | None = None,
    ) -> None:
        """End a run: the row and its workflow's counters, `execution.finished`, its parent."""
        duration_ms = await offload.db(
            store.finish_execution,
            run["id"],
            run["workflow_id"],
            status,
            started_at=run["started_at"],
            steps_completed=steps_completed,
            error=error,
            failed_step=failed_step,
        )
        self.events.publish_nowait(
            "execution.finished",
            execution_id=run["id"],
            workflow_id=run["workflow_id"],
            workflow_name=run["workflow_name"],
            status=status.value,
            error=error,
            failed_step=failed_step,
            duration_ms=duration_ms,
        )
        await self._tell_parent(run)

    async def _tell_parent(self, run: dict[str, Any]) -> None:
        """A sub-workflow's run ended: the parent's step waiting on it goes on."""
        if run.get("parent_execution_id"):
            try:
                await offload.db(waits.resolve_child, run["id"])
            except Exception:
                log.exception("could not hand execution %s's end to its parent", run["id"])
