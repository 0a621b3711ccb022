"""Executions over REST: list with filters and a cursor, read with steps; control a run
(pause, resume, cancel, retry, one by one or as `POST …/control {"action"}`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import ConfigDict, Field, SkipValidation
from starlette.concurrency import run_in_threadpool

from app.api.bodies import CamelBody
from app.api.deps import current_actor
from app.api.errors import error_responses
from app.api.params import ExecutionId, IsoTime, limit_query, optional_id_query
from app.api.schemas.workflows import Execution, ExecutionPage
from app.services import execution_control, executions
from app.services.actor import Actor
from app.services.executions import ExecutionFilter

router = APIRouter(prefix="/workflow-orchestration", tags=["executions"])

CurrentActor = Annotated[Actor, Depends(current_actor)]
_TIME_HELP = "ISO 8601; without a time zone it is taken as UTC"


def _utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


@router.get(
    "/executions",
    summary="List executions, newest first",
    description="Filters combine. Pass `next_cursor` of a page as `cursor` to get the next one; "
    "it is null on the last page.",
    response_model=ExecutionPage,
    responses=error_responses(400, 401, 403, 422),
)
async def list_executions(
    actor: CurrentActor,
    workflow_id: Annotated[int | None, optional_id_query("Only runs of this workflow")] = None,
    status: Annotated[
        str | None, Query(description="queued, running, succeeded, failed, cancelled, interrupted")
    ] = None,
    trigger_type: Annotated[str | None, Query()] = None,
    since: Annotated[IsoTime | None, Query(description=f"Queued at or after; {_TIME_HELP}")] = None,
    until: Annotated[IsoTime | None, Query(description=f"Queued before; {_TIME_HELP}")] = None,
    limit: Annotated[int, limit_query(200)] = 50,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page")] = None,
) -> dict[str, Any]:
    flt = ExecutionFilter(
        workflow_id=workflow_id,
        status=status or None,
        trigger_type=trigger_type or None,
        since=_utc(since),
        until=_utc(until),
        limit=limit,
        cursor=cursor or None,
    )
    return await run_in_threadpool(executions.list_executions, actor, flt)


# `:int` so that `POST /executions/bulk` (app.api.routes.bulk) is not also this path.
@router.get(
    "/executions/{execution_id:int}",
    summary="One execution with its steps and attempts",
    response_model=Execution,
    responses=error_responses(401, 403, 404, 422),
)
async def get_execution(execution_id: ExecutionId, actor: CurrentActor) -> dict[str, Any]:
    return await run_in_threadpool(executions.get_execution, actor, execution_id)


@router.post(
    "/executions/{execution_id}/cancel",
    summary="Cancel a queued or running execution",
    response_model=Execution,
    responses=error_responses(401, 403, 404, 409, 422, 503),
)
async def cancel_execution(execution_id: ExecutionId, actor: CurrentActor) -> dict[str, Any]:
    # Async on purpose: cancelling touches the engine's tasks on this event loop.
    return await executions.cancel_execution(actor, execution_id)


@router.post(
    "/executions/{execution_id}/retry",
    status_code=202,
    summary="Retry a failed or interrupted execution from its failed step",
    description="202 with the new retry execution. Idempotent: while a retry of this execution "
    "is unfinished, asking again answers 200 with that retry instead of starting another.",
    response_model=Execution,
    responses={
        200: {
            "model": Execution,
            "description": "A retry of this execution is already under way: that one",
        },
        **error_responses(401, 403, 404, 409, 422, 503),
    },
)
async def retry_execution(
    execution_id: ExecutionId, actor: CurrentActor, response: Response
) -> dict[str, Any]:
    retry = await run_in_threadpool(executions.request_retry, actor, execution_id)
    if not retry.created:
        response.status_code = 200
    return retry.execution


@router.post(
    "/executions/{execution_id}/pause",
    summary="Pause a running or waiting execution",
    description="Running steps finish, no new step starts; the execution becomes `paused`. "
    "A waiting execution is paused at once. 409 for any other status.",
    response_model=Execution,
    responses=error_responses(401, 403, 404, 409, 422, 503),
)
async def pause_execution(execution_id: ExecutionId, actor: CurrentActor) -> dict[str, Any]:
    # Async on purpose: pausing touches the engine's tasks on this event loop.
    return await execution_control.pause(actor, execution_id)


@router.post(
    "/executions/{execution_id}/resume",
    summary="Resume a paused execution",
    description="It goes back to the queue and goes on from where it stopped. 409 unless it "
    "is `paused`.",
    response_model=Execution,
    responses=error_responses(401, 403, 404, 409, 422, 503),
)
async def resume_execution(execution_id: ExecutionId, actor: CurrentActor) -> dict[str, Any]:
    return await execution_control.resume(actor, execution_id)


class ControlBody(CamelBody):
    """What to do with the execution."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"action": "pause"}], "required": ["action"]}
    )

    action: SkipValidation[Literal["pause", "resume", "cancel", "retry"]] = Field(
        None, description="pause, resume, cancel or retry (as the endpoints of those names)"
    )


@router.post(
    "/executions/{execution_id}/control",
    summary="Control an execution: pause, resume, cancel or retry",
    description='`{"action": "pause" | "resume" | "cancel" | "retry"}`, '
    "answered as the endpoint of that name answers: the execution (200); for `retry` the "
    "retry execution, 202 when this request started it, 200 when one was already under way. "
    "409 when the action does not apply to the execution's status.",
    response_model=Execution,
    responses={
        202: {"model": Execution, "description": "`retry`: the retry this request started"},
        **error_responses(400, 401, 403, 404, 409, 413, 415, 422, 503),
    },
)
async def control_execution(
    execution_id: ExecutionId, body: ControlBody, actor: CurrentActor, response: Response
) -> dict[str, Any]:
    done = await execution_control.control(actor, execution_id, body.as_data())
    if done.action == "retry" and done.created:
        response.status_code = 202
    return done.execution
