"""Where the engine's blocking work runs: never on the event loop.

The loop serves every browser, the REST API, webhooks and every run, so the engine only
awaits there. Two kinds of blocking work go to threads:

- database calls (`store`) run on ONE writer thread, in the order they were submitted. One
  thread keeps SQLite's single write lock uncontended (threads racing for it would sleep in
  SQLite's busy handler) and keeps the writes of one step in order without any bookkeeping:
  the 20 ms `running` mark submitted before a step's end is also written before it. A write
  is never dropped: cancelling the coroutine that awaits it leaves the write to finish.
- template rendering runs on a small pool. A render thread cannot be killed, so renders are
  cooperative: the step's `RenderBudget` carries a deadline and a cancel flag that the sandbox
  checks at every loop iteration, filter, call and output chunk (see `app.core.sandbox`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from app.core.sandbox import RenderBudget

log = logging.getLogger("flowdeck.engine")
T = TypeVar("T")

_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="flowdeck-db")
_renderers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="flowdeck-render")


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
    future = asyncio.get_running_loop().run_in_executor(_renderers, fn)
    try:
        async with asyncio.timeout(timeout_s):
            return await asyncio.shield(future)
    except BaseException:
        budget.cancel()
        future.add_done_callback(_consume)
        raise


def _consume(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()  # retrieved: a stopped render is expected, not worth a warning


def _log_failure(future: asyncio.Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("engine database write failed", exc_info=future.exception())
