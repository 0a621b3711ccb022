"""The clock that wakes waits whose time has come: timers, approval and webhook deadlines.

Wake-up times are persisted in `step_wait.resume_at`, so the clock keeps nothing of its own:
it sleeps until the earliest pending time (at most `MAX_SLEEP_S`, so a wait written by another
process is not missed for long), or until a wait is recorded here (`look_again`), then has
`waits.wake_due` resolve what is due. A restart loses nothing: the times are in the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from app.db.types import utcnow
from app.engine import offload, waits

log = logging.getLogger("flowdeck.engine")
MAX_SLEEP_S = 30.0


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
                await offload.db(waits.wake_due)
                due = await offload.db(waits.next_wake)
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
