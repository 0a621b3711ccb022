"""Recording orchestration runs in the database: open, each call as it goes, the end.

Synchronous: call these from a thread (`app.engine.offload.db` keeps the writes in order).
The contract is described in `app.services.orchestration_runs`, which re-exports them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.core.errors import Conflict, Problem, ValidationFailed
from app.core.orchestration import OrchestrationSpec
from app.core.redact import redact
from app.core.stats import percentile
from app.db.engine import session_scope
from app.db.models import Orchestration, OrchestrationCall, OrchestrationRun
from app.db.models.integrations import P95_WINDOW
from app.db.settings import get_settings
from app.db.types import utcnow
from app.engine.bus import bus
from app.engine.orchestration_runner import CallRecord, RunRecord
from app.services import orchestrations

TRIGGERS = ("manual", "api", "workflow")
CALL_ENDED = ("succeeded", "failed", "skipped", "cancelled")
SUCCESSES = ("succeeded", "partial")

_OR = Orchestration.__table__  # type: ignore[attr-defined]
_RUN = OrchestrationRun.__table__  # type: ignore[attr-defined]
_CALL = OrchestrationCall.__table__  # type: ignore[attr-defined]


def _runnable(session: Any, orchestration_id: int) -> tuple[Orchestration, OrchestrationSpec]:
    row = orchestrations.get_row(session, orchestration_id)
    if not row.is_active:
        raise Conflict(f"orchestration {row.name!r} is inactive; activate it to run it")
    try:
        spec = orchestrations.parse_definition(orchestrations.definition_from_row(row))
    except ValidationFailed as exc:
        raise Conflict(
            f"orchestration {row.name!r} cannot run as stored; save it again with these fixed:"
            f" {exc.message}",
            details=exc.details,
        ) from None
    return row, spec


def load_for_run(orchestration_id: int) -> OrchestrationSpec:
    """The definition to run (`NotFound`; `Conflict` when inactive or not runnable as stored)."""
    with session_scope() as session:
        return _runnable(session, orchestration_id)[1]


def masked(value: Any) -> Any:
    return redact(value, get_settings().secret_env_values)


def open_run(
    orchestration_id: int,
    inputs: Mapping[str, Any] | None,
    *,
    trigger: str,
    created_by: int | None = None,
    execution_id: int | None = None,
) -> tuple[int, OrchestrationSpec]:
    """Insert a `running` run with a `pending` row per call; returns its id and the spec."""
    if trigger not in TRIGGERS:
        raise ValidationFailed([Problem("trigger", f"must be one of {', '.join(TRIGGERS)}")])
    now = utcnow()
    close_abandoned_runs(now)
    with session_scope() as session:
        row, spec = _runnable(session, orchestration_id)
        conn = session.connection()
        run_id = conn.execute(
            _RUN.insert().values(
                orchestration_id=orchestration_id,
                orchestration_version=row.version,
                status="running",
                started_at=now,
                results=[],
                inputs=masked(dict(inputs or {})),
                trigger=trigger,
                created_by=created_by,
                execution_id=execution_id,
                calls_total=len(spec.calls),
                calls_done=0,
            )
        ).inserted_primary_key[0]
        conn.execute(
            _CALL.insert(),
            [
                {
                    "run_id": run_id,
                    "position": n,
                    "call_id": c.id,
                    "status": "pending",
                    "record": {},
                }
                for n, c in enumerate(spec.calls)
            ],
        )
        conn.execute(
            _OR.update()
            .where(_OR.c.id == orchestration_id)
            .values(last_run_at=now, last_run_id=run_id, last_status="running")
        )
    return run_id, spec


def _as_dict(record: Any) -> dict[str, Any]:
    return record.as_dict() if hasattr(record, "as_dict") else dict(record)


def _write_call(conn: sa.Connection, run_id: int, stored: dict[str, Any]) -> None:
    status = str(stored.get("status") or "pending")
    conn.execute(
        _CALL.update()
        .where(_CALL.c.run_id == run_id, _CALL.c.call_id == str(stored.get("id")))
        .values(status=status, record=stored)
    )


def _count_done(run_id: int) -> Any:
    return (
        sa.select(sa.func.count())
        .select_from(_CALL)
        .where(_CALL.c.run_id == run_id, _CALL.c.status.in_(CALL_ENDED))
        .scalar_subquery()
    )


def record_call(run_id: int, record: CallRecord | Mapping[str, Any]) -> None:
    """Store one call's record as it is now (its start, its end, a skip, a cancel)."""
    record_calls(run_id, [record])


def record_calls(run_id: int, records: Iterable[CallRecord | Mapping[str, Any]]) -> None:
    """Store several calls' records in one transaction, in order (a later one of a call wins)."""
    stored = [_as_dict(record) for record in records]
    if not stored:
        return
    with session_scope() as session:
        conn = session.connection()
        for one in stored:
            _write_call(conn, run_id, one)
        if any(one.get("status") in CALL_ENDED for one in stored):
            conn.execute(
                _RUN.update()
                .where(_RUN.c.id == run_id, _RUN.c.status == "running")
                .values(calls_done=_count_done(run_id))
            )


def finish_run(run_id: int, result: RunRecord | Mapping[str, Any]) -> bool:
    """End the run with `result` and move the counters; False if it had already ended."""
    stored = _as_dict(result)
    status = str(stored.get("status") or "failed")
    duration = float(stored.get("duration_ms") or 0.0)
    with session_scope() as session:
        conn = session.connection()
        for call in stored.get("calls") or []:
            _write_call(conn, run_id, call)
        conn.execute(
            _CALL.update()
            .where(_CALL.c.run_id == run_id, _CALL.c.status.in_(("pending", "running")))
            .values(status="cancelled")
        )
        ended = conn.execute(
            _RUN.update()
            .where(_RUN.c.id == run_id, _RUN.c.status == "running")
            .values(
                status=status,
                finished_at=utcnow(),
                duration_ms=round(duration, 3),
                error=(stored.get("error") or None) and str(stored["error"])[:5000],
                calls_done=_count_done(run_id),
            )
            .returning(_RUN.c.orchestration_id)
        ).first()
        if ended is None:
            return False
        _count(conn, ended.orchestration_id, run_id, status, duration)
    bus.publish_nowait(
        "orchestration.finished",
        run_id=run_id,
        orchestration_id=ended.orchestration_id,
        status=status,
    )
    return True


def _count(conn: sa.Connection, orchestration_id: int, run_id: int, status: str, ms: float) -> None:
    ok = status in SUCCESSES
    finished = _OR.c.successes + _OR.c.failures
    conn.execute(
        _OR.update()
        .where(_OR.c.id == orchestration_id)
        .values(
            runs=_OR.c.runs + 1,
            successes=_OR.c.successes + int(ok),
            failures=_OR.c.failures + int(not ok),
            avg_ms=sa.case(
                (finished == 0, ms), else_=_OR.c.avg_ms + (ms - _OR.c.avg_ms) / (finished + 1)
            ),
            last_status=sa.case((_OR.c.last_run_id == run_id, status), else_=_OR.c.last_status),
        )
    )
    recent = conn.execute(
        sa.select(_RUN.c.duration_ms)
        .where(
            _RUN.c.orchestration_id == orchestration_id,
            _RUN.c.finished_at.is_not(None),
            _RUN.c.duration_ms.is_not(None),
        )
        .order_by(_RUN.c.id.desc())
        .limit(P95_WINDOW)
    ).scalars()
    conn.execute(
        _OR.update().where(_OR.c.id == orchestration_id).values(p95_ms=percentile(recent, 95))
    )


#: How long past its own time limit a `running` run must be before it counts as abandoned.
ABANDONED_AFTER_S = 60.0


def close_abandoned_runs(now: datetime | None = None) -> list[int]:
    """Fail the runs still `running` long after their time limit; their ids.

    The runner ends every run within its `timeout_s`, so such a run was left by a process that
    stopped (a crash, a restart). It is finished `failed` ("interrupted …") and counted like
    any failure. Safe with several processes: a live run is never that old. Called before each
    new run opens (and may be called at start-up).
    """
    now = now or utcnow()
    with session_scope() as session:
        rows = (
            session.connection()
            .execute(
                sa.select(_RUN.c.id, _RUN.c.started_at, _OR.c.timeout_s)
                .join(_OR, _OR.c.id == _RUN.c.orchestration_id)
                .where(_RUN.c.status == "running")
            )
            .all()
        )
    abandoned = [
        row
        for row in rows
        if (now - row.started_at).total_seconds() > row.timeout_s + ABANDONED_AFTER_S
    ]
    for row in abandoned:
        ms = (now - row.started_at).total_seconds() * 1000
        error = "interrupted: the Flowdeck process running it stopped before it ended"
        finish_run(row.id, {"status": "failed", "duration_ms": ms, "error": error, "calls": []})
    return [row.id for row in abandoned]


INTERRUPTED_ERROR = "interrupted: Flowdeck stopped during the run"


def _recorded_ms(conn: sa.Connection, run_id: int) -> float:
    """How long a run's recorded calls show it ran (the last call's end); 0 if none ran."""
    ends = [
        float(record.get("start_ms") or 0) + float(record.get("duration_ms") or 0)
        for record in conn.execute(sa.select(_CALL.c.record).where(_CALL.c.run_id == run_id))
        .scalars()
        .all()
        if isinstance(record, Mapping)
    ]
    return max(ends, default=0.0)


def close_interrupted_runs(before: datetime) -> list[int]:
    """At start-up: fail the runs still `running` that opened before `before`; their ids.

    One Flowdeck process runs the engine (`Engine.start` marks every `running` execution of the
    process before it `interrupted` the same way), so a run it finds `running` then was left by
    a process that died (kill -9, a crash): nothing would end it before `close_abandoned_runs`'
    time limit. Each ends `failed` with `INTERRUPTED_ERROR`, its unfinished calls `cancelled`,
    counted once like any failure (`finish_run` ends only a running run). Its duration is what
    its recorded calls show, not the time the process was down.
    """
    with session_scope() as session:
        conn = session.connection()
        ids = (
            conn.execute(
                sa.select(_RUN.c.id).where(_RUN.c.status == "running", _RUN.c.started_at < before)
            )
            .scalars()
            .all()
        )
        durations = {run_id: _recorded_ms(conn, run_id) for run_id in ids}
    ended = [
        run_id
        for run_id, ms in durations.items()
        if finish_run(
            run_id,
            {"status": "failed", "duration_ms": ms, "error": INTERRUPTED_ERROR, "calls": []},
        )
    ]
    return ended
