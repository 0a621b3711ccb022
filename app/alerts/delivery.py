"""Delivering alerts off the engine's bus: intake, storm collapsing, bounded sending, retries.

The bus handler only maps the event and puts it on a queue, so a run is never slowed by an
alert. One intake task turns each event into delivery rows (serially, so two events of one
burst cannot both start a message); each delivery is then its own task, sending under a
semaphore and retrying with backoff. A 429's `retry_after` / `Retry-After` is honoured; a
wait longer than `MAX_RETRY_AFTER_S` is not attempted (the delivery fails, saying so).

The dispatcher is given the bus (`events`) rather than importing it: alerts sit below the
engine, and tests hand in their own clock and sleep.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol

from app.alerts import records
from app.alerts.events import BUS_PREFIXES, AlertEvent, from_bus
from app.alerts.records import Job
from app.alerts.sending import deliver
from app.alerts.storm import STORM_WINDOW_S
from app.core.retry import RetryPolicy
from app.db.settings import get_settings
from app.db.types import utcnow

log = logging.getLogger("flowdeck.alerts")

DEFAULT_POLICY = RetryPolicy(
    strategy="exponential", max_attempts=3, delay_s=2.0, factor=3.0, max_delay_s=60.0, jitter=True
)
STOPPED = "Flowdeck stopped before this alert was delivered"


#: Published on the bus once per alert that fires (a new delivery, not one a storm absorbed):
#: what the `alert` trigger starts workflows from.
FIRED = "alert.fired"


def fired_data(job: Job) -> dict[str, Any]:
    """`alert.fired`'s data: the alert, the execution it is about, the error (or None)."""
    message = job.message
    error = (
        {"message": message.error, "step": message.step}
        if message.error or message.event in ("workflow_fail", "step_fail")
        else None
    )
    return {
        "alert": {
            "id": job.alert_id,
            "name": job.alert_name,
            "event": message.event,
            "severity": message.severity,
            "delivery_id": job.delivery_id,
        },
        "execution": {
            "id": message.execution_id,
            "workflow_id": message.workflow_id,
            "workflow_name": message.workflow_name,
            "status": message.status,
            "link": message.link,
        },
        "error": error,
    }


class BusEvent(Protocol):
    """What the dispatcher reads of a bus event."""

    name: str
    data: dict[str, Any]
    at: float


class EventSource(Protocol):
    """What the dispatcher needs of the engine's event bus."""

    def subscribe(self, prefix: str, handler: Callable[[Any], Any]) -> None: ...
    def unsubscribe(self, handler: Callable[[Any], Any]) -> None: ...
    def publish_nowait(self, event_name: str, /, **data: Any) -> Any: ...


class AlertDispatcher:
    """Subscribed to the bus between `start()` and `stop()`; one per process."""

    def __init__(
        self,
        events: EventSource,
        *,
        policy: RetryPolicy = DEFAULT_POLICY,
        max_concurrent: int = 8,
        window_s: float = STORM_WINDOW_S,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        queue_size: int = 1000,
    ) -> None:
        self.events, self.policy, self.window_s = events, policy, window_s
        self.max_concurrent, self.queue_size = max_concurrent, queue_size
        self.clock, self.sleep = clock, sleep
        self.dropped = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue[AlertEvent] | None = None
        self._slots: asyncio.Semaphore | None = None
        self._intake_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._inflight: set[int] = set()

    async def start(self) -> None:
        """Listen to the bus; fail deliveries a dead process left `pending`."""
        self._loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue(self.queue_size)
        self._slots = asyncio.Semaphore(self.max_concurrent)
        self._intake_task = self._loop.create_task(self._intake())
        for prefix in BUS_PREFIXES:
            self.events.subscribe(prefix, self.on_event)
        try:
            before = records.stale_before(self.clock())
            await asyncio.to_thread(records.fail_unfinished, created_before=before, reason=STOPPED)
        except Exception:  # a database problem is reported by the health check, not here
            log.exception("could not close deliveries left pending by a previous process")

    async def stop(self, grace_s: float = 5.0) -> None:
        """Stop listening, give deliveries `grace_s` to finish, fail the rest."""
        self.events.unsubscribe(self.on_event)
        with contextlib.suppress(TimeoutError):
            await self.drain(grace_s)
        cut_off = list(self._inflight)
        tasks = [t for t in (self._intake_task, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if cut_off:
            await asyncio.to_thread(records.fail_unfinished, reason=STOPPED, ids=cut_off)
        self._intake_task, self._queue = None, None

    async def drain(self, limit_s: float = 30.0) -> None:
        """Wait until every event taken so far is planned and every delivery finished."""
        async with asyncio.timeout(limit_s):
            while self._queue is not None:
                await self._queue.join()
                if not self._tasks:
                    return
                await asyncio.wait(list(self._tasks))  # unlike gather, a timeout cancels none

    # -- the bus side: fast, never blocks ------------------------------------------------------

    def on_event(self, event: BusEvent) -> None:
        """The bus handler: map the event and queue it (from any thread)."""
        alert_event = from_bus(event.name, event.data, event.at)
        if alert_event is None or self._loop is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._enqueue(alert_event)
        else:
            self._loop.call_soon_threadsafe(self._enqueue, alert_event)

    def _enqueue(self, event: AlertEvent) -> None:
        if self._queue is None:
            return
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self.dropped += 1
            log.warning(
                "alert queue full: dropped a %s event (%d so far)", event.kind, self.dropped
            )

    # -- the delivery side ---------------------------------------------------------------------

    async def _intake(self) -> None:
        assert self._queue is not None
        queue = self._queue
        while True:
            event = await queue.get()
            try:
                jobs = await asyncio.to_thread(
                    records.plan,
                    event,
                    now=self.clock(),
                    window_s=self.window_s,
                    base_url=get_settings().base_url,
                )
                for job in jobs:
                    self._spawn(job)
                    self.events.publish_nowait(FIRED, **fired_data(job))
            except Exception:
                log.exception("could not plan alerts for a %s event", event.kind)
            finally:
                queue.task_done()

    def _spawn(self, job: Job) -> None:
        assert self._loop is not None
        self._inflight.add(job.delivery_id)
        task = self._loop.create_task(self._run(job))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, job: Job) -> None:
        try:
            await deliver(
                job,
                policy=self.policy,
                publish=self.events.publish_nowait,
                clock=self.clock,
                sleep=self.sleep,
                slots=self._slots,
                rand=random.random,
            )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("alert delivery %s crashed", job.delivery_id)
            with contextlib.suppress(Exception):
                reason = "internal error while delivering; see the log"
                await asyncio.to_thread(
                    records.fail_unfinished, reason=reason, ids=[job.delivery_id]
                )
        finally:
            self._inflight.discard(job.delivery_id)
