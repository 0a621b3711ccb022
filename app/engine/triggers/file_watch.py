"""The `file_watch` trigger: one `watchfiles` watcher per active workflow that watches a folder.

Watchers start with the app (`start`) and stop with it (`stop`); `workflow.changed` (saved,
paused, resumed, deleted) stops a workflow's watcher and starts it again from the stored row,
so a pause stops watching at once and an edit takes the new path, patterns and version.
`watchfiles.awatch` runs the OS watcher (inotify) on its own thread and hands each debounced
batch to the loop; `app.core.file_watch` decides which changes start runs. Before watching, the
directory is resolved (symlinks followed) and must be under `FLOWDECK_WATCH_ROOTS` and exist;
a workflow whose folder is not allowed or gone is logged and not watched.

Each run's trigger payload: `{"event": "created" | "modified" | "deleted", "path": <absolute
path>, "name": <file name>, "directory": <the watched folder>, "size": <bytes, null once
deleted>}`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import watchfiles
from sqlmodel import col, select

from app.core.file_watch import batch_events, watch_problem
from app.db.engine import session_scope
from app.db.models import Workflow
from app.db.settings import get_settings
from app.engine.bus import Event, EventBus, bus, call_on_loop
from app.engine.runtime import start_run

log = logging.getLogger("flowdeck.triggers")
TRIGGER_TYPE = "file_watch"
_KINDS = {
    watchfiles.Change.added: "created",
    watchfiles.Change.modified: "modified",
    watchfiles.Change.deleted: "deleted",
}


@dataclass(frozen=True)
class Watched:
    """What a watcher needs of its workflow (a `RunTarget` for `start_run`)."""

    id: int
    version: int
    priority: str
    config: dict[str, Any]


def _watched(workflow_id: int | None = None) -> list[Watched]:
    """Active file_watch workflows (all, or the one asked for)."""
    query = select(Workflow).where(
        col(Workflow.is_active).is_(True), Workflow.trigger_type == TRIGGER_TYPE
    )
    if workflow_id is not None:
        query = query.where(Workflow.id == workflow_id)
    with session_scope() as session:
        return [
            Watched(row.id or 0, row.version, row.priority, dict(row.trigger_config or {}))
            for row in session.exec(query).all()
        ]


def directory_problem(path: str) -> tuple[Path, str | None]:
    """The resolved directory and why it may not be watched (None: it may)."""
    resolved = Path(path).resolve()
    problem = watch_problem(resolved, get_settings().watch_roots)
    if problem is None and not resolved.is_dir():
        problem = f"{resolved} is not a directory"
    return resolved, problem


def _size(path: str) -> int | None:
    try:
        return os.stat(path).st_size
    except OSError:
        return None


class FileWatchers:
    """Every file_watch workflow's watcher, kept in step with the workflows."""

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
        for watched in await asyncio.to_thread(_watched):
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

    async def ready(self, workflow_id: int, timeout_s: float = 10.0) -> None:
        """Wait until the workflow's watcher is watching (for tests; resyncs asked for first)."""
        await self.settle()
        async with asyncio.timeout(timeout_s):
            await self._ready[workflow_id].wait()

    async def settle(self) -> None:
        """Wait for the resyncs asked for so far."""
        while self._syncs:
            await asyncio.gather(*list(self._syncs), return_exceptions=True)

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
            found = await asyncio.to_thread(_watched, workflow_id)
            await self._stop_one(workflow_id)
            for watched in found:
                self._start_one(watched)
        except Exception:
            log.exception("workflow %s: could not update its folder watcher", workflow_id)

    def _start_one(self, watched: Watched) -> None:
        stop = asyncio.Event()
        self._ready[watched.id] = asyncio.Event()
        task = asyncio.get_running_loop().create_task(self._watch(watched, stop))
        self._watchers[watched.id] = (task, stop)

    async def _stop_one(self, workflow_id: int) -> None:
        entry = self._watchers.pop(workflow_id, None)
        self._ready.pop(workflow_id, None)
        if entry is None:
            return
        task, stop = entry
        stop.set()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(task, timeout=5)

    # -- one watcher ---------------------------------------------------------------------------

    async def _watch(self, watched: Watched, stop: asyncio.Event) -> None:
        config = watched.config
        directory, problem = await asyncio.to_thread(directory_problem, str(config.get("path")))
        if problem is not None:
            log.warning("workflow %s: not watching: %s", watched.id, problem)
            return
        patterns = list(config.get("patterns") or ["*"])
        events = list(config.get("events") or ["created", "modified", "deleted"])
        debounce = int(config.get("debounce_ms") or 500)
        log.info("workflow %s: watching %s", watched.id, directory)
        ready = self._ready.get(watched.id)
        if ready is not None:
            ready.set()
        try:
            async for changes in watchfiles.awatch(
                directory,
                watch_filter=None,
                debounce=debounce,
                step=min(50, debounce),
                stop_event=stop,
                recursive=False,
                ignore_permission_denied=True,
            ):
                seen = [(_KINDS[kind], path) for kind, path in changes if kind in _KINDS]
                for event, path in batch_events(seen, patterns=patterns, events=events):
                    await asyncio.to_thread(self._start_run, watched, directory, event, path)
        except Exception:
            log.exception("workflow %s: the watcher of %s stopped", watched.id, directory)

    @staticmethod
    def _start_run(watched: Watched, directory: Path, event: str, path: str) -> None:
        payload = {
            "event": event,
            "path": path,
            "name": Path(path).name,
            "directory": str(directory),
            "size": None if event == "deleted" else _size(path),
        }
        start_run(watched, trigger_type=TRIGGER_TYPE, payload=payload)
