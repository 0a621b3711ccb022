"""This process's lease: registered at start, renewed on a heartbeat, released at a stop.

Every run this process claims, and every step it starts, records the lease id (see
`store.claim`, `store.step_started`). On each heartbeat the process also takes back what a
dead peer left running (`recover`, given by whoever starts the keeper): a peer is dead once
its lease ran out (`app.core.leases`). Lease writes run in a thread of their own, not behind
the engine's writes, so a busy engine does not make its own lease run out.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from app.core.leases import expires_at, pids_to_check
from app.db.engine import get_engine
from app.db.models import Execution, WorkerLease
from app.db.settings import get_settings
from app.db.types import utcnow

log = logging.getLogger("flowdeck.leases")
LE = WorkerLease.__table__
EX = Execution.__table__

_current: str | None = None
_instance: list[str | None] = []  # found once


def instance() -> str | None:
    """Where this process's pid means something: the kernel's boot id and the pid namespace
    (None where /proc does not tell)."""
    if not _instance:
        try:
            boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
            namespace = os.stat("/proc/self/ns/pid").st_ino
            _instance.append(f"{boot}:{namespace}"[:64])
        except OSError:
            _instance.append(None)
    return _instance[0]


def pid_runs(pid: int) -> bool:
    """Whether process `pid` (on this instance) still runs; a zombie does not."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:
        return True  # cannot tell: let the lease run out
    return stat.rpartition(")")[2].split()[0] != "Z"


def current_id() -> str | None:
    """The lease of this process, or None (a test or a CLI that holds none)."""
    return _current


def register(role: str, ttl_s: float, *, now: datetime | None = None) -> str:
    """A new lease row for this process; its id."""
    now = now or utcnow()
    lease_id = uuid.uuid4().hex
    row = {
        "id": lease_id,
        "host": socket.gethostname()[:255],
        "pid": os.getpid(),
        "role": role,
        "instance": instance(),
        "started_at": now,
        "heartbeat_at": now,
        "expires_at": expires_at(now, ttl_s),
    }
    with get_engine().begin() as conn:
        conn.execute(LE.insert(), row)
    return lease_id


def renew(lease_id: str, role: str, ttl_s: float) -> bool:
    """Push the lease's expiry on; False if its row was gone (a peer took it for dead, and
    the row is written again: what this process runs from now on is its own again)."""
    now = utcnow()
    values = {"heartbeat_at": now, "expires_at": expires_at(now, ttl_s)}
    with get_engine().begin() as conn:
        done = conn.execute(LE.update().where(LE.c.id == lease_id).values(values))
        if done.rowcount == 1:
            return True
        host = socket.gethostname()[:255]
        conn.execute(
            LE.insert(),
            {"id": lease_id, "host": host, "pid": os.getpid(), "role": role,
             "instance": instance(), "started_at": now, **values},
        )  # fmt: skip
    return False


def end_dead_here(own: str | None, now: datetime | None = None) -> list[str]:
    """End (expire now) the leases of processes on this instance whose pid is gone: a crashed
    process's runs are recovered at once, not after its lease time. Their ids."""
    now = now or utcnow()
    with get_engine().connect() as conn:
        held = conn.execute(
            sa.select(LE.c.id, LE.c.instance, LE.c.pid).where(LE.c.expires_at > now)
        ).all()
    dead = [lease for lease, pid in pids_to_check(held, instance(), own) if not pid_runs(pid)]
    if dead:
        with get_engine().begin() as conn:
            conn.execute(LE.update().where(LE.c.id.in_(dead)).values(expires_at=now))
        log.warning("lease(s) of stopped process(es) on this machine ended: %s", dead)
    return dead


def release(lease_id: str) -> None:
    """Remove the lease (a clean stop: its runs were already ended)."""
    with get_engine().begin() as conn:
        conn.execute(LE.delete().where(LE.c.id == lease_id))


def reap(now: datetime | None = None) -> int:
    """Remove leases that ran out and own no running run any more; how many."""
    now = now or utcnow()
    owning = sa.select(EX.c.lease_id).where(EX.c.status == "running", EX.c.lease_id.is_not(None))
    with get_engine().begin() as conn:
        done = conn.execute(LE.delete().where(LE.c.expires_at <= now, LE.c.id.not_in(owning)))
    return done.rowcount or 0


def leases(now: datetime | None = None) -> list[dict]:
    """Every lease row (live and run out), oldest first, with `live` said for `now`."""
    now = now or utcnow()
    with get_engine().connect() as conn:
        rows = conn.execute(sa.select(LE).order_by(LE.c.started_at, LE.c.id)).mappings().all()
    return [{**row, "live": row["expires_at"] > now} for row in rows]


def cluster_snapshot(own: str | None, now: datetime | None = None) -> dict:
    """For `/api/health`: live processes by role, who leads the scheduler (this process,
    another one, or none), and how many runs wait in the queue. No hosts or pids: the
    answer is public."""
    from app.engine.leadership import SCHEDULER, leader_of  # it imports this module

    now = now or utcnow()
    with get_engine().connect() as conn:
        by_role = conn.execute(
            sa.select(LE.c.role, sa.func.count())
            .where(LE.c.expires_at > now)
            .group_by(LE.c.role)
            .order_by(LE.c.role)
        ).all()
        queued = conn.execute(
            sa.select(sa.func.count()).select_from(EX).where(EX.c.status == "queued")
        ).scalar_one()
    leader = leader_of(SCHEDULER, now)
    return {
        "processes": {role: count for role, count in by_role},
        "leader": "none" if leader is None else "this process" if leader == own else "another",
        "queue_depth": queued,
    }


class LeaseKeeper:
    """Holds this process's lease while it runs; see the module docstring."""

    def __init__(
        self,
        role: str,
        *,
        recover: Callable[[], Awaitable[object]] | None = None,
        heartbeat_s: float | None = None,
        ttl_s: float | None = None,
    ) -> None:
        settings = get_settings()
        self.role = role
        self.heartbeat_s = heartbeat_s or settings.lease_heartbeat_s
        self.ttl_s = ttl_s or settings.lease_ttl_s
        self.lease_id: str | None = None
        self._recover = recover
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> str:
        """Register the lease (before the engine claims anything); the heartbeat starts with
        `beat`, once the engine is there to recover with."""
        global _current
        self.lease_id = await asyncio.to_thread(register, self.role, self.ttl_s)
        _current = self.lease_id
        log.info("lease %s (%s, pid %d) registered", self.lease_id, self.role, os.getpid())
        return self.lease_id

    def beat(self, recover: Callable[[], Awaitable[object]] | None = None) -> None:
        """Start the heartbeat (renew, then take back what dead peers left)."""
        if recover is not None:
            self._recover = recover
        self._task = asyncio.get_running_loop().create_task(self._beat())

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_s)
            try:
                if not await asyncio.to_thread(renew, self.lease_id or "", self.role, self.ttl_s):
                    log.error("lease %s had run out and was written again", self.lease_id)
                if self._recover is not None:
                    await self._recover()
                await asyncio.to_thread(reap)
            except Exception:  # a missed beat is retried at the next one
                log.exception("lease heartbeat failed")

    async def stop(self, *, release_lease: bool = True) -> None:
        """End the heartbeat; with `release_lease`, remove the lease too (once)."""
        global _current
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self.lease_id is None or not release_lease:
            return
        try:
            await asyncio.to_thread(release, self.lease_id)
        except Exception:  # it runs out on its own
            log.exception("could not release lease %s", self.lease_id)
        if _current == self.lease_id:
            _current = None
        self.lease_id = None
