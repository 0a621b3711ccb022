"""Run analytics: how many runs, how they ended, how slow, which workflows and steps fail and
with which errors, over a period. Sync (callers offload); any signed-in role may read.

Everything is read from the rollups (app.services.analytics_queries), so an answer costs the
same at a million runs as at a hundred. Durations are percentiles of merged histograms, within
12.2 % of the exact value (app.core.analytics.percentile); a run's duration counts only for
succeeded and failed runs. Series hold every bucket of the period, zeros where nothing ran.
Failures' first/last times come from the error groups of the period's UTC days, clamped to the
period. Only `recent` failures of one action read the execution rows (index-backed).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.core import analytics as a
from app.core.errors import NotFound, Problem, ValidationFailed
from app.core.ids import MAX_ID
from app.core.statuses import Role
from app.db.engine import get_engine
from app.db.types import utcnow
from app.services import analytics_queries as q
from app.services.actor import Actor

TOP = 10
TOP_ERRORS = 20
RECENT = 20
ACTION_ID_MAX = 64


def _reader(actor: Actor) -> None:
    actor.require(Role.ADMIN, Role.MEMBER, Role.VIEWER)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _period(days: int | None, start: datetime | None, end: datetime | None) -> a.Period:
    return a.make_period(now=utcnow(), days=days, start=start, end=end)


def _workflow(conn: Any, workflow_id: int) -> dict[str, Any]:
    found = q.names(conn, [workflow_id]) if 1 <= workflow_id <= MAX_ID else {}
    if workflow_id not in found:
        raise NotFound(f"workflow {workflow_id} does not exist")
    return {"id": workflow_id, "name": found[workflow_id]}


def _run_numbers(counts: dict[str, Any]) -> dict[str, Any]:
    return {
        "executions": int(counts["runs"]),
        "succeeded": int(counts["succeeded"]),
        "failed": int(counts["failed"]),
        "cancelled": int(counts["cancelled"]),
        "other": int(counts["other"]),
        "success_rate": a.rate(counts["succeeded"], counts["runs"]),
        "p50_ms": a.percentile(counts["d"], 50),
        "p95_ms": a.percentile(counts["d"], 95),
        "p99_ms": a.percentile(counts["d"], 99),
    }


_ZERO = {n: 0 for n in q.RUN_COUNTS}


def _series_and_totals(
    conn: Any, period: a.Period, workflow_id: int | None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    found = q.run_series(conn, period, workflow_id)
    empty = [0] * a.HIST_BUCKETS
    series = []
    total = {**_ZERO, "d": [0] * a.HIST_BUCKETS, "q": [0] * a.HIST_BUCKETS}
    for t in period.buckets:
        counts = found.get(t) or {**_ZERO, "d": empty, "q": empty}
        point = {"t": t.isoformat(), **_run_numbers(counts)}
        point["queue_wait_avg_ms"] = a.average(counts["queue_wait_ms_sum"], counts["waited"])
        series.append(point)
        for name in q.RUN_COUNTS:
            total[name] += counts[name]
        total["d"] = a.merge((total["d"], counts["d"]))
        total["q"] = a.merge((total["q"], counts["q"]))
    totals = _run_numbers(total)
    totals["avg_ms"] = a.average(total["duration_ms_sum"], total["timed"])
    totals["queue_wait_p50_ms"] = a.percentile(total["q"], 50)
    totals["queue_wait_p95_ms"] = a.percentile(total["q"], 95)
    totals["queue_wait_avg_ms"] = a.average(total["queue_wait_ms_sum"], total["waited"])
    return series, totals


def last_24h(workflow_id: int | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The hourly series and totals of the last 24 h (for the /stats answers; the caller has
    checked the role and the workflow)."""
    period = _period(1, None, None)
    with get_engine().connect() as conn:
        return _series_and_totals(conn, period, workflow_id)


def _clamp(moment: datetime | None, period: a.Period) -> datetime | None:
    if moment is None:
        return None
    return min(max(moment, period.start), period.end)


def _errors(rows: list[dict[str, Any]], period: a.Period, existing: set[int]) -> list[dict]:
    """Error groups summed over the period's days, most frequent first (top 20)."""
    merged: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        key = (row["workflow_id"], row["action_id"], row["shape_hash"])
        into = merged.get(key)
        if into is None:
            merged[key] = dict(row)
            continue
        into["count"] += row["count"]
        into["first_seen"] = min(into["first_seen"], row["first_seen"])
        if row["last_seen"] >= into["last_seen"]:
            for name in ("last_seen", "example_execution_id", "example_error"):
                into[name] = row[name]
    ranked = sorted(merged.values(), key=lambda g: (-g["count"], -g["last_seen"].timestamp()))
    return [
        {
            "action_id": g["action_id"],
            "shape": g["shape"],
            "count": int(g["count"]),
            "first_seen": _iso(_clamp(g["first_seen"], period)),
            "last_seen": _iso(_clamp(g["last_seen"], period)),
            "example_execution_id": g["example_execution_id"],
            "example_exists": g["example_execution_id"] in existing,
            "example_error": g["example_error"],
        }
        for g in ranked[:TOP_ERRORS]
    ]


def _error_list(conn: Any, period: a.Period, rows: list[dict[str, Any]]) -> list[dict]:
    top = _errors(rows, period, set())
    existing = q.existing_executions(conn, [g["example_execution_id"] for g in top])
    for group in top:
        group["example_exists"] = group["example_execution_id"] in existing
    return top


def _failure_span(rows: list[dict[str, Any]], period: a.Period) -> tuple[str | None, str | None]:
    if not rows:
        return None, None
    first = min(r["first_seen"] for r in rows)
    last = max(r["last_seen"] for r in rows)
    return _iso(_clamp(first, period)), _iso(_clamp(last, period))


def overview(
    actor: Actor,
    *,
    days: int | None = 7,
    start: datetime | None = None,
    end: datetime | None = None,
) -> dict[str, Any]:
    """Every workflow over the period: totals, series, busiest, slowest and most failing."""
    _reader(actor)
    period = _period(days, start, end)
    with get_engine().connect() as conn:
        series, totals = _series_and_totals(conn, period, None)
        workflows = q.per_workflow(conn, period)
        busiest = sorted(workflows, key=lambda w: (-w["runs"], w["workflow_id"]))[:TOP]
        timed = [{**w, "p95_ms": a.percentile(w["d"], 95)} for w in workflows if w["timed"]]
        slowest = sorted(timed, key=lambda w: (-w["p95_ms"], w["workflow_id"]))[:TOP]
        failing = [w for w in workflows if w["failed"]]
        failing = sorted(failing, key=lambda w: (-w["failed"], w["workflow_id"]))[:TOP]
        failing_ids = [w["workflow_id"] for w in failing]
        steps = q.per_step(conn, period, failing_ids, histograms=False) if failing_ids else []
        spans = q.failure_spans(conn, period, failing_ids) if failing_ids else {}
        shown = {w["workflow_id"] for w in (*busiest, *slowest, *failing)}
        name = q.names(conn, sorted(shown))
    top_action: dict[int, tuple[int, str]] = {}
    for step in steps:
        best = top_action.get(step["workflow_id"])
        if step["failures"] and (best is None or (step["failures"], step["action_id"]) > best):
            top_action[step["workflow_id"]] = (step["failures"], step["action_id"])
    most_failing = []
    for w in failing:
        first, last = spans.get(w["workflow_id"], (None, None))
        most_failing.append(
            {
                "workflow_id": w["workflow_id"],
                "name": name.get(w["workflow_id"], ""),
                "failures": int(w["failed"]),
                "failure_rate": a.rate(w["failed"], w["runs"]),
                "first_failure_at": _iso(_clamp(first, period)),
                "last_failure_at": _iso(_clamp(last, period)),
                "top_action_id": top_action.get(w["workflow_id"], (0, None))[1],
            }
        )
    return {
        "period": period.as_dict(),
        "totals": totals,
        "series": series,
        "busiest": [
            {
                "workflow_id": w["workflow_id"],
                "name": name.get(w["workflow_id"], ""),
                "executions": int(w["runs"]),
            }
            for w in busiest
        ],  # fmt: skip
        "slowest": [
            {
                "workflow_id": w["workflow_id"],
                "name": name.get(w["workflow_id"], ""),
                "p95_ms": w["p95_ms"],
                "executions": int(w["runs"]),
            }
            for w in slowest
        ],  # fmt: skip
        "most_failing": most_failing,
    }


def _step_rows(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = [
        {
            "action_id": s["action_id"],
            "runs": int(s["runs"]),
            "failures": int(s["failures"]),
            "skipped": int(s["skipped"]),
            "retries": int(s["retries"]),
            "failure_rate": a.rate(s["failures"], s["runs"]),
            "avg_ms": a.average(s["duration_ms_sum"], s["timed"]),
            "p95_ms": a.percentile(s["d"], 95),
        }
        for s in steps
    ]
    return sorted(out, key=lambda s: (s["p95_ms"] is None, -(s["p95_ms"] or 0), s["action_id"]))


def workflow_performance(
    actor: Actor,
    workflow_id: int,
    *,
    days: int | None = 7,
    start: datetime | None = None,
    end: datetime | None = None,
) -> dict[str, Any]:
    """One workflow over the period: totals, series, per-step statistics (the slowest step
    first: the bottleneck) and its most common errors."""
    _reader(actor)
    period = _period(days, start, end)
    with get_engine().connect() as conn:
        workflow = _workflow(conn, workflow_id)
        series, totals = _series_and_totals(conn, period, workflow_id)
        steps = q.per_step(conn, period, [workflow_id])
        errors = _error_list(conn, period, q.error_rows(conn, period, [workflow_id]))
    return {
        "workflow": workflow,
        "period": period.as_dict(),
        "totals": totals,
        "series": series,
        "steps": _step_rows(steps),
        "errors": errors,
    }


def error_stats(actor: Actor, workflow_id: int, *, days: int = 7) -> dict[str, Any]:
    """Which steps of one workflow fail, how often, since when, with which errors."""
    _reader(actor)
    period = _period(days, None, None)
    with get_engine().connect() as conn:
        _workflow(conn, workflow_id)
        runs = q.run_series(conn, period, workflow_id).values()
        steps = q.per_step(conn, period, [workflow_id], histograms=False)
        rows = q.error_rows(conn, period, [workflow_id])
        top = _error_list(conn, period, rows)
    total = sum(int(r["runs"]) for r in runs)
    failures = sum(int(r["failed"]) for r in runs)
    first, last = _failure_span(rows, period)
    by_action = sorted(
        (
            {
                "action_id": s["action_id"],
                "runs": int(s["runs"]),
                "failures": int(s["failures"]),
                "failure_rate": a.rate(s["failures"], s["runs"]),
            }
            for s in steps
        ),
        key=lambda s: (-s["failures"], s["action_id"]),
    )
    return {
        "workflow_id": workflow_id,
        "period": period.as_dict(),
        "total_executions": total,
        "total_failures": failures,
        "failure_rate": a.rate(failures, total),
        "first_failure_at": first,
        "last_failure_at": last,
        "by_action": by_action,
        "top_errors": top,
    }


def action_errors(
    actor: Actor, workflow_id: int, action_id: str, *, days: int = 7
) -> dict[str, Any]:
    """One step of one workflow: its runs and failures, its error groups, its last failures."""
    _reader(actor)
    if not action_id or len(action_id) > ACTION_ID_MAX:
        raise ValidationFailed([Problem("action_id", f"1 to {ACTION_ID_MAX} characters")])
    period = _period(days, None, None)
    with get_engine().connect() as conn:
        _workflow(conn, workflow_id)
        steps = q.per_step(conn, period, [workflow_id], action_id, histograms=False)
        groups = _error_list(conn, period, q.error_rows(conn, period, [workflow_id], action_id))
        recent = q.recent_failures(conn, workflow_id, action_id, period.start, RECENT)
    return {
        "workflow_id": workflow_id,
        "action_id": action_id,
        "period": period.as_dict(),
        "runs": sum(int(s["runs"]) for s in steps),
        "failures": sum(int(s["failures"]) for s in steps),
        "groups": groups,
        "recent": [
            {"execution_id": r["execution_id"], "at": _iso(r["at"]), "error": r["error"]}
            for r in recent
        ],
    }
