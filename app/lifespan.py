"""Start-up work of the one Flowdeck process: the engine, then the triggers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from app.db.engine import check_database
from app.db.settings import get_settings
from app.engine import runtime
from app.engine.runner import Engine
from app.engine.scheduler import ScheduleClock
from app.engine.triggers.events import EventTriggers

log = logging.getLogger("flowdeck")


@asynccontextmanager
async def startup() -> AsyncIterator[None]:
    """Start the engine, then the triggers that feed it; stop them in the reverse order.

    The engine first, so that recovery (running → interrupted, queued picked up) is done before
    a missed schedule or an event asks for a new run; the triggers stop before the engine so
    nothing is asked of an engine that is shutting down (its runs become `interrupted`).
    """
    settings = get_settings()
    problem = check_database()
    if problem:
        log.error("%s (check DATABASE_URL)", problem)
    engine = Engine()
    runtime.install(engine)
    await engine.start()
    clock, listeners = ScheduleClock(), EventTriggers()
    try:
        clock.start()
        listeners.start()
        log.info("Flowdeck is serving on %s", settings.base_url)
        yield
    finally:
        listeners.stop()
        await clock.stop()
        await engine.stop()
        runtime.install(None)
