"""Original 004's endpoint lines, served as written.

`/api/custom-workflows/{workflow_id}/…` runs Flowdeck's own endpoints (error statistics,
versions, compare, rollback; see `same_as`), plus `change-summary` over the workflow's
versions. `/api/audit/workflows?…` is the workflow audit trail with 004's filters: its event
types (`workflow_created`, `workflow_executed`, …; an unknown one is a 422 naming it),
`start_date` / `end_date` (a date alone as `end_date` includes that whole day). Admins see
every event, anyone else only their own. `/api/audit/export?workflow_id=…&start_date=…` is
Flowdeck's export, which takes those names (app.api.routes.audit).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from app.api.deps import current_actor
from app.api.errors import error_responses
from app.api.params import MAX_ID, WorkflowId, limit_query
from app.api.routes import analytics, audit, versions
from app.api.routes.same_as import ORIGINAL_TAG, same_as
from app.api.schemas import Out
from app.api.schemas.ops import AuditEvent
from app.core.original_audit import EVENT_TYPES, actions_of
from app.services import audit_trail, workflow_changes
from app.services.actor import Actor
from app.services.audit_query import AuditFilter
from app.services.audit_reports import MAX_DAYS, MIN_DAYS

router = APIRouter(tags=[ORIGINAL_TAG])
CurrentActor = Annotated[Actor, Depends(current_actor)]
_BASE = "/custom-workflows/{workflow_id}"

same_as(router, f"{_BASE}/error-stats", analytics.error_stats, analytics.router)
same_as(router, f"{_BASE}/actions/{{action_id}}/errors", analytics.action_errors, analytics.router)
same_as(router, f"{_BASE}/versions", versions.create_workflow_version, versions.router)
same_as(router, f"{_BASE}/versions", versions.workflow_versions, versions.router)
# `compare` before `{number}`: it is no version number.
same_as(router, f"{_BASE}/versions/compare", versions.compare_workflow_versions, versions.router)
same_as(router, f"{_BASE}/versions/{{number}}", versions.workflow_version, versions.router)
same_as(router, f"{_BASE}/rollback", versions.rollback_workflow, versions.router)


class DayCount(Out):
    day: str
    count: int


class PersonChanges(Out):
    user_id: int | None
    email: str
    changes: int


class LastChange(Out):
    version_number: int
    changed_at: str
    changed_by: int | None
    email: str
    change_type: str
    change_description: str
    change_summary: list[str]
    restored_from: int | None
    reason: str | None


class ChangeSummary(Out):
    workflow_id: int
    workflow: dict[str, Any]
    period: dict[str, Any]
    total_changes: int = Field(description="Versions saved in the period")
    by_type: list[dict[str, Any]]
    by_person: list[PersonChanges]
    by_day: list[DayCount] = Field(description="Every UTC day of the period, oldest first")
    last_changes: list[LastChange] = Field(description="Newest first, at most 20")


@router.get(
    f"{_BASE}/change-summary",
    summary="A workflow's changes over the last days: how many, by whom, per day, the last",
    response_model=ChangeSummary,
    responses=error_responses(401, 403, 404, 422),
)
async def change_summary(
    workflow_id: WorkflowId,
    actor: CurrentActor,
    days: Annotated[int, Query(ge=MIN_DAYS, le=MAX_DAYS, description="1 to 366")] = 30,
) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: workflow_changes.change_summary(actor, workflow_id, days=days)
    )


class TrailEvent(AuditEvent):
    event_type: str | None = Field(description="004's name of the action, if it has one")


class AuditTrail(Out):
    items: list[TrailEvent]
    next_cursor: int | None = Field(description="Pass as `cursor` for the next page")
    limit: int


@router.get(
    "/audit/workflows",
    summary="The workflow audit trail, filtered as in 004 (admins: all; others: their own)",
    response_model=AuditTrail,
    responses=error_responses(401, 403, 422),
)
async def workflow_trail(
    actor: CurrentActor,
    flt: Annotated[AuditFilter, Depends(audit.audit_filter)],
    event_types: Annotated[
        str | None,
        Query(
            max_length=1000,
            description="Comma-separated: " + ", ".join(EVENT_TYPES) + " (or Flowdeck actions)",
        ),
    ] = None,
    limit: Annotated[int, limit_query(500)] = 100,
    cursor: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> dict[str, Any]:
    wanted = AuditFilter(**{**flt.__dict__, "actions": actions_of(event_types)})
    digits = flt.actor is not None and flt.actor.isascii() and flt.actor.isdigit()
    user = int(flt.actor) if digits and flt.actor else None
    return await run_in_threadpool(
        lambda: audit_trail.workflow_trail(actor, wanted, user_id=user, limit=limit, cursor=cursor)
    )
