"""The clock that wakes waits whose time has come: timers, approval and webhook deadlines.

Wake-up times are persisted in `step_wait.resume_at`, so the clock keeps nothing of its own:
it sleeps until the earliest pending time (at most `MAX_SLEEP_S`, so a wait written by another
process is not missed for long), or until a wait is recorded here (`look_again`), then has
`wake_due` resolve what is due (timers succeed, approvals take their `on_timeout`, webhook
waits fail). A restart loses nothing: the times are in the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.db.engine import get_engine
from app.db.types import utcnow
from app.engine import offload, waits
from app.engine.statements import AP as APPROVALS
from app.engine.statements import SW as WAITS

log = logging.getLogger("flowdeck.engine")
MAX_SLEEP_S = 30.0
_WAKE_BATCH = 200


class WaitClock:
    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._wake = asyncio.Event()
        self._task = loop.create_task(self._run(), name="wait clock")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def look_again(self, _resume_at: Any = None) -> None:
        """A wait with a time was recorded: compute the next wake-up again."""
        self._wake.set()

    async def _run(self) -> None:
        while True:
            try:
                self._wake.clear()
                await offload.db(wake_due)
                due = await offload.db(next_wake)
                sleep_s = MAX_SLEEP_S
                if due is not None:
                    sleep_s = min(sleep_s, max(0.0, (due - utcnow()).total_seconds()))
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(sleep_s):
                        await self._wake.wait()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the wait clock failed; it tries again")
                await asyncio.sleep(MAX_SLEEP_S)


def next_wake() -> datetime | None:
    """The earliest time a pending wait is due (a timer, a deadline), or None."""
    with get_engine().connect() as conn:
        return conn.execute(
            sa.select(sa.func.min(WAITS.c.resume_at)).where(
                WAITS.c.status == "pending", WAITS.c.resume_at.is_not(None)
            )
        ).scalar()


def wake_due(now: datetime | None = None) -> int:
    """Resolve every wait whose time has come; returns how many. Timers succeed, approvals
    take their `on_timeout`, webhook waits fail ("no call before the deadline")."""
    now = now or utcnow()
    woken = 0
    while True:
        with get_engine().connect() as conn:
            due = conn.execute(
                sa.select(WAITS.c.id, WAITS.c.kind, WAITS.c.step_id, WAITS.c.created_at)
                .where(
                    WAITS.c.status == "pending",
                    WAITS.c.resume_at.is_not(None),
                    WAITS.c.resume_at <= now,
                )
                .order_by(WAITS.c.resume_at)
                .limit(_WAKE_BATCH)
            ).all()
        for wait_id, kind, step_id, created_at in due:
            if _wake(wait_id, kind, step_id, created_at, now):
                woken += 1
            else:  # resolved meanwhile, or its step ended otherwise: never due again
                waits.abandon(wait_id)
        if len(due) < _WAKE_BATCH:
            return woken


def _wake(wait_id: int, kind: str, step_id: int, created_at: datetime, now: datetime) -> bool:
    if kind == "approval":
        with get_engine().connect() as conn:
            row = conn.execute(
                sa.select(APPROVALS.c.id, APPROVALS.c.on_timeout).where(
                    APPROVALS.c.step_id == step_id
                )
            ).first()
        if row is None:
            return waits.resolve(wait_id, error="the approval record is missing")
        decision = "approved" if row.on_timeout == "approve" else "rejected"
        return waits.resolve_approval(
            row.id, decision=decision, user_id=None, label="timeout", comment=None
        )
    if kind == "webhook":
        return waits.resolve(wait_id, error="no call to the resume URL before the deadline")
    waited = round((now - created_at).total_seconds(), 3)
    return waits.resolve(wait_id, output={"resumed_at": now.isoformat(), "waited_s": waited})
