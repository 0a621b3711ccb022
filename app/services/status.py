"""What the status widget shows: a snapshot any signed-in user may read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, func, select

from app.core import run_health
from app.core.stats import success_rate
from app.core.statuses import ExecutionStatus, Role
from app.db.engine import check_database, session_scope
from app.db.models import Execution, Workflow
from app.db.types import utcnow
from app.engine import health
from app.services.actor import Actor


@dataclass(frozen=True)
class RecentRun:
    id: int
    workflow: str
    status: str
    started_at: datetime | None


@dataclass(frozen=True)
class StatusSnapshot:
    active_workflows: int
    runs_24h: int
    success_rate_24h: float | None
    last_activity: datetime | None
    queue_depth: int
    running: int
    database: str
    scheduler: str
    recent: list[RecentRun] = field(default_factory=list)
    failing: str = ""  # "4 of the last 5 runs of X failed", or ""

    @property
    def degraded(self) -> bool:
        return self.database != "ok" or self.scheduler != "running"


def snapshot(actor: Actor, *, recent: int = 8) -> StatusSnapshot:
    actor.require(Role.ADMIN, Role.MEMBER, Role.VIEWER)
    return current_snapshot(recent=recent)


def current_snapshot(*, recent: int = 8) -> StatusSnapshot:
    """The snapshot without a permission check, for the server's own live push."""
    db_error = check_database()
    if db_error is not None:
        return StatusSnapshot(0, 0, None, None, 0, 0, db_error, health.scheduler_state())
    since = utcnow() - timedelta(hours=24)
    finished = (ExecutionStatus.SUCCEEDED, ExecutionStatus.FAILED)
    with session_scope() as session:
        active = session.exec(
            select(func.count()).select_from(Workflow).where(Workflow.is_active)
        ).one()
        by_status = dict(
            session.exec(
                select(Execution.status, func.count())
                .where(Execution.started_at >= since)  # type: ignore[operator]
                .group_by(Execution.status)
            ).all()
        )
        waiting = dict(
            session.exec(
                select(Execution.status, func.count())
                .where(Execution.status.in_(["queued", "running"]))  # type: ignore[attr-defined]
                .group_by(Execution.status)
            ).all()
        )
        rows = session.exec(
            select(Execution, Workflow.name)
            .join(Workflow, Workflow.id == Execution.workflow_id)
            .order_by(Execution.id.desc())  # type: ignore[union-attr]
            .limit(recent)
        ).all()
        failing = run_health.banner(run_health.failing(_latest_outcomes(session, since)))
    done = sum(by_status.get(s, 0) for s in finished)
    return StatusSnapshot(
        active_workflows=active,
        runs_24h=sum(by_status.values()),
        success_rate_24h=success_rate(by_status.get(ExecutionStatus.SUCCEEDED, 0), done),
        last_activity=rows[0][0].started_at or rows[0][0].queued_at if rows else None,
        queue_depth=waiting.get("queued", 0),
        running=waiting.get("running", 0),
        database="ok",
        scheduler=health.scheduler_state(),
        recent=[RecentRun(e.id or 0, name, e.status, e.started_at) for e, name in rows],
        failing=failing,
    )


#: Workflows looked at for the banner: those with a failed run in the last 24 hours, at most.
MAX_FAILING_LOOKED_AT = 20
_ENDED = ("succeeded", "failed", "partial", "interrupted")


def _latest_outcomes(session: Session, since: datetime) -> dict[str, list[str]]:
    """The last few ended runs (newest first) of each workflow that failed since `since`.

    Bounded and indexed: failed runs by (status, started_at), then per workflow its latest
    runs by (workflow_id, started_at)."""
    names = session.exec(
        select(Workflow.id, Workflow.name)
        .where(
            Workflow.id.in_(  # type: ignore[union-attr]
                select(Execution.workflow_id)
                .where(Execution.status == ExecutionStatus.FAILED)
                .where(Execution.started_at >= since)  # type: ignore[operator]
                .distinct()
            )
        )
        .limit(MAX_FAILING_LOOKED_AT)
    ).all()
    outcomes: dict[str, list[str]] = {}
    for workflow_id, name in names:
        outcomes[name] = list(
            session.exec(
                select(Execution.status)
                .where(Execution.workflow_id == workflow_id)
                .where(Execution.status.in_(_ENDED))  # type: ignore[attr-defined]
                .order_by(Execution.started_at.desc())  # type: ignore[union-attr]
                .limit(run_health.WINDOW)
            ).all()
        )
    return outcomes
