"""Start-up work of the one Flowdeck process."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from app.db.engine import check_database
from app.db.settings import get_settings

log = logging.getLogger("flowdeck")


@asynccontextmanager
async def startup() -> AsyncIterator[None]:
    """Check settings and the database before serving; the scheduler joins here later."""
    settings = get_settings()
    problem = check_database()
    if problem:
        log.error("%s (DATABASE_URL)", problem)
    log.info("Flowdeck is serving on %s", settings.base_url)
    yield
