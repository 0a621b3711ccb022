"""Workflows over REST: create, read, change, delete, run, pause, duplicate, stats.

Paths are those of the original design document (`/api/workflow-orchestration/...`). Request
models check the JSON type of every key (see `app.api.bodies`); the services check the rest
and report every problem at once with its path, the same way for the UI and the API. Bodies
accept camelCase (as in the original document's examples) and snake_case; unknown keys such
as `createdBy` are passed on and dropped by the service.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse
from pydantic import ConfigDict, Field, SkipValidation
from starlette.concurrency import run_in_threadpool

from app.api import original_shapes
from app.api.bodies import CamelBody
from app.api.deps import current_actor
from app.api.errors import error_responses
from app.api.params import Offset, WorkflowId, limit_query
from app.api.schemas.workflows import (
    Execution,
    GlobalStats,
    SavedWorkflow,
    Workflow,
    WorkflowPage,
    WorkflowStats,
)
from app.core.errors import ValidationFailed
from app.core.graph import MAX_STEPS
from app.core.statuses import ExecutionStatus
from app.core.workflow import ActionSpec, TriggerSpec
from app.services import executions, workflow_stats, workflows
from app.services.actor import Actor
from app.services.article_refs import with_article_id
from app.services.workflows import Saved, WorkflowFilter

router = APIRouter(prefix="/workflow-orchestration", tags=["workflows"])
_BODY_ERRORS = (400, 401, 403, 413, 415, 422)
_ID_ERRORS = (401, 403, 404, 422)

CurrentActor = Annotated[Actor, Depends(current_actor)]
_SORT_PATTERN = r"^-?(name|created_at|runs|last_run_at|avg_duration_ms)$"


_EXAMPLE = {
    "name": "Auto Publish & Share",
    "description": "Wait for the article to settle, then announce it",
    "workflowType": "custom",
    "trigger": {"type": "publish", "config": {"articleStatus": "ready"}},
    "actions": [
        {"id": "settle", "type": "delay", "config": {"seconds": 1}},
        {
            "id": "share",
            "type": "api_call",
            "config": {
                "method": "POST",
                "url": "https://example.com/share",
                "json": {"article": "{{ trigger.article_id }}"},
            },
        },
    ],
    "priority": "high",
}


Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]
WorkflowType = Literal["n8n", "zapier", "custom", "git", "api"]
_PRIORITY = Literal["low", "normal", "high"]


class WorkflowBody(CamelBody):
    """A workflow definition; on PUT, omitted keys keep their value.

    A signed webhook trigger without `config.secret` gets a generated secret, returned once
    as `webhook_secret`.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})
    # The definition's keys are not nullable (the service refuses null); the defaults only
    # let a key be left out: on PUT it is kept, on POST the service names every missing one.
    nested = {"trigger": TriggerSpec, "actions": list[ActionSpec]}

    name: SkipValidation[Name] = None
    description: SkipValidation[str] = None
    workflow_type: SkipValidation[WorkflowType] = None
    priority: SkipValidation[_PRIORITY] = None
    concurrency_limit: SkipValidation[int] = Field(None, ge=1, le=100)
    is_active: SkipValidation[bool] = None
    trigger: SkipValidation[TriggerSpec] = None
    actions: SkipValidation[list[ActionSpec]] = Field(
        None,
        max_length=MAX_STEPS,
        description="The steps; empty only while the workflow is inactive (a draft)",
    )
    max_parallel: SkipValidation[int] = Field(
        None, ge=1, le=64, description="Steps of one execution that may run at once (default 8)"
    )
    on_interrupted: SkipValidation[Literal["leave", "retry"] | None] = Field(
        None,
        description="A run that Flowdeck stopped mid-way (crash, restart): `leave` it "
        "interrupted (default) or `retry` it once, automatically, after start-up",
    )
    change_description: SkipValidation[str | None] = Field(
        None, description="Recorded with the new version"
    )


class WorkflowCreate(WorkflowBody):
    """A new workflow: `name`, `trigger` and `actions` are required (and not null)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [_EXAMPLE], "required": ["name", "trigger", "actions"]}
    )


class ExecuteBody(CamelBody):
    """How a run is started by hand; both keys are optional."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"triggerType": "manual", "payload": {"article_id": 7}}]}
    )

    trigger_type: SkipValidation[Literal["manual", "schedule", "webhook", "event", "publish"]] = (
        "manual"
    )
    payload: SkipValidation[dict[str, Any] | None] = Field(
        None,
        description="Available to templates as `trigger`; an `articleId` / `article_id` that "
        "is a slug (`article-123`) also gives the article's numeric `article_id`",
    )
    input_data: SkipValidation[dict[str, Any] | None] = Field(
        None, description="Another name of `payload` (the original documents' `input_data`)"
    )
    trigger_data: SkipValidation[dict[str, Any] | None] = Field(
        None, description="Another name of `payload` (`executeWorkflow`'s trigger data)"
    )


_PAYLOAD_NAMES = ("payload", "input_data", "trigger_data")


def _saved(saved: Saved) -> dict[str, Any]:
    """The workflow JSON with its save warnings, plus a generated webhook secret the one time
    it can be shown."""
    if saved.webhook_secret is None:
        return {**saved.workflow, "warnings": saved.warnings}
    return {**saved.workflow, "warnings": saved.warnings, "webhook_secret": saved.webhook_secret}


@router.post(
    "/workflows",
    status_code=201,
    summary="Create a workflow",
    response_model=SavedWorkflow,
    response_model_exclude_unset=True,
    responses=error_responses(*_BODY_ERRORS, 409),
)
async def create_workflow(body: WorkflowCreate, actor: CurrentActor) -> dict[str, Any]:
    data = body.as_data()
    try:
        saved = await run_in_threadpool(original_shapes.create_workflow, actor, data)
    except ValidationFailed as exc:  # say where another product's `steps` go
        problems = original_shapes.foreign_problems(data)
        raise ValidationFailed([*exc.problems, *problems]) from None
    return _saved(saved)


@router.get(
    "/workflows",
    summary="List workflows",
    response_model=WorkflowPage,
    responses=error_responses(401, 403, 422),
)
async def list_workflows(
    actor: CurrentActor,
    search: Annotated[str, Query(description="Part of the name")] = "",
    workflow_type: Annotated[str | None, Query()] = None,
    trigger_type: Annotated[str | None, Query()] = None,
    is_active: Annotated[bool | None, Query()] = None,
    sort: Annotated[
        str, Query(pattern=_SORT_PATTERN, description="A field; a leading `-` sorts descending")
    ] = "name",
    limit: Annotated[int, limit_query(500)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    flt = WorkflowFilter(
        search=search,
        workflow_type=workflow_type,
        trigger_type=trigger_type,
        is_active=is_active,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    items, total = await run_in_threadpool(workflows.list_workflows, actor, flt)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


# `:int` so that `/workflows/import` (app.api.routes.transfer) is not also this path.
@router.get(
    "/workflows/{workflow_id:int}",
    summary="One workflow",
    response_model=Workflow,
    responses=error_responses(*_ID_ERRORS),
)
async def get_workflow(workflow_id: WorkflowId, actor: CurrentActor) -> dict[str, Any]:
    return await run_in_threadpool(workflows.get_workflow, actor, workflow_id)


@router.put(
    "/workflows/{workflow_id:int}",
    summary="Change a workflow (omitted keys are kept)",
    response_model=SavedWorkflow,
    response_model_exclude_unset=True,
    responses=error_responses(*_BODY_ERRORS, 404, 409),
)
async def update_workflow(
    workflow_id: WorkflowId, body: WorkflowBody, actor: CurrentActor
) -> dict[str, Any]:
    saved = await run_in_threadpool(workflows.update_workflow, actor, workflow_id, body.as_data())
    return _saved(saved)


@router.delete(
    "/workflows/{workflow_id:int}",
    status_code=204,
    summary="Delete a workflow",
    response_class=Response,
    responses=error_responses(*_ID_ERRORS, 409),
)
async def delete_workflow(workflow_id: WorkflowId, actor: CurrentActor) -> Response:
    await run_in_threadpool(workflows.delete_workflow, actor, workflow_id)
    return Response(status_code=204)


@router.post(
    "/workflows/{workflow_id}/execute",
    status_code=202,
    summary="Run a workflow",
    description="Answers 202 with the new execution. With `wait=true`, waits up to `timeout` "
    "seconds and answers 200 with the finished execution (202 if it is still running).",
    response_model=Execution,
    responses={
        200: {"model": Execution, "description": "With `wait=true`: the finished execution"},
        **error_responses(*_BODY_ERRORS, 404, 409, 503),
    },
)
async def execute_workflow(
    workflow_id: WorkflowId,
    actor: CurrentActor,
    body: ExecuteBody | None = None,
    wait: Annotated[bool, Query(description="Wait for the run to finish")] = False,
    timeout_s: Annotated[float, Query(alias="timeout", gt=0, le=300)] = 30.0,
) -> JSONResponse:
    data = body.as_data() if body else {}
    given = next((k for k in _PAYLOAD_NAMES if data.get(k) is not None), "payload")
    payload = await run_in_threadpool(with_article_id, data.get(given), given)
    # Async on purpose: the engine lives on this event loop.
    execution = await executions.execute_workflow(
        actor,
        workflow_id,
        payload=payload,
        trigger_type=data.get("trigger_type") or "manual",
        wait_s=timeout_s if wait else None,
    )
    finished = ExecutionStatus(execution["status"]).is_terminal
    return JSONResponse(execution, status_code=200 if wait and finished else 202)


@router.post(
    "/workflows/{workflow_id}/pause",
    summary="Pause a workflow (no new runs)",
    response_model=Workflow,
    responses=error_responses(*_ID_ERRORS),
)
async def pause_workflow(workflow_id: WorkflowId, actor: CurrentActor) -> dict[str, Any]:
    return await run_in_threadpool(workflows.set_active, actor, workflow_id, False)


@router.post(
    "/workflows/{workflow_id}/resume",
    summary="Resume a paused workflow",
    response_model=Workflow,
    responses=error_responses(*_ID_ERRORS),
)
async def resume_workflow(workflow_id: WorkflowId, actor: CurrentActor) -> dict[str, Any]:
    return await run_in_threadpool(workflows.set_active, actor, workflow_id, True)


@router.post(
    "/workflows/{workflow_id}/duplicate",
    status_code=201,
    summary="Copy a workflow (paused)",
    response_model=SavedWorkflow,
    response_model_exclude_unset=True,
    responses=error_responses(*_ID_ERRORS, 409),
)
async def duplicate_workflow(workflow_id: WorkflowId, actor: CurrentActor) -> dict[str, Any]:
    saved = await run_in_threadpool(workflows.duplicate_workflow, actor, workflow_id)
    return _saved(saved)


@router.get(
    "/workflows/{workflow_id}/stats",
    summary="Counters and durations of a workflow",
    response_model=WorkflowStats,
    responses=error_responses(*_ID_ERRORS),
)
async def get_workflow_stats(workflow_id: WorkflowId, actor: CurrentActor) -> dict[str, Any]:
    return await run_in_threadpool(workflow_stats.workflow_stats, actor, workflow_id)


@router.get(
    "/stats",
    summary="Workflows and executions across the install",
    response_model=GlobalStats,
    responses=error_responses(401, 403),
)
async def get_global_stats(actor: CurrentActor) -> dict[str, Any]:
    return await run_in_threadpool(workflow_stats.global_stats, actor)
