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
import logging
import os
from pathlib import Path

import watchfiles

from app.core.file_watch import batch_events, watch_problem
from app.db.settings import get_settings
from app.engine.runtime import start_run
from app.engine.triggers.watchers import Watched, WorkflowWatchers

log = logging.getLogger("flowdeck.triggers")
TRIGGER_TYPE = "file_watch"
_KINDS = {
    watchfiles.Change.added: "created",
    watchfiles.Change.modified: "modified",
    watchfiles.Change.deleted: "deleted",
}


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


class FileWatchers(WorkflowWatchers):
    """Every file_watch workflow's watcher, kept in step with the workflows."""

    trigger_type = TRIGGER_TYPE
    noun = "folder watcher"

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
