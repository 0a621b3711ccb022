"""One leader at a time for work that must happen once in the whole installation (#17):
firing schedules and running retention. Every process asks on each heartbeat; one holds it.

- SQLite (and any database): a `leader_lease` row per leadership, taken or renewed with one
  conditional write (`take_or_renew`): only when nobody holds it, the caller holds it, or the
  holder's time or its process's lease ran out (`app.core.leases.may_lead`). A leader that
  stops renewing loses it after the lease time, or as soon as its process is known dead; a
  clean stop hands it over at once (`step_down`).
- PostgreSQL: `pg_try_advisory_lock` on a connection kept for it; the lock goes with the
  connection, so a dead leader's lock is freed by the server. The row is still written, for
  `/api/health` to say who leads.

The unique `(workflow_id, scheduled_for)` key of a run stays the last guard against a slot
fired twice (a leader that hung past its lease and then fired once more).
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Awaitable, Callable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.core.leases import expires_at, may_lead
from app.db.engine import get_engine
from app.db.models import LeaderLease, WorkerLease
from app.db.types import utcnow

log = logging.getLogger("flowdeck.leader")
LL = LeaderLease.__table__
LE = WorkerLease.__table__
SCHEDULER = "scheduler"


def take_or_renew(name: str, lease_id: str, ttl_s: float, now: datetime | None = None) -> bool:
    """Whether `lease_id` leads `name` after this call (taken, renewed, or refused)."""
    now = now or utcnow()
    until = expires_at(now, ttl_s)
    alive = sa.select(LE.c.id).where(LE.c.expires_at > now)
    with get_engine().connect() as conn:
        row = conn.execute(
            sa.select(LL.c.holder, LL.c.expires_at, LL.c.holder.in_(alive)).where(LL.c.name == name)
        ).first()
    holder, expiry, holder_alive = row if row else (None, None, True)
    if not may_lead(holder, expiry, lease_id, now, holder_alive=bool(holder_alive)):
        return False
    try:
        with get_engine().begin() as conn:
            if row is None:
                conn.execute(
                    LL.insert(),
                    {"name": name, "holder": lease_id, "acquired_at": now, "expires_at": until},
                )
                return True
            mine = LL.c.holder == lease_id
            done = conn.execute(
                LL.update()
                .where(
                    LL.c.name == name,
                    sa.or_(mine, LL.c.expires_at <= now, LL.c.holder.not_in(alive)),
                )
                .values(
                    holder=lease_id,
                    expires_at=until,
                    acquired_at=sa.case((mine, LL.c.acquired_at), else_=now),
                )
            )
            return done.rowcount == 1
    except IntegrityError:  # another process inserted the first row at the same moment
        return False


def step_down(name: str, lease_id: str) -> None:
    """Give up `name` now (a clean stop): a peer takes it at its next heartbeat."""
    with get_engine().begin() as conn:
        conn.execute(
            LL.update()
            .where(LL.c.name == name, LL.c.holder == lease_id)
            .values(expires_at=utcnow())
        )


def leader_of(name: str, now: datetime | None = None) -> str | None:
    """The lease id leading `name` now, or None."""
    now = now or utcnow()
    with get_engine().connect() as conn:
        row = conn.execute(
            sa.select(LL.c.holder).where(LL.c.name == name, LL.c.expires_at > now)
        ).first()
    return row[0] if row else None


def _advisory_key(name: str) -> int:
    return zlib.crc32(f"flowdeck:{name}".encode())


class Leadership:
    """Asks for leadership `name` on each `check`; runs `on_gain` / `on_lose` as it changes."""

    def __init__(
        self,
        name: str,
        lease_id: str,
        ttl_s: float,
        *,
        on_gain: Callable[[], Awaitable[None]],
        on_lose: Callable[[], Awaitable[None]],
    ) -> None:
        self.name = name
        self.lease_id = lease_id
        self.ttl_s = ttl_s
        self.is_leader = False
        self._on_gain = on_gain
        self._on_lose = on_lose
        self._pg = get_engine().dialect.name == "postgresql"
        self._conn: sa.Connection | None = None

    async def check(self) -> bool:
        try:
            held = await asyncio.to_thread(self._hold)
        except Exception:  # cannot tell: a leader that cannot renew must not go on firing
            log.exception("could not renew the %s leadership", self.name)
            held = False
        if held and not self.is_leader:
            self.is_leader = True
            log.info("this process (lease %s) leads the %s", self.lease_id, self.name)
            await self._on_gain()
        elif not held and self.is_leader:
            self.is_leader = False
            log.warning("this process (lease %s) no longer leads the %s", self.lease_id, self.name)
            await self._on_lose()
        return held

    async def stop(self) -> None:
        if self.is_leader:
            self.is_leader = False
            await self._on_lose()
            try:
                await asyncio.to_thread(step_down, self.name, self.lease_id)
            except Exception:  # it runs out on its own
                log.exception("could not hand the %s leadership over", self.name)
        if self._conn is not None:
            await asyncio.to_thread(self._close_pg)

    def _hold(self) -> bool:
        if not self._pg:
            return take_or_renew(self.name, self.lease_id, self.ttl_s)
        if not self._hold_pg():
            return False
        self._record_pg()
        return True

    # -- PostgreSQL: an advisory lock on a connection of its own ------------------------------

    def _hold_pg(self) -> bool:
        if self._conn is not None:
            try:
                self._conn.execute(sa.text("SELECT 1"))
                self._conn.commit()
                return True
            except DBAPIError:  # the connection (and with it the lock) is gone
                self._close_pg()
                return False
        conn = get_engine().connect()
        got = conn.execute(
            sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": _advisory_key(self.name)}
        ).scalar()
        conn.commit()
        if not got:
            conn.close()
            return False
        self._conn = conn
        return True

    def _record_pg(self) -> None:
        """The lock decides; the row only tells `/api/health` who leads."""
        now = utcnow()
        values = {"holder": self.lease_id, "expires_at": expires_at(now, self.ttl_s)}
        with get_engine().begin() as conn:
            done = conn.execute(LL.update().where(LL.c.name == self.name).values(values))
            if done.rowcount == 0:
                conn.execute(LL.insert(), {"name": self.name, "acquired_at": now, **values})

    def _close_pg(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.execute(
                sa.text("SELECT pg_advisory_unlock(:key)"), {"key": _advisory_key(self.name)}
            )
            conn.commit()
        except DBAPIError:
            pass
        finally:
            conn.close()
