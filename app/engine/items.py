"""The `step_item` rows of a `for_each` step: one per item, written in batches off the loop.

When the step starts, one transaction replaces the step's items with `pending` rows (a retry
of the step starts over), so a reader sees how many there are and how far the step got. Each
item's end (status, attempts, error, output, timing) is buffered and written with others in
one `executemany` on the writer thread (`offload`): a batch every `BATCH_ROWS` items or
`BATCH_S` seconds, whichever comes first, so 10,000 items cost a few dozen transactions, not
10,000. Outputs and errors are masked and capped like a step's (`records.Masking`); an item's
output is kept to `ITEM_DATA_BYTES` (or the step limit, if lower), since a step has up to
10,000 of them. If the step is cancelled, what is buffered is written and the items that never
ended are marked `cancelled`. Once a batch is written, `for_each.progress` (execution_id,
action_id, ended, total) is published: a page following the execution reloads on it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import bindparam

from app.core.for_each import ItemStatus
from app.core.redact import SecretValues
from app.db.engine import get_engine
from app.db.models import ExecutionStep, StepItem
from app.engine import offload
from app.engine.bus import bus
from app.engine.records import Masking

log = logging.getLogger("flowdeck.engine")
SI = StepItem.__table__  # type: ignore[attr-defined]
_ST = ExecutionStep.__table__  # type: ignore[attr-defined]
BATCH_ROWS = 500
BATCH_S = 0.25
ITEM_DATA_BYTES = 65_536

_STEP_ROW = sa.select(_ST.c.id).where(
    _ST.c.execution_id == bindparam("p_execution_id"), _ST.c.action_id == bindparam("p_action_id")
)
_CLEAR = SI.delete().where(SI.c.step_id == bindparam("p_step_id"))
_INSERT = SI.insert()
_OF_ITEM = sa.and_(SI.c.step_id == bindparam("p_step_id"), SI.c.position == bindparam("p_position"))
_FINISH = (
    SI.update()
    .where(_OF_ITEM)
    .values(
        status=bindparam("p_status"),
        attempts=bindparam("p_attempts"),
        error=bindparam("p_error"),
        output=bindparam("p_output"),
        started_at=bindparam("p_started_at"),
        duration_ms=bindparam("p_duration_ms"),
    )
)
_CANCEL_REST = (
    SI.update()
    .where(SI.c.step_id == bindparam("p_step_id"), SI.c.status == ItemStatus.PENDING.value)
    .values(status=ItemStatus.CANCELLED.value)
)


@dataclass(frozen=True)
class ItemEnd:
    position: int
    status: ItemStatus
    attempts: int
    started_at: datetime
    duration_ms: float
    output: Any = None
    error: str | None = None


def begin(execution_id: int, action_id: str, count: int) -> int:
    """The step's row id; its items replaced by `count` pending rows, in one transaction."""
    with get_engine().begin() as conn:
        step_id = conn.execute(
            _STEP_ROW, {"p_execution_id": execution_id, "p_action_id": action_id}
        ).scalar_one()
        conn.execute(_CLEAR, {"p_step_id": step_id})
        if count:
            pending = ItemStatus.PENDING.value
            conn.execute(
                _INSERT,
                [
                    {"step_id": step_id, "position": n, "status": pending, "attempts": 0}
                    for n in range(count)
                ],
            )
    return step_id


def finish(step_id: int, ends: list[ItemEnd], masking: Masking) -> None:
    """Write a batch of item ends (masked and capped here, on the writer thread)."""
    rows = [
        {
            "p_step_id": step_id,
            "p_position": end.position,
            "p_status": end.status.value,
            "p_attempts": end.attempts,
            "p_error": masking.error(end.error),
            "p_output": masking.value(end.output),
            "p_started_at": end.started_at,
            "p_duration_ms": end.duration_ms,
        }
        for end in ends
    ]
    with get_engine().begin() as conn:
        conn.execute(_FINISH, rows)


def cancel_rest(step_id: int) -> None:
    with get_engine().begin() as conn:
        conn.execute(_CANCEL_REST, {"p_step_id": step_id})


class ItemRecorder:
    """Buffers item ends and writes them in batches on the writer thread (see the module)."""

    def __init__(
        self, where: tuple[int, str, int], step_id: int, secrets: SecretValues, limit: int
    ) -> None:
        self.execution_id, self.action_id, self.total = where
        self.step_id = step_id
        self.secrets = secrets
        self.limit = min(limit, ITEM_DATA_BYTES)
        self.ended = 0
        self._buffer: list[ItemEnd] = []
        self._written: list[asyncio.Future[None]] = []
        self._last = time.monotonic()

    @classmethod
    async def open(
        cls, execution_id: int, action_id: str, count: int, secrets: SecretValues, limit: int
    ) -> ItemRecorder:
        step_id = await offload.db(begin, execution_id, action_id, count)
        return cls((execution_id, action_id, count), step_id, secrets, limit)

    def add(self, end: ItemEnd) -> None:
        self._buffer.append(end)
        if len(self._buffer) >= BATCH_ROWS or time.monotonic() - self._last >= BATCH_S:
            self._flush()

    def _flush(self) -> None:
        self._last = time.monotonic()
        if not self._buffer:
            return
        batch, self._buffer = self._buffer, []
        self.ended += len(batch)
        masking = Masking(self.secrets.snapshot(), self.limit)  # the secrets known by now
        future = offload.submit_db(finish, self.step_id, batch, masking)
        future.add_done_callback(functools.partial(self._written_up_to, self.ended))
        self._written = [f for f in self._written if not f.done()] + [future]

    def _written_up_to(self, ended: int, future: asyncio.Future[None]) -> None:
        """A batch is written: say how far the step got (the execution page reloads on it)."""
        if future.cancelled():
            return
        if (error := future.exception()) is not None:
            log.error("could not record items of step %s", self.step_id, exc_info=error)
            return
        bus.publish_nowait(
            "for_each.progress",
            execution_id=self.execution_id,
            action_id=self.action_id,
            ended=ended,
            total=self.total,
        )

    async def close(self) -> None:
        """Write what is buffered and wait until every batch is written (failures are logged:
        the run goes on, as it does when a step's own record cannot be written)."""
        self._flush()
        written, self._written = self._written, []
        await asyncio.gather(*written, return_exceptions=True)

    def abort(self) -> None:
        """The step was cancelled: write what is buffered, mark the rest cancelled (no wait)."""
        self._flush()
        offload.submit_db_logged(cancel_rest, self.step_id)
