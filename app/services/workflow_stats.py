"""Numbers for dashboards and the stats endpoints: one workflow, and the whole install.

Both also carry the last 24 h per hour (`series_24h`, from the analytics rollups: runs by
outcome, p50/p95/p99, queue wait); the install's p50/p95/p99 of those 24 h come from the
rollups' histograms (within 12.2 %), a workflow's p50/p95/p99 from its last 100 runs.

Everything here reads indexed columns or the workflows' own counters, so the numbers stay
cheap with a million executions: "all time" totals come from `Workflow.runs` / `successes` /
`failures` (kept up to date by the engine in the run's own transaction), per-status counts
cover the last 24 h through the `started_at` indexes, "now" counts walk the status index, and
duration percentiles look only at the latest `RECENT_RUNS` completed runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, func, select

from app.core.stats import percentile, success_rate
from app.core.statuses import EXECUTION_TERMINAL, ExecutionStatus
from app.db.engine import session_scope
from app.db.models import Execution, Workflow
from app.db.types import utcnow
from app.services import analytics
from app.services.actor import Actor
from app.services.workflows import get_row

RECENT_RUNS = 100
DAY = timedelta(hours=24)
# Durations of cancelled or interrupted runs say when someone stopped them, not how long the
# workflow takes, so percentiles use completed runs only.
_TIMED = (ExecutionStatus.SUCCEEDED, ExecutionStatus.FAILED)
_WAITING = (ExecutionStatus.RUNNING, ExecutionStatus.QUEUED)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _status_counts(session: Session, *conditions: Any) -> dict[str, int]:
    """Executions per status (every status present, zero when none)."""
    rows = session.exec(
        select(Execution.status, func.count()).where(*conditions).group_by(Execution.status)
    ).all()
    counts = {status.value: 0 for status in ExecutionStatus}
    counts.update({status: count for status, count in rows})
    return counts


def _finished_rate(counts: dict[str, int]) -> float | None:
    finished = sum(counts[s.value] for s in EXECUTION_TERMINAL)
    return success_rate(counts[ExecutionStatus.SUCCEEDED.value], finished)


def workflow_stats(
    actor: Actor, workflow_id: int, *, now: datetime | None = None
) -> dict[str, Any]:
    """All-time counters, recent duration percentiles and 24 h status counts of one workflow."""
    actor.require_member()
    since = (now or utcnow()) - DAY
    with session_scope() as session:
        row = get_row(session, workflow_id)
        durations = [
            float(ms)
            for ms in session.exec(
                select(Execution.duration_ms)
                .where(
                    Execution.workflow_id == workflow_id,
                    Execution.status.in_(_TIMED),  # type: ignore[attr-defined]
                    Execution.duration_ms.is_not(None),  # type: ignore[union-attr]
                )
                # started_at, not id: (workflow_id, started_at) is indexed, so this reads
                # only the newest rows however many runs the workflow has.
                .order_by(Execution.started_at.desc())  # type: ignore[union-attr]
                .limit(RECENT_RUNS)
            ).all()
            if ms is not None
        ]
        today = _status_counts(
            session,
            Execution.workflow_id == workflow_id,
            Execution.started_at >= since,  # type: ignore[operator]
        )
        waiting = _status_counts(
            session,
            Execution.workflow_id == workflow_id,
            Execution.status.in_(_WAITING),  # type: ignore[attr-defined]
        )
    series, _ = analytics.last_24h(workflow_id)
    return {
        "workflow_id": row.id,
        "name": row.name,
        "is_active": row.is_active,
        "runs": row.runs,
        "successes": row.successes,
        "failures": row.failures,
        "success_rate": success_rate(row.successes, row.runs),
        "duration_sample": len(durations),
        "avg_duration_ms": _rounded(sum(durations) / len(durations) if durations else None),
        "p50_duration_ms": _rounded(percentile(durations, 50)),
        "p95_duration_ms": _rounded(percentile(durations, 95)),
        "p99_duration_ms": _rounded(percentile(durations, 99)),
        "last_run_at": _iso(row.last_run_at),
        "last_status": row.last_status,
        "next_run_at": _iso(row.next_run_at),
        "runs_24h": sum(today.values()),
        "status_counts_24h": today,
        "success_rate_24h": _finished_rate(today),
        "running_now": waiting[ExecutionStatus.RUNNING.value],
        "queued_now": waiting[ExecutionStatus.QUEUED.value],
        "series_24h": series,
    }


def global_stats(actor: Actor, *, now: datetime | None = None) -> dict[str, Any]:
    """The install at a glance: workflows, executions today and in all, what runs now."""
    actor.require_member()
    since = (now or utcnow()) - DAY
    with session_scope() as session:
        total, active, runs, successes, last_finished = session.exec(
            select(
                func.count(),
                func.coalesce(func.sum(sa.case((Workflow.is_active, 1), else_=0)), 0),
                func.coalesce(func.sum(Workflow.runs), 0),
                func.coalesce(func.sum(Workflow.successes), 0),
                func.max(Workflow.last_run_at),
            ).select_from(Workflow)
        ).one()
        today = _status_counts(session, Execution.started_at >= since)  # type: ignore[operator]
        waiting = _status_counts(session, Execution.status.in_(_WAITING))  # type: ignore[attr-defined]
        last_started = session.exec(select(func.max(Execution.started_at))).one()
    series, totals = analytics.last_24h()
    moments = [m for m in (last_started, last_finished) if m is not None]
    return {
        "total_workflows": total,
        "active_workflows": int(active),
        "executions_total": int(runs),
        "success_rate": success_rate(int(successes), int(runs)),
        "executions_24h": sum(today.values()),
        "succeeded_24h": today[ExecutionStatus.SUCCEEDED.value],
        "failed_24h": today[ExecutionStatus.FAILED.value],
        "success_rate_24h": _finished_rate(today),
        "running_now": waiting[ExecutionStatus.RUNNING.value],
        "queued_now": waiting[ExecutionStatus.QUEUED.value],
        "last_activity_at": _iso(max(moments) if moments else None),
        "p50_duration_ms_24h": totals["p50_ms"],
        "p95_duration_ms_24h": totals["p95_ms"],
        "p99_duration_ms_24h": totals["p99_ms"],
        "series_24h": series,
    }


LIVE_COUNTERS_LIMIT = 500
_WF = Workflow.__table__  # type: ignore[attr-defined]
_COUNTERS = (
    sa.select(
        _WF.c.id,
        _WF.c.last_status,
        _WF.c.last_run_at,
        _WF.c.runs,
        _WF.c.successes,
        _WF.c.avg_duration_ms,
    )
    .where(_WF.c.last_run_at.is_not(None))
    .order_by(_WF.c.last_run_at.desc())
    .limit(LIVE_COUNTERS_LIMIT)
)


def recent_counters(actor: Actor) -> list[dict[str, Any]]:
    """The run counters of the workflows that ran most recently (for live tables)."""
    actor.require_member()
    with session_scope() as session:
        rows = session.connection().execute(_COUNTERS).all()
    return [
        {
            "id": r.id,
            "last_status": r.last_status,
            "last_run_at": _iso(r.last_run_at),
            "runs": r.runs,
            "success_rate": r.successes / r.runs if r.runs else None,
            "avg_duration_ms": r.avg_duration_ms,
        }
        for r in rows
    ]
