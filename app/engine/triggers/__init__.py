"""Triggers: what starts a workflow run by itself, inside the one Flowdeck process.

    manual     a person or an API call       app.services.executions.execute_workflow
    schedule   cron (IANA zone) or interval  triggers.schedule (when) + engine.scheduler (clock)
    webhook    POST /api/hooks/{hook_id}     app.services.hooks + app.api.routes.hooks
    event      an internal domain event      triggers.events
    publish    an article reaches a status   triggers.events

Every trigger ends in `app.engine.runtime.start_run`, which writes a queued execution;
the unique constraints on (workflow, scheduled_for) and (workflow, dedupe_key) are what make a
fire or a delivery count once, whoever asks twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any


def call_on_loop(loop: asyncio.AbstractEventLoop, fn: Callable[..., Any], *args: Any) -> None:
    """Run `fn(*args)` on `loop`: now if we are on it, else soon from the loop's thread.

    Bus events are delivered on the publisher's thread (an API route may run in a worker
    thread), but runs must be started and scheduler jobs changed on the engine's loop.
    """
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        fn(*args)
    else:
        loop.call_soon_threadsafe(fn, *args)
