"""Run analytics over REST: the overview of every workflow, one workflow's performance, its
error statistics and one action's errors (issue 16, original 004's questions: which workflows
fail, at which action, since when, how slow at p95).

`days` is 1..366 (the period up to now); the performance route also takes a custom range
(`start` and `end` together, at most 366 days; a time without zone is UTC). Any signed-in role
may read; an unknown workflow is a 404. Answers come from the rollups (fast at 1M runs).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from starlette.concurrency import run_in_threadpool

from app.api.deps import current_actor
from app.api.errors import error_responses
from app.api.params import WorkflowId
from app.api.schemas.analytics import ActionErrors, ErrorStats, Overview, Performance
from app.core.analytics import MAX_DAYS
from app.services import analytics
from app.services.actor import Actor

router = APIRouter(tags=["analytics"])

CurrentActor = Annotated[Actor, Depends(current_actor)]
Days = Annotated[int, Query(ge=1, le=MAX_DAYS, description="The last N days (1 to 366)")]
Moment = Annotated[
    datetime | None,
    Query(description="ISO 8601; with `start`/`end` both given they replace `days`"),
]
ActionId = Annotated[
    str, Path(min_length=1, max_length=analytics.ACTION_ID_MAX, description="The step's id")
]
_ERRORS = error_responses(401, 403, 404, 422)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@router.get(
    "/analytics/workflows/overview",
    summary="Runs of every workflow over a period: totals, series, busiest, slowest, failing",
    response_model=Overview,
    responses=error_responses(401, 403, 422),
)
async def overview(who: CurrentActor, days: Days = 7) -> Any:
    return await run_in_threadpool(lambda: analytics.overview(who, days=days))


@router.get(
    "/analytics/workflows/{workflow_id}/performance",
    summary="One workflow over a period: totals, series, per-step statistics, errors",
    response_model=Performance,
    responses=_ERRORS,
)
async def performance(
    who: CurrentActor,
    workflow_id: WorkflowId,
    days: Days = 7,
    start: Moment = None,
    end: Moment = None,
) -> Any:
    return await run_in_threadpool(
        lambda: analytics.workflow_performance(
            who, workflow_id, days=days, start=_utc(start), end=_utc(end)
        )
    )


@router.get(
    "/workflow-orchestration/workflows/{workflow_id}/error-stats",
    summary="Which steps of a workflow fail, how often, since when, with which errors",
    response_model=ErrorStats,
    responses=_ERRORS,
)
async def error_stats(who: CurrentActor, workflow_id: WorkflowId, days: Days = 7) -> Any:
    return await run_in_threadpool(lambda: analytics.error_stats(who, workflow_id, days=days))


@router.get(
    "/workflow-orchestration/workflows/{workflow_id}/actions/{action_id}/errors",
    summary="One step's runs, failures, error groups and latest failures",
    response_model=ActionErrors,
    responses=_ERRORS,
)
async def action_errors(
    who: CurrentActor, workflow_id: WorkflowId, action_id: ActionId, days: Days = 7
) -> Any:
    return await run_in_threadpool(
        lambda: analytics.action_errors(who, workflow_id, action_id, days=days)
    )
