"""Start-up work of the one Flowdeck process: alerts, the engine, then the triggers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from app.alerts.delivery import AlertDispatcher
from app.cluster import ClusterMember, retry_interrupted
from app.db.engine import check_database
from app.db.settings import get_settings
from app.db.types import utcnow
from app.engine import runtime
from app.engine.bus import bus
from app.engine.runner import Engine
from app.engine.triggers.email import EmailWatchers
from app.engine.triggers.events import EventTriggers
from app.engine.triggers.failures import FailureTriggers
from app.engine.triggers.file_watch import FileWatchers
from app.integrations import keyring
from app.services import orchestration_runs

log = logging.getLogger("flowdeck")


async def _secrets_canary() -> None:
    """Fail loudly (log + /api/health) when no configured key can read the stored secrets."""
    try:
        await asyncio.to_thread(keyring.canary_check)
    except Exception:  # the canary must never stop start-up; it reports, it does not block
        log.exception("the start-up secrets check could not run")


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
    try:
        engine = Engine()
        runtime.install(engine)
        member = ClusterMember("app", engine)
        await member.join()
        # Before anything can open a run: those still `running` are a dead process's.
        await orchestration_runs.end_interrupted_runs(utcnow())
        interrupted = await engine.start()
        await retry_interrupted(interrupted or [])
        listeners, failures, watchers = EventTriggers(), FailureTriggers(), FileWatchers()
        mailboxes = EmailWatchers()  # each process watches; Message-ID dedupe runs each once
        try:
            await member.run()  # the schedule clock and retention run here while it leads
            listeners.start()
            failures.start()
            await watchers.start()
            await mailboxes.start()
            log.info("Flowdeck is serving on %s", settings.base_url)
            yield
        finally:
            await mailboxes.stop()
            await watchers.stop()
            failures.stop()
            listeners.stop()
            await member.leave()
            stopping_at = utcnow()
            await orchestration_runs.stop_runs()  # runs by hand end `cancelled`
            await engine.stop()
            await member.release()  # after the engine: its runs are ended, none is owned
            # Runs the stop interrupted get their retries queued now; they start next time.
            await retry_interrupted(since=stopping_at)
            runtime.install(None)
    finally:
        await dispatcher.stop()
