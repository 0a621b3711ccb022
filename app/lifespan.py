"""Start-up work of the one Flowdeck process: the engine, then the triggers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from app.db.engine import check_database
from app.db.settings import get_settings
from app.engine import runtime
from app.engine.runner import Engine

log = logging.getLogger("flowdeck")


@asynccontextmanager
async def startup() -> AsyncIterator[None]:
    """Recover and start the engine before serving; stop it (runs → interrupted) at exit."""
    settings = get_settings()
    problem = check_database()
    if problem:
        log.error("%s (check DATABASE_URL)", problem)
    engine = Engine()
    runtime.install(engine)
    await engine.start()
    log.info("Flowdeck is serving on %s", settings.base_url)
    try:
        yield
    finally:
        await engine.stop()
        runtime.install(None)
