"""Start-up work of the one Flowdeck process: alerts, the engine, then the triggers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from app.alerts.delivery import AlertDispatcher
from app.db.engine import check_database
from app.db.settings import get_settings
from app.db.types import utcnow
from app.engine import runtime
from app.engine.bus import bus
from app.engine.runner import Engine
from app.engine.scheduler import ScheduleClock
from app.engine.triggers.events import EventTriggers
from app.engine.triggers.failures import FailureTriggers
from app.engine.triggers.file_watch import FileWatchers
from app.integrations import keyring
from app.services import audit_query, orchestration_runs, recovery
from app.services.actor import SYSTEM
from app.services.retention_prune import SCHEDULE_EVERY_S, prune_scheduled

log = logging.getLogger("flowdeck")
PRUNE_EVERY_S = 24 * 3600


async def _keep_audit_retention() -> None:
    """With FLOWDECK_AUDIT_RETENTION_DAYS set: prune the audit trail at start, then daily.

    Each prune is the audited delete of `audit_query.prune`, made by the system actor.
    """
    while True:
        try:
            deleted = await asyncio.to_thread(audit_query.prune, SYSTEM)
            if deleted:
                log.info("audit retention: removed %d event(s)", deleted)
        except Exception:  # a failed prune must not end the loop: it tries again tomorrow
            log.exception("audit retention: the prune failed")
        await asyncio.sleep(PRUNE_EVERY_S)


async def _secrets_canary() -> None:
    """Fail loudly (log + /api/health) when no configured key can read the stored secrets."""
    try:
        await asyncio.to_thread(keyring.canary_check)
    except Exception:  # the canary must never stop start-up; it reports, it does not block
        log.exception("the start-up secrets check could not run")


async def _retry_interrupted(
    execution_ids: list[int] | None = None, *, since: datetime | None = None
) -> None:
    """Apply each workflow's `on_interrupted` policy to these runs, or to those interrupted
    `since` a moment (see `app.services.recovery`)."""
    try:
        if since is not None:
            execution_ids = await asyncio.to_thread(recovery.interrupted_since, since)
        if execution_ids:
            await asyncio.to_thread(recovery.retry_interrupted, execution_ids)
    except Exception:  # recovery must never stop start-up or shut-down; the runs stay visible
        log.exception("could not apply the on_interrupted policy")


@asynccontextmanager
async def startup() -> AsyncIterator[None]:
    """Start the engine, then the triggers that feed it; stop them in the reverse order.

    The engine first, so that recovery (running → interrupted, queued picked up, and a retry
    for each interrupted run whose workflow says `on_interrupted: retry`) is done before a
    missed schedule or an event asks for a new run; the triggers stop before the engine so
    nothing is asked of an engine that is shutting down (its runs become `interrupted`).
    """
    settings = get_settings()
    problem = check_database()
    if problem:
        log.error("%s (check DATABASE_URL)", problem)
    else:
        await _secrets_canary()
    # Alerts listen before the engine starts, so runs recovery marks `interrupted` alert too,
    # and stop after it, so the runs it interrupts on the way down are still reported.
    dispatcher = AlertDispatcher(bus)
    await dispatcher.start()
    retention = (
        asyncio.get_running_loop().create_task(_keep_audit_retention())
        if settings.audit_retention_days > 0
        else None
    )
    try:
        engine = Engine()
        runtime.install(engine)
        # Before anything can open a run: those still `running` are a dead process's.
        await orchestration_runs.end_interrupted_runs(utcnow())
        interrupted = await engine.start()
        await _retry_interrupted(interrupted or [])
        clock, listeners, failures = ScheduleClock(), EventTriggers(), FailureTriggers()
        watchers = FileWatchers()
        try:
            clock.start()
            clock.every("retention", SCHEDULE_EVERY_S, prune_scheduled)  # #16 pruning
            listeners.start()
            failures.start()
            await watchers.start()
            log.info("Flowdeck is serving on %s", settings.base_url)
            yield
        finally:
            await watchers.stop()
            failures.stop()
            listeners.stop()
            await clock.stop()
            stopping_at = utcnow()
            await orchestration_runs.stop_runs()  # runs by hand end `cancelled`
            await engine.stop()
            # Runs the stop interrupted get their retries queued now; they start next time.
            await _retry_interrupted(since=stopping_at)
            runtime.install(None)
    finally:
        if retention is not None:
            retention.cancel()
        await dispatcher.stop()
