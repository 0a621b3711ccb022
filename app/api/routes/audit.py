"""The audit trail over REST (admins only): filtered pages, a streamed export, pruning.

Filters are the same for the list and the export: `actor` (user id or part of the label),
`target_type`, `target_id`, `action` (exact, or a prefix ending in `*`), `since`, `until`
(ISO times; without a zone they are UTC). Original 004's names work too: `workflow_id`,
`user_id`, `start_date`, `end_date` (a date alone: from that day's start; as `end_date`
that whole day is included). The export streams CSV or JSON page by page, so an
export over years of events never sits in memory. Pruning by age is the only delete.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from pydantic import Field, SkipValidation
from starlette.concurrency import run_in_threadpool

from app.api.bodies import CamelBody
from app.api.deps import current_actor
from app.api.errors import error_responses
from app.api.params import MAX_ID, IsoTime, limit_query
from app.api.schemas import Deleted
from app.api.schemas.ops import AuditPage
from app.core.errors import Problem, ValidationFailed
from app.core.original_audit import day_or_time
from app.services import audit_query
from app.services.actor import Actor
from app.services.audit_query import MAX_RETENTION_DAYS, AuditFilter

router = APIRouter(prefix="/audit", tags=["audit"])

CurrentActor = Annotated[Actor, Depends(current_actor)]
_MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


_START_HELP = "004's name of `since`: an ISO date (that day's start, UTC) or time"
_END_HELP = "004's name of `until`: an ISO date (that whole day included, UTC) or time"


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value and value.tzinfo is None else value


def _one(path: str, other: str, first: Any, second: Any) -> Any:
    """A filter given under Flowdeck's name or the original's (004), not both differently."""
    if first not in (None, "") and second not in (None, "") and first != second:
        raise ValidationFailed([Problem(path, f"give {path} or {other}, not both")])
    return first if first not in (None, "") else second


def audit_filter(
    actor: Annotated[str | None, Query(description="User id or part of the actor")] = None,
    target_type: Annotated[str | None, Query(max_length=32)] = None,
    target_id: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=64, description="e.g. workflow.*")] = None,
    since: Annotated[IsoTime | None, Query(description="ISO time, inclusive")] = None,
    until: Annotated[IsoTime | None, Query(description="ISO time, exclusive")] = None,
    workflow_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="004's name: events on this workflow")
    ] = None,
    user_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="004's name: events by this user id")
    ] = None,
    start_date: Annotated[str | None, Query(max_length=40, description=_START_HELP)] = None,
    end_date: Annotated[str | None, Query(max_length=40, description=_END_HELP)] = None,
) -> AuditFilter:
    if workflow_id is not None:
        target_type = _one("target_type", "workflow_id", target_type, "workflow")
    return AuditFilter(
        actor=_one("actor", "user_id", actor, str(user_id) if user_id else None),
        target_type=target_type,
        target_id=_one("target_id", "workflow_id", target_id, str(workflow_id or "") or None),
        action=action,
        since=_one("since", "start_date", _aware(since), day_or_time(start_date, "start_date")),
        until=_one("until", "end_date", _aware(until), day_or_time(end_date, "end_date", end=True)),
    )


Filter = Annotated[AuditFilter, Depends(audit_filter)]


@router.get(
    "/events",
    summary="Audit events, newest first (paged by cursor)",
    response_model=AuditPage,
    responses=error_responses(401, 403, 422),
)
async def list_events(
    who: CurrentActor,
    flt: Filter,
    limit: Annotated[int, limit_query(500)] = 50,
    cursor: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="`next_cursor` of the last page")
    ] = None,
) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: audit_query.list_events(who, flt, limit=limit, cursor=cursor)
    )


@router.get(
    "/export",
    summary="Download the filtered events as CSV or JSON",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/csv": {}, "application/json": {}}},
        **error_responses(401, 403, 422),
    },
)
async def export_events(
    who: CurrentActor,
    flt: Filter,
    fmt: Annotated[Literal["csv", "json"], Query(alias="format")] = "csv",
) -> StreamingResponse:
    # Checks (role, range) run here, before the response starts; the rows stream after.
    chunks = await run_in_threadpool(audit_query.export_events, who, flt, fmt)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    headers = {"Content-Disposition": f'attachment; filename="flowdeck-audit-{stamp}.{fmt}"'}
    return StreamingResponse(chunks, media_type=_MEDIA[fmt], headers=headers)


class PruneBody(CamelBody):
    older_than_days: SkipValidation[int | None] = Field(None, ge=1, le=MAX_RETENTION_DAYS)


@router.post(
    "/prune",
    summary="Delete events older than the retention period (audited)",
    response_model=Deleted,
    responses=error_responses(400, 401, 403, 413, 415, 422),
)
async def prune_events(who: CurrentActor, body: PruneBody | None = None) -> dict[str, Any]:
    days = body.older_than_days if body else None
    if days is not None and (isinstance(days, bool) or not isinstance(days, int)):
        raise ValidationFailed([Problem("older_than_days", "must be a whole number of days")])
    deleted = await run_in_threadpool(audit_query.prune, who, days)
    return {"deleted": deleted}
