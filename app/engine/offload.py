"""Where the engine's blocking work runs: never on the event loop.

The loop serves every browser, the REST API, webhooks and every run, so the engine only
awaits there. Two kinds of blocking work go to threads:

- database calls (`store`) run on ONE writer thread, in the order they were submitted. One
  thread keeps SQLite's single write lock uncontended (threads racing for it would sleep in
  SQLite's busy handler) and keeps the writes of one step in order without any bookkeeping:
  the 20 ms `running` mark submitted before a step's end is also written before it. A write
  is never dropped: cancelling the coroutine that awaits it leaves the write to finish.
- template rendering runs on a small pool of its own threads. A render thread cannot be
  killed, so renders are cooperative: the step's `RenderBudget` carries a deadline and a cancel
  flag that the sandbox checks at every loop iteration, filter, call and output chunk (see
  `app.core.sandbox`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from app.core.sandbox import RenderBudget

log = logging.getLogger("flowdeck.engine")
T = TypeVar("T")

_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="flowdeck-db")
RENDER_THREADS = 4


class _RenderPool:
    """A few daemon threads taking renders from one queue, each handing its result straight to
    the waiting loop (`call_soon_threadsafe`): about half the cost of an executor round trip,
    which every templated step pays once."""

    def __init__(self, size: int) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._size = size
        self._started = False
        self._lock = threading.Lock()

    def submit(self, job: Callable[[], None]) -> None:
        if not self._started:
            self._start()
        self._jobs.put(job)

    def _start(self) -> None:
        with self._lock:
            if self._started:
                return
            for n in range(self._size):
                name = f"flowdeck-render-{n}"
                threading.Thread(target=self._work, name=name, daemon=True).start()
            self._started = True

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                job()
            except BaseException:  # a job hands its own errors to its future
                log.exception("a render job failed outside its future")


_renderers = _RenderPool(RENDER_THREADS)


def submit_db(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> asyncio.Future[T]:
    """Queue `fn(*args, **kwargs)` on the writer thread now; await the result later (or not)."""
    loop = asyncio.get_running_loop()
    return loop.run_in_executor(_writer, functools.partial(fn, *args, **kwargs))


def submit_db_logged(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> None:
    """Queue a write nobody waits for (the `running` mark); a failure is logged."""
    future = submit_db(fn, *args, **kwargs)
    future.add_done_callback(_log_failure)


async def db(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run a database call on the writer thread and wait for it.

    If the waiting task is cancelled, the call still completes (and keeps its place in the
    order of writes) before the cancellation goes on.
    """
    future = submit_db(fn, *args, **kwargs)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await future
        raise


async def render(fn: Callable[[], T], budget: RenderBudget, timeout_s: float) -> T:
    """Run `fn` (a render spending `budget`) in a thread; `TimeoutError` after `timeout_s`.

    On timeout or cancellation the budget is cancelled, so the thread stops at its next check.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def job() -> None:
        try:
            result = fn()
        except BaseException as exc:  # handed to the waiting step, which reports it
            loop.call_soon_threadsafe(_hand_over, future, None, exc)
        else:
            loop.call_soon_threadsafe(_hand_over, future, result, None)

    _renderers.submit(job)
    try:
        async with asyncio.timeout(timeout_s):
            return await future
    except BaseException:
        budget.cancel()  # the thread stops at its next check; its late result is dropped
        raise


def render_in_background(job: Callable[[], None]) -> None:
    """Run `job` in a render thread; nobody waits for it (it keeps its results itself)."""

    def logged() -> None:
        try:
            job()
        except Exception:
            log.exception("a background render failed")

    _renderers.submit(logged)


def _hand_over(future: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    if future.done():  # timed out or cancelled meanwhile
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)


def _log_failure(future: asyncio.Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("engine database write failed", exc_info=future.exception())
