"""What only the leader does (#17): fire schedules, run retention (the executions' and, when
FLOWDECK_AUDIT_RETENTION_DAYS is set, the audit trail's). Every process, app or worker, takes
part in the election (`app.engine.leadership`); while it leads, it runs the schedule clock.

Started on gaining leadership, stopped on losing it. The clock rebuilds its jobs from the
rows when it starts, so missed fires meet each workflow's misfire policy, as after downtime.
"""

from __future__ import annotations

import asyncio
import logging

from app.db.settings import get_settings
from app.engine.health import set_scheduler_state
from app.engine.scheduler import ScheduleClock
from app.services import audit_query
from app.services.actor import SYSTEM
from app.services.retention_prune import SCHEDULE_EVERY_S, prune_scheduled

log = logging.getLogger("flowdeck")
PRUNE_EVERY_S = 24 * 3600
STANDBY = "standby"  # the scheduler state of a process that does not lead


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


class SchedulerRole:
    """The schedule clock and retention, run while this process leads."""

    def __init__(self) -> None:
        self.clock: ScheduleClock | None = None
        self._audit: asyncio.Task[None] | None = None

    async def gain(self) -> None:
        clock = ScheduleClock()
        clock.start()
        clock.every("retention", SCHEDULE_EVERY_S, prune_scheduled)  # #16 pruning
        self.clock = clock
        if get_settings().audit_retention_days > 0:
            self._audit = asyncio.get_running_loop().create_task(_keep_audit_retention())

    async def lose(self) -> None:
        await self.stop()
        set_scheduler_state(STANDBY)

    async def stop(self) -> None:
        if self._audit is not None:
            self._audit.cancel()
            self._audit = None
        clock, self.clock = self.clock, None
        if clock is not None:
            await clock.stop()

    def resync(self) -> None:
        """Pick up schedule edits made in other processes (called on each heartbeat)."""
        if self.clock is not None:
            self.clock.resync()
