"""The prune: finished executions and old step data removed in short batches, then space handed
back to the file (SQLite), the whole of it audited.

How it stays out of the way of the app:
- Executions are swept by id (the primary key) in windows of `SCAN` rows, read without any
  write lock (WAL readers never block the writer); `app.core.retention` decides per row.
- The rows it decided on are deleted (or their data emptied) in batches, each in its own short
  transaction, sized in rows (an execution weighs its steps, attempts and items) from the
  last one's hold of the write lock (~10 ms) and cut short before 25 ms, with a gap after
  each that a waiting writer gets, and without the log rewinds that made commits sync to
  disk under the lock (`app.services.retention_batches`).
- Every write re-checks, inside its own statement, that the execution is still final and that
  no unfinished run is linked to it (a retry started meanwhile, a child run): a decision made
  on a read a moment ago never deletes a run that has come alive since.
- Deleting an execution takes its steps, attempts, items, waits and approvals with it through
  the foreign keys (ON DELETE CASCADE); alert deliveries, notifications and metric samples
  that point at it keep their rows with the link emptied (ON DELETE SET NULL). Rollups have no
  foreign key to executions and are never touched.
- SQLite: freed pages go back to the file with `PRAGMA incremental_vacuum` in timed steps
  (only when the database is in incremental auto-vacuum; otherwise the page says that
  `flowdeck db-compact` is needed once). PostgreSQL: autovacuum does it.

A kill -9 at any point leaves whole executions: each batch commits or not at all.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.core.errors import Conflict
from app.core.retention import (
    FINAL_STATUSES,
    Cutoffs,
    ExecutionFacts,
    cutoffs,
    effective,
    removes_data,
    removes_row,
)
from app.core.statuses import ExecutionStatus
from app.db.engine import get_engine, session_scope
from app.db.types import UTCDateTime, utcnow
from app.services import audit
from app.services.actor import SYSTEM, Actor
from app.services.retention import load_global, workflow_policies
from app.services.retention_batches import (
    PAUSE_S,
    TARGET_S,
    Batcher,
    Outcome,
    WalKeeper,
    reclaim_space,
)

log = logging.getLogger("flowdeck.retention")
SCAN = 2000

EXECUTION = sa.table(
    "execution",
    sa.column("id", sa.Integer),
    sa.column("workflow_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("queued_at", UTCDateTime()),
    sa.column("started_at", UTCDateTime()),
    sa.column("finished_at", UTCDateTime()),
    sa.column("retry_of", sa.Integer),
    sa.column("parent_execution_id", sa.Integer),
    sa.column("data_pruned_at", UTCDateTime()),
    sa.column("trigger_payload", sa.JSON),
    sa.column("steps_total", sa.Integer),
)
STEP = sa.table(
    "execution_step",
    sa.column("id", sa.Integer),
    sa.column("execution_id", sa.Integer),
    sa.column("input", sa.JSON),
    sa.column("output", sa.JSON),
)
ITEM = sa.table("step_item", sa.column("step_id", sa.Integer), sa.column("output", sa.JSON))
ATTEMPT = sa.table("step_attempt", sa.column("step_id", sa.Integer))
WAIT = sa.table("step_wait", sa.column("execution_id", sa.Integer), sa.column("output", sa.JSON))
_FINAL = sorted(FINAL_STATUSES)
_OPEN = sorted(str(s) for s in ExecutionStatus if str(s) not in FINAL_STATUSES)
#: One prune at a time in this process (the scheduled one, or one asked for by hand).
_RUNNING = threading.Lock()


@dataclass
class Plan:
    """Per workflow: its cutoffs, and the id below which keep_last no longer protects."""

    cut: dict[int, Cutoffs]
    keep_last_below: dict[int, int | None]
    names: dict[int, str]
    open_linked: set[int]
    upper_id: int


def make_plan(conn: sa.Connection, now: datetime) -> Plan:
    """Everything the sweep needs, read once: policies, keep_last bounds, open links."""
    global_policy, _ = load_global(conn)
    cut: dict[int, Cutoffs] = {}
    below: dict[int, int | None] = {}
    names: dict[int, str] = {}
    for wid, name, own in workflow_policies(conn):
        c = cutoffs(effective(global_policy, own), now)
        if not c.prunes_rows and c.data_before is None:
            continue
        cut[wid], names[wid] = c, name
        below[wid] = None
        if c.keep_last is not None:
            # The keep_last-th newest id: ids below it are beyond the newest keep_last.
            below[wid] = conn.execute(
                sa.select(EXECUTION.c.id)
                .where(EXECUTION.c.workflow_id == wid)
                .order_by(EXECUTION.c.id.desc())
                .limit(1)
                .offset(c.keep_last - 1)
            ).scalar()
            below[wid] = below[wid] or 0  # fewer runs than keep_last: none is beyond
    upper = conn.execute(sa.select(sa.func.max(EXECUTION.c.id))).scalar() or 0
    return Plan(cut, below, names, _open_linked(conn), upper)


def _open_linked(conn: sa.Connection) -> set[int]:
    """Ids of finished executions an unfinished one depends on or is a child of."""
    open_rows = conn.execute(
        sa.select(EXECUTION.c.id, EXECUTION.c.retry_of, EXECUTION.c.parent_execution_id).where(
            EXECUTION.c.status.in_(_OPEN)
        )
    ).all()
    open_ids = {r.id for r in open_rows}
    linked = {r.retry_of for r in open_rows} | {r.parent_execution_id for r in open_rows}
    if open_ids:
        children = conn.execute(
            sa.select(EXECUTION.c.id).where(EXECUTION.c.parent_execution_id.in_(open_ids))
        ).scalars()
        linked |= set(children)
    return {i for i in linked if i is not None}


def _guard() -> Any:
    """SQL: the execution row is final and no unfinished run is linked to it, right now.

    Uncorrelated subqueries over the unfinished runs (few, found through the status index),
    evaluated once per statement: correlated ones were planned as a table scan per row once
    ANALYZE had seen that almost no run has a `retry_of`.
    """
    me = EXECUTION.c
    other, inner = EXECUTION.alias("other"), EXECUTION.alias("open_run")

    def linked(column: Any) -> Any:
        # coalesce, not IS NOT NULL: a NULL in a NOT IN list matches nothing, and a filter
        # on the column would lead the planner off the status index.
        # Open ids first (a covering read of the status index), then their rows by key: asked
        # in one go, the planner, told by ANALYZE that a status matches most rows, scans.
        open_ids = sa.select(inner.c.id).where(inner.c.status.in_(_OPEN))
        return sa.select(sa.func.coalesce(column, 0)).where(other.c.id.in_(open_ids))

    return sa.and_(
        me.status.in_(_FINAL),
        me.id.not_in(linked(other.c.retry_of)),
        me.id.not_in(linked(other.c.parent_execution_id)),
        sa.or_(
            me.parent_execution_id.is_(None),
            me.parent_execution_id.not_in(sa.select(other.c.id).where(other.c.status.in_(_OPEN))),
        ),
    )


_AGE_FROM = sa.func.coalesce(
    EXECUTION.c.finished_at, EXECUTION.c.started_at, EXECUTION.c.queued_at, type_=UTCDateTime()
)


def _facts(row: Any, plan: Plan) -> ExecutionFacts:
    bound = plan.keep_last_below.get(row.workflow_id)
    keep_last = plan.cut[row.workflow_id].keep_last or 0
    return ExecutionFacts(
        status=row.status,
        finished_at=row.age_from,  # already finished, else started, else queued (in SQL)
        started_at=None,
        queued_at=row.age_from,
        newer_in_workflow=keep_last if bound is not None and row.id < bound else 0,
        linked_open=row.id in plan.open_linked,
        data_pruned=bool(row.pruned),
    )


def _prefilter(plan: Plan) -> list[Any]:
    """SQL that skips, in the database, rows no rule can touch (most rows of a steady state):
    unfinished ones, and, unless a workflow keeps only a count, those newer than every cutoff
    (data already emptied: newer than every row cutoff). `app.core.retention` still decides."""
    where: list[Any] = [EXECUTION.c.status.in_(_FINAL)]
    cuts = list(plan.cut.values())
    if any(c.rows_before is None and c.keep_last is not None for c in cuts):
        return where
    rows_cuts = [c.rows_before for c in cuts if c.rows_before is not None]
    any_cut = rows_cuts + [c.data_before for c in cuts if c.data_before is not None]
    if any_cut:
        where.append(_AGE_FROM < max(any_cut))  # noqa: SIM300
    kept_data = EXECUTION.c.data_pruned_at.is_(None)
    where.append(sa.or_(kept_data, _AGE_FROM < max(rows_cuts)) if rows_cuts else kept_data)  # noqa: SIM300
    return where


def _item_rows(conn: sa.Connection, ids: list[int]) -> dict[int, int]:
    """for_each item rows per execution (most have none; one may have thousands)."""
    if not ids:
        return {}
    rows = conn.execute(
        sa.select(STEP.c.execution_id, sa.func.count())
        .select_from(STEP.join(ITEM, ITEM.c.step_id == STEP.c.id))
        .where(STEP.c.execution_id.in_(ids))
        .group_by(STEP.c.execution_id)
    ).all()
    return {execution_id: int(n) for execution_id, n in rows}


def sweep(
    conn: sa.Connection, plan: Plan, *, weigh: bool = False
) -> Iterator[tuple[str, int, int, int]]:
    """("rows" | "data", execution id, workflow id, weight) for each execution the prune acts
    on. The weight is the rows its write touches (itself, its steps and their attempts, its
    items), for sizing batches by cost; counted only when `weigh` (the preview needs none)."""
    last = 0
    prefilter = _prefilter(plan)
    while last < plan.upper_id:
        rows = conn.execute(
            sa.select(
                EXECUTION.c.id,
                EXECUTION.c.workflow_id,
                EXECUTION.c.status,
                _AGE_FROM.label("age_from"),
                EXECUTION.c.data_pruned_at.is_not(None).label("pruned"),
                EXECUTION.c.steps_total,
            )
            .where(EXECUTION.c.id > last, EXECUTION.c.id <= plan.upper_id, *prefilter)
            .order_by(EXECUTION.c.id)
            .limit(SCAN)
        ).all()
        if not rows:
            return
        last = rows[-1].id
        decided: list[tuple[str, Any]] = []
        for row in rows:
            cut = plan.cut.get(row.workflow_id)
            if cut is None:
                continue
            facts = _facts(row, plan)
            if removes_row(facts, cut):
                decided.append(("rows", row))
            elif removes_data(facts, cut):
                decided.append(("data", row))
        items = _item_rows(conn, [row.id for _, row in decided]) if weigh else {}
        for kind, row in decided:
            weight = 1 + 2 * int(row.steps_total or 0) + items.get(row.id, 0)
            yield kind, row.id, row.workflow_id, weight


_IDS = sa.bindparam("ids", expanding=True)
_MARKED = sa.bindparam("marked", expanding=True)
# Built once: inside a batch (the write lock held) only the ids are bound, nothing compiled.
_DELETE = (
    EXECUTION.delete()
    .where(EXECUTION.c.id.in_(_IDS), _guard())
    .returning(EXECUTION.c.id, EXECUTION.c.workflow_id)
)
_MARK = (
    EXECUTION.update()
    .where(EXECUTION.c.id.in_(_IDS), EXECUTION.c.data_pruned_at.is_(None), _guard())
    .values(data_pruned_at=sa.bindparam("stamp"), trigger_payload={})
    .returning(EXECUTION.c.id)
)
_EMPTY = (
    STEP.update().where(STEP.c.execution_id.in_(_MARKED)).values(input=sa.null(), output=sa.null()),
    ITEM.update()
    .where(ITEM.c.step_id.in_(sa.select(STEP.c.id).where(STEP.c.execution_id.in_(_MARKED))))
    .values(output=sa.null()),
    WAIT.update().where(WAIT.c.execution_id.in_(_MARKED)).values(output=sa.null()),
)


def delete_batch(conn: sa.Connection, ids: list[int]) -> list[int]:
    """Delete these executions (still final, nothing open linked); the ids really deleted."""
    return [r.id for r in conn.execute(_DELETE, {"ids": ids}).all()]


def empty_data_batch(conn: sa.Connection, ids: list[int], stamp: datetime) -> list[int]:
    """Empty these executions' step inputs/outputs and mark them; the ids really emptied."""
    marked = list(conn.execute(_MARK, {"ids": ids, "stamp": stamp}).scalars())
    if marked:
        for statement in _EMPTY:
            conn.execute(statement, {"marked": marked})
    return marked


def run_batches(
    plan: Plan,
    *,
    target_s: float = TARGET_S,
    pause_s: float = PAUSE_S,
    deadline: float | None,
    keeper: WalKeeper | None = None,
) -> Outcome:
    """Sweep and act in bounded batches; stops early (the rest next time) past `deadline`."""
    outcome = Outcome()
    stamp = utcnow()
    batcher = Batcher(
        {"rows": delete_batch, "data": lambda conn, ids: empty_data_batch(conn, ids, stamp)},
        outcome,
        target_s=target_s,
        pause_s=pause_s,
        keeper=keeper,
    )
    with get_engine().connect() as reader:
        for kind, execution_id, workflow_id, weight in sweep(reader, plan, weigh=True):
            if batcher.add(kind, execution_id, workflow_id, weight):
                reader.rollback()  # let go of the read snapshot while writing
                batcher.flush(kind)
                if deadline is not None and time.monotonic() > deadline:
                    return outcome
    for kind in ("rows", "data"):
        batcher.flush(kind, all_of_it=True)
    return outcome


def prune(
    actor: Actor = SYSTEM,
    *,
    now: datetime | None = None,
    max_seconds: float | None = None,
    target_s: float = TARGET_S,
    pause_s: float = PAUSE_S,
    reason: str = "manual",
) -> dict[str, Any]:
    """Run one prune; audited when it removed something or a person asked for it."""
    actor.require_admin()
    if not _RUNNING.acquire(blocking=False):
        raise Conflict("a prune is already running; its result is in the audit trail")
    try:
        return _prune(actor, now or utcnow(), max_seconds, target_s, pause_s, reason)
    finally:
        _RUNNING.release()


def _prune(
    actor: Actor,
    now: datetime,
    max_seconds: float | None,
    target_s: float,
    pause_s: float,
    reason: str,
) -> dict[str, Any]:
    started = time.monotonic()
    deadline = started + max_seconds if max_seconds is not None else None
    with get_engine().connect() as conn:
        plan = make_plan(conn, now)
    with WalKeeper() as keeper:
        outcome = run_batches(
            plan, target_s=target_s, pause_s=pause_s, deadline=deadline, keeper=keeper
        )
        space = reclaim_space(outcome, target_s=target_s, pause_s=pause_s, keeper=keeper)
    result = {
        "executions_deleted": sum(outcome.executions.values()),
        "data_pruned": sum(outcome.data.values()),
        "by_workflow": [
            {
                "workflow_id": wid,
                "name": plan.names.get(wid, ""),
                "executions_deleted": outcome.executions.get(wid, 0),
                "data_pruned": outcome.data.get(wid, 0),
            }
            for wid in sorted(set(outcome.executions) | set(outcome.data))
        ],
        "batches": outcome.batches,
        # every hold of the write lock (batches and vacuum steps): what the app may wait for
        "holds": len(outcome.hold_ms),
        "longest_batch_ms": round(outcome.longest_batch_ms, 2),
        "batch_ms_p50": outcome.percentile(0.50),
        "batch_ms_p95": outcome.percentile(0.95),
        "batches_over_50ms": outcome.over(50),
        "longest_commit_ms": round(outcome.longest_commit_ms, 2),
        "longest_lock_wait_ms": round(outcome.longest_wait_ms, 2),
        "longest_checkpoint_ms": round(outcome.longest_checkpoint_ms, 2),
        "longest_wal_frames": outcome.longest_wal_frames,
        "slowest_holds": [asdict(h) for h in sorted(outcome.slowest, reverse=True)],
        "duration_ms": round((time.monotonic() - started) * 1000, 1),
        "finished": deadline is None or time.monotonic() <= deadline,
        "space": space,
    }
    if result["executions_deleted"] or result["data_pruned"] or reason == "manual":
        with session_scope() as session:
            details = {k: v for k, v in result.items() if k != "by_workflow"}
            details["by_workflow"] = result["by_workflow"][:50]
            details["reason"] = reason
            audit.record(
                session, actor, "retention.pruned", target_type="retention", details=details
            )
    log.info(
        "prune (%s): %d execution(s) deleted, %d emptied, %d batch(es), longest %.1f ms",
        reason,
        result["executions_deleted"],
        result["data_pruned"],
        outcome.batches,
        outcome.longest_batch_ms,
    )
    return result


def preview(actor: Actor, *, now: datetime | None = None) -> dict[str, Any]:
    """What a prune at `now` would remove, per workflow (the same sweep, nothing written)."""
    actor.require_admin()
    now = now or utcnow()
    rows: dict[int, int] = defaultdict(int)
    data: dict[int, int] = defaultdict(int)
    with get_engine().connect() as conn:
        plan = make_plan(conn, now)
        for kind, _, workflow_id, _ in sweep(conn, plan):
            (rows if kind == "rows" else data)[workflow_id] += 1
    by_workflow = [
        {
            "workflow_id": wid,
            "name": plan.names.get(wid, ""),
            "executions": rows.get(wid, 0),
            "data": data.get(wid, 0),
            **{k: v for k, v in _policy_view(plan.cut[wid]).items()},
        }
        for wid in sorted(set(rows) | set(data))
    ]
    return {
        "at": now.isoformat(),
        "executions": sum(rows.values()),
        "data": sum(data.values()),
        "by_workflow": by_workflow,
    }


def _policy_view(cut: Cutoffs) -> dict[str, Any]:
    return {
        "rows_before": cut.rows_before.isoformat() if cut.rows_before else None,
        "keep_last": cut.keep_last,
        "data_before": cut.data_before.isoformat() if cut.data_before else None,
    }


#: The scheduler prunes this often; one scheduled prune stops after `SCHEDULED_MAX_S`.
SCHEDULE_EVERY_S = 3600
SCHEDULED_MAX_S = 600.0


def prune_scheduled() -> dict[str, Any] | None:
    """The scheduler's job: one prune as Flowdeck itself (None: one was already running)."""
    try:
        return prune(SYSTEM, reason="schedule", max_seconds=SCHEDULED_MAX_S)
    except Conflict:
        return None
