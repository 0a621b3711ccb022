"""A run's step ends, written together: a few milliseconds' worth in one transaction.

Writing each step's end as its own transaction (three statements and a commit, on the writer
thread) costs more than running a quick step, and the writer competes with the event loop for
the GIL. So a run keeps its step ends for up to `FLUSH_AFTER_S` (or `FLUSH_AT` of them) and
writes them in one transaction with one `executemany` per statement; `step.finished` is
published for each once the batch is written, so a listener that reads the database on the
event finds the step there. The runner flushes before anything that must see every step end
in the database: the execution's end, waiting, a pause.

Order is kept: batches go to the one writer thread in the order they were made, after any
earlier write of the same steps (the `running` mark of a slow step is submitted before its end
is even buffered). `finished_at` is the moment the step ended, not the moment it was written.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.core.errors import InvalidInput
from app.core.statuses import StepStatus
from app.db.engine import get_engine
from app.db.types import utcnow
from app.engine import offload
from app.engine import statements as q
from app.engine.records import Masking
from app.engine.statements import ST
from app.engine.store import AttemptRecord

log = logging.getLogger("flowdeck.engine")
FLUSH_AFTER_S = 0.005  # well inside the live views' push window
FLUSH_AT = 64


@dataclass(frozen=True)
class StepEnd:
    """One step's end as the run saw it (unmasked: masking happens on the writer thread)."""

    step_id: int
    status: StepStatus
    masking: Masking
    finished_at: datetime
    started_at: datetime | None = None
    output: Any = None
    error: str | None = None
    skip_reason: str | None = None
    attempts: list[AttemptRecord] = field(default_factory=list)
    rendered_input: Any = None
    execution_id: int | None = None  # set when the end moves the run's progress
    event: dict[str, Any] = field(default_factory=dict)


class EndWrites:
    """One run's buffer of step ends (lives on the event loop)."""

    def __init__(self, emit: Callable[..., Any]) -> None:
        self._emit = emit
        self._ends: list[StepEnd] = []
        self._timer: asyncio.TimerHandle | None = None
        self._last: asyncio.Future[Any] | None = None

    def add(self, end: StepEnd) -> None:
        if end.status not in q.STEP_ENDS:
            raise InvalidInput(f"{end.status} is not how a step ends")
        self._ends.append(end)
        if len(self._ends) >= FLUSH_AT:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(FLUSH_AFTER_S, self.flush)

    def flush(self) -> asyncio.Future[Any] | None:
        """Send what is buffered to the writer thread; the future of the last batch sent."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._ends:
            ends, self._ends = self._ends, []
            written = offload.submit_db(write, ends)
            written.add_done_callback(lambda future: self._published(future, ends))
            self._last = written
        return self._last

    async def written(self) -> None:
        """Flush and wait until every step end of the run is in the database."""
        last = self.flush()
        if last is not None:
            await asyncio.wait([last])

    def _published(self, future: asyncio.Future[Any], ends: list[StepEnd]) -> None:
        if future.cancelled():
            return
        if future.exception() is not None:
            log.error("could not record %d step end(s)", len(ends), exc_info=future.exception())
        for end in ends:
            self._emit("step.finished", **end.event)


def write(ends: list[StepEnd]) -> None:
    """The writer thread's part: mask, then one transaction for the whole batch.

    A step whose status no longer allows the move (cancelled meanwhile) keeps its row as it
    is; the refusal is logged with the step's id, and the other ends are written.
    """
    groups: dict[tuple[StepStatus, bool], list[dict[str, Any]]] = {}
    attempts: list[dict[str, Any]] = []
    progress: Counter[int] = Counter()
    for end in ends:
        with_input = end.rendered_input is not None
        groups.setdefault((end.status, with_input), []).append(_params(end))
        attempts += [
            {
                "step_id": end.step_id,
                "number": a.number,
                "started_at": a.started_at,
                "duration_ms": a.duration_ms,
                "error": end.masking.error(a.error),
                "failure_kind": a.failure_kind,
            }
            for a in end.attempts
        ]
        if end.execution_id is not None and end.status in (
            StepStatus.SUCCEEDED,
            StepStatus.SKIPPED,
        ):
            progress[end.execution_id] += 1
    with get_engine().begin() as conn:
        for (status, with_input), rows in groups.items():
            done = conn.execute(q.STEP_FINISHED[status, with_input], rows)
            if done.rowcount != len(rows):
                _log_refused(conn, status, rows)
        for execution_id, count in progress.items():
            conn.execute(q.STEPS_COMPLETED, {"p_execution_id": execution_id, "p_count": count})
        if attempts:
            conn.execute(q.INSERT_ATTEMPTS, attempts)


def _params(end: StepEnd) -> dict[str, Any]:
    started = end.started_at
    masking = end.masking
    return {
        "step_id": end.step_id,
        "p_finished_at": end.finished_at,
        "p_output": masking.value(end.output),
        "p_error": masking.error(end.error),
        "p_skip_reason": end.skip_reason,
        "p_attempts": len(end.attempts),
        "p_started_at": started,
        "p_input": None if end.rendered_input is None else masking.value(end.rendered_input),
        "p_duration_ms": (end.finished_at - started).total_seconds() * 1000 if started else None,
    }


def _log_refused(conn: sa.Connection, status: StepStatus, rows: list[dict[str, Any]]) -> None:
    ids = [row["step_id"] for row in rows]
    now = dict(conn.execute(sa.select(ST.c.id, ST.c.status).where(ST.c.id.in_(ids))).all())
    for step_id in ids:
        if now.get(step_id) != status:
            log.error("step %s is %s: it cannot move to %s", step_id, now.get(step_id), status)


def end_now(**fields: Any) -> StepEnd:
    """A `StepEnd` stamped with the current time (`finished_at`)."""
    return StepEnd(finished_at=utcnow(), **fields)
