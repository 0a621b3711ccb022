"""Orchestrations over REST: create, read, change, delete, run, read runs, versions, rollback.

Paths are those of the original design document (`/api/workflow-orchestration/orchestrations`,
`…/orchestrations/{id}/execute`, `…/orchestration-runs/{id}`). Bodies accept camelCase and
snake_case; request models check the JSON type of every key (`app.api.bodies`), the service
checks the rest and reports every problem at once with its path (`calls[2].url`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse
from pydantic import ConfigDict, Field, SkipValidation
from starlette.concurrency import run_in_threadpool

from app.api.bodies import CamelBody
from app.api.deps import current_actor
from app.api.errors import error_responses
from app.api.params import BodyId, Offset, VersionNumber, id_path, limit_query
from app.api.schemas.orchestrations import (
    Orchestration,
    OrchestrationPage,
    OrchestrationRolledBack,
    OrchestrationVersion,
    OrchestrationVersionPage,
    RunDetail,
    RunPage,
)
from app.core.errors import Problem, ValidationFailed
from app.core.ids import is_id
from app.core.orchestration import MAX_CALLS, MAX_PARALLEL, CallSpec, Mode
from app.core.retry import RetryPolicy
from app.services import orchestration_history, orchestration_runs, orchestrations
from app.services.actor import Actor
from app.services.orchestration_views import RUN_STATUSES, RunFilter, get_run, list_runs
from app.services.orchestrations import SORT_FIELDS, OrchestrationFilter

router = APIRouter(prefix="/workflow-orchestration", tags=["orchestrations"])
_BODY_ERRORS = (400, 401, 403, 413, 415, 422)
_ID_ERRORS = (401, 403, 404, 422)

CurrentActor = Annotated[Actor, Depends(current_actor)]
OrchestrationId = Annotated[int, id_path("orchestration")]
RunId = Annotated[int, id_path("orchestration run")]
_SORT_PATTERN = rf"^-?({'|'.join(SORT_FIELDS)})$"
_RunStatus = Literal[RUN_STATUSES]  # type: ignore[valid-type]

_EXAMPLE = {
    "name": "Sign in, then list orders",
    "description": "A pipeline: the token the first call extracts authorizes the second",
    "mode": "pipeline",
    "timeoutS": 60,
    "retry": {"strategy": "exponential", "maxAttempts": 3, "delayS": 0.5},
    "calls": [
        {
            "id": "login",
            "method": "POST",
            "url": "https://api.example.com/login",
            "body": {"user": "{{ inputs.user }}", "password": "{{ env.SHOP_PASSWORD }}"},
            "extract": {"token": "data.access_token"},
        },
        {
            "id": "orders",
            "url": "https://api.example.com/orders",
            "query": {"since": "{{ inputs.since }}"},
            "headers": {"Authorization": "Bearer {{ prev.token }}"},
            "dependsOn": ["login"],
            "expectedStatus": [200],
        },
    ],
}
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]


class OrchestrationBody(CamelBody):
    """An orchestration definition; on PUT, omitted keys keep their value."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})
    # Not nullable (the service refuses null); the defaults only let a key be left out.
    nested = {"calls": list[CallSpec], "retry": RetryPolicy}

    name: SkipValidation[Name] = None
    description: SkipValidation[str] = Field(None, max_length=5000)
    mode: SkipValidation[Mode] = Field(None, description="`sequential` by default")
    calls: SkipValidation[list[CallSpec]] = Field(None, min_length=1, max_length=MAX_CALLS)
    retry: SkipValidation[RetryPolicy] = Field(None, description="Default of every call")
    timeout_s: SkipValidation[float] = Field(
        None, gt=0, le=3600, description="The whole run's limit (default 300 s)"
    )
    max_parallel: SkipValidation[int] = Field(
        None, ge=1, le=MAX_PARALLEL, description="Calls in flight at once (default 8)"
    )
    is_active: SkipValidation[bool] = None
    change_description: SkipValidation[str | None] = Field(
        None, description="Recorded with the new version"
    )


class OrchestrationCreate(OrchestrationBody):
    """A new orchestration: `name` and `calls` are required (and not null)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [_EXAMPLE], "required": ["name", "calls"]}
    )


class OrchestrationExecuteBody(CamelBody):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"inputs": {"user": "ada", "since": "2026-01-01"}}]}
    )

    inputs: SkipValidation[dict[str, Any] | None] = Field(
        None, description="Available to templates as `inputs`"
    )


class OrchestrationRollbackBody(CamelBody):
    model_config = ConfigDict(
        json_schema_extra={
            "required": ["versionNumber", "reason"],
            "examples": [{"versionNumber": 1, "reason": "v2 of the API is not live yet"}],
        }
    )

    version_number: SkipValidation[BodyId] = None
    reason: SkipValidation[str] = Field(
        None, min_length=1, max_length=2000, pattern=r"\S", description="Why roll back"
    )


@router.post(
    "/orchestrations",
    status_code=201,
    summary="Create an orchestration",
    response_model=Orchestration,
    responses=error_responses(*_BODY_ERRORS),
)
async def create_orchestration(body: OrchestrationCreate, actor: CurrentActor) -> dict[str, Any]:
    return await run_in_threadpool(orchestrations.create_orchestration, actor, body.as_data())


@router.get(
    "/orchestrations",
    summary="List orchestrations",
    description="Each with its mode, call count, success rate, average and p95 time, last run.",
    response_model=OrchestrationPage,
    responses=error_responses(401, 403, 422),
)
async def list_orchestrations(
    actor: CurrentActor,
    search: Annotated[str, Query(max_length=200, description="Part of the name")] = "",
    mode: Annotated[Mode | None, Query()] = None,
    is_active: Annotated[bool | None, Query()] = None,
    sort: Annotated[
        str, Query(pattern=_SORT_PATTERN, description="A field; a leading `-` sorts descending")
    ] = "name",
    limit: Annotated[int, limit_query(500)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    flt = OrchestrationFilter(
        search=search, mode=mode, is_active=is_active, sort=sort, limit=limit, offset=offset
    )
    items, total = await run_in_threadpool(orchestrations.list_orchestrations, actor, flt)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get(
    "/orchestrations/{orchestration_id}",
    summary="One orchestration",
    response_model=Orchestration,
    responses=error_responses(*_ID_ERRORS),
)
async def get_orchestration(orchestration_id: OrchestrationId, actor: CurrentActor) -> Any:
    return await run_in_threadpool(orchestrations.get_orchestration, actor, orchestration_id)


@router.put(
    "/orchestrations/{orchestration_id}",
    summary="Change an orchestration (omitted keys are kept)",
    response_model=Orchestration,
    responses=error_responses(*_BODY_ERRORS, 404),
)
async def update_orchestration(
    orchestration_id: OrchestrationId, body: OrchestrationBody, actor: CurrentActor
) -> dict[str, Any]:
    return await run_in_threadpool(
        orchestrations.update_orchestration, actor, orchestration_id, body.as_data()
    )


@router.delete(
    "/orchestrations/{orchestration_id}",
    status_code=204,
    summary="Delete an orchestration, its versions and its runs",
    response_class=Response,
    responses=error_responses(*_ID_ERRORS),
)
async def delete_orchestration(orchestration_id: OrchestrationId, actor: CurrentActor) -> Response:
    await run_in_threadpool(orchestrations.delete_orchestration, actor, orchestration_id)
    return Response(status_code=204)


@router.post(
    "/orchestrations/{orchestration_id}/execute",
    status_code=202,
    summary="Run an orchestration",
    description="Answers 202 with the new run. With `wait=true`, waits up to `timeout` seconds "
    "and answers 200 with the finished run (202 if it is still running). 409 when the "
    "orchestration is inactive or its stored definition cannot run.",
    response_model=RunDetail,
    responses={
        200: {"model": RunDetail, "description": "With `wait=true`: the finished run"},
        **error_responses(*_BODY_ERRORS, 404, 409, 503),
    },
)
async def execute_orchestration(
    orchestration_id: OrchestrationId,
    actor: CurrentActor,
    body: OrchestrationExecuteBody | None = None,
    wait: Annotated[bool, Query(description="Wait for the run to finish")] = False,
    timeout_s: Annotated[float, Query(alias="timeout", gt=0, le=300)] = 30.0,
) -> JSONResponse:
    data = body.as_data() if body else {}
    # Async on purpose: the run is a task on this loop, the engine's.
    run = await orchestration_runs.start_run(
        actor,
        orchestration_id,
        data.get("inputs"),
        trigger="api",
        wait_s=timeout_s if wait else None,
    )
    finished = run["status"] != "running"
    return JSONResponse(run, status_code=200 if wait and finished else 202)


@router.get(
    "/orchestrations/{orchestration_id}/runs",
    summary="An orchestration's runs, newest first",
    description="Pass `next_cursor` of a page as `cursor` to get the next one; it is null on "
    "the last page.",
    response_model=RunPage,
    responses=error_responses(400, *_ID_ERRORS),
)
async def list_orchestration_runs(
    orchestration_id: OrchestrationId,
    actor: CurrentActor,
    status: Annotated[_RunStatus | None, Query()] = None,
    trigger: Annotated[Literal["manual", "api", "workflow"] | None, Query()] = None,
    limit: Annotated[int, limit_query(200)] = 50,
    cursor: Annotated[
        str | None, Query(max_length=200, description="`next_cursor` of the previous page")
    ] = None,
) -> dict[str, Any]:
    flt = RunFilter(status=status, trigger=trigger, limit=limit, cursor=cursor or None)
    return await run_in_threadpool(list_runs, actor, orchestration_id, flt)


@router.get(
    "/orchestration-runs/{run_id}",
    summary="One run with every call (readable while it runs)",
    response_model=RunDetail,
    responses=error_responses(*_ID_ERRORS),
)
async def get_orchestration_run(run_id: RunId, actor: CurrentActor) -> dict[str, Any]:
    return await run_in_threadpool(get_run, actor, run_id)


@router.post(
    "/orchestration-runs/{run_id}/cancel",
    summary="Cancel a run going on (its calls in flight are cancelled)",
    response_model=RunDetail,
    responses=error_responses(*_ID_ERRORS, 409),
)
async def cancel_orchestration_run(run_id: RunId, actor: CurrentActor) -> dict[str, Any]:
    return await orchestration_runs.cancel_run(actor, run_id)


@router.get(
    "/orchestrations/{orchestration_id}/versions",
    summary="An orchestration's versions, newest first",
    response_model=OrchestrationVersionPage,
    responses=error_responses(*_ID_ERRORS),
)
async def list_orchestration_versions(
    orchestration_id: OrchestrationId,
    actor: CurrentActor,
    limit: Annotated[int, limit_query(500)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: orchestration_history.list_versions(
            actor, orchestration_id, limit=limit, offset=offset
        )
    )


@router.get(
    "/orchestrations/{orchestration_id}/versions/{number}",
    summary="One version of an orchestration",
    response_model=OrchestrationVersion,
    responses=error_responses(*_ID_ERRORS),
)
async def orchestration_version(
    orchestration_id: OrchestrationId, number: VersionNumber, actor: CurrentActor
) -> dict[str, Any]:
    return await run_in_threadpool(
        orchestration_history.get_version, actor, orchestration_id, number
    )


@router.post(
    "/orchestrations/{orchestration_id}/rollback",
    summary="Roll an orchestration back to a version (reason required)",
    description="Makes the version's definition current again as a new version that records "
    "which version it restored and why. 422 without a reason, 404 for an unknown version, "
    "409 when the orchestration already matches it.",
    response_model=OrchestrationRolledBack,
    responses=error_responses(*_BODY_ERRORS, 404, 409),
)
async def rollback_orchestration(
    orchestration_id: OrchestrationId, body: OrchestrationRollbackBody, actor: CurrentActor
) -> dict[str, Any]:
    data = body.as_data()
    number = data.get("version_number")
    if not is_id(number):
        raise ValidationFailed([Problem("versionNumber", "required: a version number")])
    reason = str(data.get("reason") or "")
    return await run_in_threadpool(
        orchestration_history.rollback, actor, orchestration_id, number, reason
    )
