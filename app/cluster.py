"""This process as one member of a Flowdeck installation (#17): its lease, recovery of what
dead members left, the queue others fill, and the scheduler leadership. Used by the app's
lifespan and by `flowdeck worker`, so both behave the same.

Start-up: `join` (the lease, before the engine recovers anything) → the engine starts →
`run` (first bid for leadership, then the heartbeat). Each heartbeat renews the lease,
ends the leases of dead processes on this machine, interrupts what dead members left running
(with each workflow's `on_interrupted` policy), looks at the queue, renews or bids for the
leadership and, while leading, picks up schedule edits made elsewhere. Shut-down: `leave`
(heartbeat and leadership end, so a peer takes over) → the engine stops → `release`.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from app.engine.health import set_role, set_scheduler_state
from app.engine.leadership import SCHEDULER, Leadership
from app.engine.leases import LeaseKeeper
from app.engine.runner import Engine
from app.scheduler_role import STANDBY, SchedulerRole
from app.services import recovery

log = logging.getLogger("flowdeck")


async def retry_interrupted(
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


class ClusterMember:
    def __init__(self, role: str, engine: Engine) -> None:
        self.role = role
        self.engine = engine
        self.keeper = LeaseKeeper(role)
        self.scheduler = SchedulerRole()
        self.leadership: Leadership | None = None

    @property
    def lease_id(self) -> str | None:
        return self.keeper.lease_id

    async def join(self) -> None:
        """Register the lease before the engine recovers or claims anything."""
        set_role(self.role)
        try:
            await self.keeper.start()
        except Exception:  # without a lease it recovers only what no living process owns
            log.exception("could not register this process's lease")

    async def run(self) -> None:
        """Bid for the scheduler leadership, then keep the heartbeat."""
        lease_id = self.keeper.lease_id
        if lease_id is None:  # no lease, no election: alone, as before leases
            await self.scheduler.gain()
            return
        self.leadership = Leadership(
            SCHEDULER,
            lease_id,
            self.keeper.ttl_s,
            on_gain=self.scheduler.gain,
            on_lose=self.scheduler.lose,
        )
        if not await self.leadership.check():
            set_scheduler_state(STANDBY)
        self.keeper.beat(self._beat)

    async def _beat(self) -> None:
        interrupted = await self.engine.recover()
        if interrupted:
            await retry_interrupted(interrupted)
        self.engine.look_at_queue()
        if self.leadership is not None:
            await self.leadership.check()
        self.scheduler.resync()

    async def leave(self) -> None:
        """Stop the heartbeat and hand the leadership over (the lease stays until `release`)."""
        await self.keeper.stop(release_lease=False)
        if self.leadership is not None:
            await self.leadership.stop()
        else:
            await self.scheduler.stop()

    async def release(self) -> None:
        """Remove the lease (after the engine stopped: none of its runs is left running)."""
        await self.keeper.stop()
