"""What every long-running trigger watcher shares (`file_watch`, `email`): one asyncio task per
active workflow of the trigger type, started with the app, stopped with it, and kept in step
with `workflow.changed` (saved, paused, resumed, deleted: the workflow's watcher is stopped and
started again from the stored row, so a pause stops at once and an edit takes the new config).

A subclass names its `trigger_type` and `noun`, and writes `_watch(watched, stop)`: the watcher
itself, which sets `self._ready[watched.id]` once it is watching and ends when `stop` is set
(or when it is cancelled, if `cancel_on_stop`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any, ClassVar

from sqlmodel import col, select

from app.db.engine import session_scope
from app.db.models import Workflow
from app.engine.bus import Event, EventBus, bus, call_on_loop

log = logging.getLogger("flowdeck.triggers")


@dataclass(frozen=True)
class Watched:
    """What a watcher needs of its workflow (a `RunTarget` for `start_run`)."""

    id: int
    version: int
    priority: str
    config: dict[str, Any]


def active_workflows(trigger_type: str, workflow_id: int | None = None) -> list[Watched]:
    """Active workflows of `trigger_type` (all, or the one asked for). Blocking."""
    query = select(Workflow).where(
        col(Workflow.is_active).is_(True), Workflow.trigger_type == trigger_type
    )
    if workflow_id is not None:
        query = query.where(Workflow.id == workflow_id)
    with session_scope() as session:
        return [
            Watched(row.id or 0, row.version, row.priority, dict(row.trigger_config or {}))
            for row in session.exec(query).all()
        ]


class WorkflowWatchers:
    """Every active workflow's watcher of one trigger type."""

    trigger_type: ClassVar[str]
    noun: ClassVar[str]  # for the log: "folder watcher", "mailbox watcher"
    ready_timeout_s: ClassVar[float] = 10.0
    cancel_on_stop: ClassVar[bool] = False  # a watcher that does not end on `stop` by itself

    def __init__(self, events: EventBus = bus) -> None:
        self.events = events
        self._loop: asyncio.AbstractEventLoop | None = None
        self._watchers: dict[int, tuple[asyncio.Task[None], asyncio.Event]] = {}
        self._ready: dict[int, asyncio.Event] = {}
        self._syncs: set[asyncio.Task[None]] = set()
        self._handler = self._on_changed

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.events.subscribe("workflow.changed", self._handler)
        for watched in await asyncio.to_thread(active_workflows, self.trigger_type):
            self._start_one(watched)

    async def stop(self) -> None:
        self.events.unsubscribe(self._handler)
        for task in list(self._syncs):
            task.cancel()
        for workflow_id in list(self._watchers):
            await self._stop_one(workflow_id)
        self._loop = None

    def watching(self) -> list[int]:
        return sorted(self._watchers)

    async def ready(self, workflow_id: int, timeout_s: float | None = None) -> None:
        """Wait until the workflow's watcher is watching (for tests; resyncs asked for first)."""
        await self.settle()
        async with asyncio.timeout(timeout_s or self.ready_timeout_s):
            await self._ready[workflow_id].wait()

    async def settle(self) -> None:
        """Wait for the resyncs asked for so far."""
        while self._syncs:
            await asyncio.gather(*list(self._syncs), return_exceptions=True)

    async def _watch(self, watched: Watched, stop: asyncio.Event) -> None:
        raise NotImplementedError

    def _starting(self, watched: Watched) -> None:
        """Called before a workflow's watcher starts (a subclass may reset what it keeps)."""

    # -- keeping in step with the workflows --------------------------------------------------

    def _on_changed(self, event: Event) -> None:
        workflow_id = event.data.get("workflow_id")
        if self._loop is not None and isinstance(workflow_id, int):
            call_on_loop(self._loop, self._resync_soon, workflow_id)

    def _resync_soon(self, workflow_id: int) -> None:
        task = asyncio.get_running_loop().create_task(self._resync(workflow_id))
        self._syncs.add(task)
        task.add_done_callback(self._syncs.discard)

    async def _resync(self, workflow_id: int) -> None:
        try:
            found = await asyncio.to_thread(active_workflows, self.trigger_type, workflow_id)
            await self._stop_one(workflow_id)
            for watched in found:
                self._start_one(watched)
        except Exception:
            log.exception("workflow %s: could not update its %s", workflow_id, self.noun)

    def _start_one(self, watched: Watched) -> None:
        stop = asyncio.Event()
        self._ready[watched.id] = asyncio.Event()
        self._starting(watched)
        task = asyncio.get_running_loop().create_task(self._watch(watched, stop))
        self._watchers[watched.id] = (task, stop)

    async def _stop_one(self, workflow_id: int) -> None:
        entry = self._watchers.pop(workflow_id, None)
        self._ready.pop(workflow_id, None)
        if entry is None:
            return
        task, stop = entry
        stop.set()
        if self.cancel_on_stop:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(task, timeout=5)
