"""The in-process event bus: the engine publishes, alerts, audit and browsers listen.

Publishing never blocks the run: each subscriber has its own bounded queue, and a
subscriber that falls behind loses its oldest events rather than slowing the engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from app.db.types import utcnow

log = logging.getLogger("flowdeck.bus")


@dataclass(frozen=True)
class Event:
    name: str  # "execution.started", "step.finished", "workflow.changed", …
    data: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=lambda: utcnow().timestamp())


Handler = Callable[[Event], Awaitable[None] | None]


class EventBus:
    def __init__(self, queue_size: int = 10_000) -> None:
        self._queues: set[asyncio.Queue[Event]] = set()
        self._handlers: list[tuple[str, Handler]] = []
        self._queue_size = queue_size
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """The loop that owns the queues; events from other threads are handed to it."""
        self._loop = loop

    def subscribe(self, prefix: str, handler: Handler) -> None:
        """Call `handler` for every event whose name starts with `prefix` ("" = all)."""
        self._handlers.append((prefix, handler))

    def unsubscribe(self, handler: Handler) -> None:
        self._handlers = [(p, h) for p, h in self._handlers if h != handler]

    @contextlib.asynccontextmanager
    async def listen(self) -> AsyncIterator[asyncio.Queue[Event]]:
        """A queue that receives every event while the context is open."""
        queue: asyncio.Queue[Event] = asyncio.Queue(self._queue_size)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)

    def publish_nowait(self, event_name: str, /, **data: Any) -> Event:
        """Deliver at once on the loop's thread; from a worker thread, via the loop."""
        event = Event(event_name, data)
        loop = self._loop
        if loop is not None and loop.is_running():
            call_on_loop(loop, self._deliver, event)
        else:
            self._deliver(event)
        return event

    def _deliver(self, event: Event) -> None:
        for queue in list(self._queues):
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(event)
        for prefix, handler in list(self._handlers):
            if event.name.startswith(prefix):
                self._call(handler, event)

    def _call(self, handler: Handler, event: Event) -> None:
        try:
            result = handler(event)
        except Exception:
            log.exception("event handler %r failed on %s", handler, event.name)
            return
        if asyncio.iscoroutine(result):
            try:
                task = asyncio.get_running_loop().create_task(result)
            except RuntimeError:  # no loop (a CLI or a sync test): run it to completion
                asyncio.run(result)
                return
            task.add_done_callback(_log_failure)


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception():
        log.error("event handler failed", exc_info=task.exception())


bus = EventBus()


def call_on_loop(loop: asyncio.AbstractEventLoop, fn: Callable[..., Any], /, *args: Any) -> None:
    """`fn(*args)` on `loop`: now when called on its thread, else handed to it (thread-safe)."""
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        fn(*args)
    else:
        loop.call_soon_threadsafe(fn, *args)
