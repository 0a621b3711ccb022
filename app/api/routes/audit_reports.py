"""Audit reports over REST (original 004): a workflow's summary, a person's activity, and
system-wide statistics, each over the last `days` UTC calendar days (1..366).

Roles are the service's: system stats for admins; a workflow's summary for admins and members;
a person's activity for admins (anyone) and for that person themselves.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from app.api.deps import current_actor
from app.api.errors import error_responses
from app.api.params import WorkflowId, id_path
from app.api.schemas import Out
from app.services import audit_reports
from app.services.actor import Actor

router = APIRouter(prefix="/audit", tags=["audit"])

CurrentActor = Annotated[Actor, Depends(current_actor)]
UserId = Annotated[int, id_path("user")]
Days = Annotated[
    int,
    Query(
        ge=audit_reports.MIN_DAYS,
        le=audit_reports.MAX_DAYS,
        description="The last N UTC calendar days, today included (1 to 366)",
    ),
]


class ReportPeriod(Out):
    days: int
    start: str = Field(description="Midnight UTC of the first day")
    end: str = Field(description="When the report was made")
    granularity: str


class DayCount(Out):
    day: str = Field(description="UTC date, YYYY-MM-DD; every day of the period is present")
    count: int


class ActionCount(Out):
    action: str
    count: int


class ActorCount(Out):
    actor_id: int | None
    actor_label: str
    count: int


class IpCount(Out):
    ip: str
    count: int
    last_at: str


class FailedLogin(Out):
    at: str
    ip: str | None
    email: str
    reason: str


class FailedLogins(Out):
    count: int
    by_day: list[DayCount]
    recent_ips: list[IpCount] = Field(description="Addresses of the newest 500 failures")
    recent: list[FailedLogin]


class SystemStats(Out):
    period: ReportPeriod
    total_events: int
    by_type: list[ActionCount]
    by_day: list[DayCount]
    most_active: list[ActorCount]
    failed_logins: FailedLogins


class ActivityEvent(Out):
    id: int
    at: str
    actor_id: int | None
    actor_label: str
    action: str
    target_type: str | None
    target_id: str | None
    ip: str | None
    summary: str


class ActivityUser(Out):
    id: int
    email: str
    name: str
    role: str


class UserActivity(Out):
    user_id: int
    user: ActivityUser
    period: ReportPeriod
    total_events: int
    by_action: list[ActionCount]
    by_day: list[DayCount]
    recent: list[ActivityEvent]


class ActorChanges(Out):
    actor_label: str
    changes: int
    runs: int = Field(description="Runs this actor started by hand")


class LastChange(Out):
    at: str
    actor_label: str
    action: str
    summary: str


class SummaryWorkflow(Out):
    id: int
    name: str


class WorkflowSummary(Out):
    workflow_id: int
    workflow: SummaryWorkflow
    period: ReportPeriod
    changes: int
    runs: int = Field(description="Executions started in the period, whatever started them")
    other_runs: int = Field(description="Runs not started by a person (schedule, webhook, …)")
    by_action: list[ActionCount]
    by_actor: list[ActorChanges]
    last_changes: list[LastChange]


@router.get(
    "/workflows/{workflow_id}/summary",
    summary="Who changed and ran a workflow, how often, and its last changes (admins)",
    response_model=WorkflowSummary,
    responses=error_responses(401, 403, 404, 422),
)
async def workflow_summary(who: CurrentActor, workflow_id: WorkflowId, days: Days = 30) -> Any:
    return await run_in_threadpool(
        lambda: audit_reports.workflow_summary(who, workflow_id, days=days)
    )


@router.get(
    "/users/{user_id}/activity",
    summary="A person's actions (admins: anyone; others: only themselves)",
    response_model=UserActivity,
    responses=error_responses(401, 403, 404, 422),
)
async def user_activity(who: CurrentActor, user_id: UserId, days: Days = 7) -> Any:
    return await run_in_threadpool(lambda: audit_reports.user_activity(who, user_id, days=days))


@router.get(
    "/system/stats",
    summary="Events by type and by day, most active people, failed sign-ins (admins)",
    response_model=SystemStats,
    responses=error_responses(401, 403, 422),
)
async def system_stats(who: CurrentActor, days: Days = 30) -> Any:
    return await run_in_threadpool(lambda: audit_reports.system_stats(who, days=days))
