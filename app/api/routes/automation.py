"""003's `/automation` API: a workflow built node by node, then run.

`POST /automation/workflows` makes an inactive draft with no steps (manual trigger); each node
is a step (`app.services.workflow_nodes`), each edge a dependency, and every change is a new
version of the workflow. Resume it (`POST /api/workflow-orchestration/workflows/{id}/resume`)
once it has a step, then run it here or there; executions are the same as everywhere.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from app.api.deps import current_actor
from app.api.errors import error_responses
from app.api.params import NO_NUL, TITLE_PATTERN, ExecutionId, WorkflowId
from app.api.routes import type_catalog
from app.api.routes.workflows import ExecuteBody, execute_workflow
from app.api.schemas.workflows import Execution, SavedWorkflow
from app.services import executions, workflow_nodes
from app.services.actor import Actor
from app.services.workflow_nodes import Change

router = APIRouter(prefix="/automation", tags=["automation"])
CurrentActor = Annotated[Actor, Depends(current_actor)]
_STEP_ID = r"^[a-z][a-z0-9_-]{0,62}$"
NodeId = Annotated[str, Path(pattern=_STEP_ID, max_length=63, description="The node's id")]
Coordinate = Annotated[float, Field(ge=-1_000_000, le=1_000_000, allow_inf_nan=False)]
_BODY_ERRORS = (400, 401, 403, 404, 413, 415, 422)


class DraftBody(BaseModel):
    """A new workflow: a draft with no steps yet; `category` is kept in the description."""

    model_config = ConfigDict(extra="ignore")
    name: str = Field(min_length=1, max_length=200, pattern=TITLE_PATTERN)
    description: str = Field("", max_length=5000, pattern=NO_NUL)
    category: str | None = Field(None, max_length=100, pattern=NO_NUL)


class NodeBody(BaseModel):
    """A step: `label` is its name, the position its place on the canvas, `config` its
    settings with `action_type` (003's names such as `send_slack`, or a Flowdeck step type)."""

    model_config = ConfigDict(extra="ignore")
    node_type: Literal["action", "condition", "trigger"] = "action"
    label: str = Field(min_length=1, max_length=200, pattern=r"\S")
    position_x: Coordinate = 0.0
    position_y: Coordinate = 0.0
    config: dict[str, Any] = Field(default_factory=dict)


class EdgeBody(BaseModel):
    """`target` runs after `source` (on its output `source_handle`, for a branch)."""

    model_config = ConfigDict(extra="ignore")
    source: str = Field(pattern=_STEP_ID, max_length=63)
    target: str = Field(pattern=_STEP_ID, max_length=63)
    source_handle: str | None = Field(None, max_length=63)


class NodeChange(BaseModel):
    """What a node or edge change did: its id, and the workflow's new version."""

    id: str
    workflow_id: int
    version: int
    notes: list[str] = []


def _change(change: Change) -> dict[str, Any]:
    workflow = change.workflow
    return {
        "id": change.node_id,
        "workflow_id": workflow["id"],
        "version": workflow["version"],
        "notes": change.notes,
    }


@router.post(
    "/workflows",
    status_code=201,
    summary="Create a draft workflow (no steps yet, inactive)",
    response_model=SavedWorkflow,
    response_model_exclude_unset=True,
    responses=error_responses(*_BODY_ERRORS),
)
async def create_workflow(body: DraftBody, actor: CurrentActor) -> dict[str, Any]:
    change = await run_in_threadpool(
        workflow_nodes.create_draft, actor, body.name, body.description, body.category
    )
    return {**change.workflow, "warnings": []}


@router.post(
    "/workflows/{workflow_id}/nodes",
    status_code=201,
    summary="Add a node (a step)",
    response_model=NodeChange,
    responses=error_responses(*_BODY_ERRORS, 409),
)
async def add_node(workflow_id: WorkflowId, body: NodeBody, actor: CurrentActor) -> dict:
    change = await run_in_threadpool(
        workflow_nodes.add_node,
        actor,
        workflow_id,
        body.node_type,
        body.label,
        body.position_x,
        body.position_y,
        body.config,
    )
    return _change(change)


@router.delete(
    "/workflows/{workflow_id}/nodes/{node_id}",
    summary="Remove a node and its edges",
    response_model=NodeChange,
    responses=error_responses(401, 403, 404, 409, 422),
)
async def delete_node(workflow_id: WorkflowId, node_id: NodeId, actor: CurrentActor) -> dict:
    change = await run_in_threadpool(workflow_nodes.delete_node, actor, workflow_id, node_id)
    return _change(change)


@router.post(
    "/workflows/{workflow_id}/edges",
    status_code=201,
    summary="Connect two nodes (a cycle is refused)",
    response_model=NodeChange,
    responses=error_responses(*_BODY_ERRORS, 409),
)
async def add_edge(workflow_id: WorkflowId, body: EdgeBody, actor: CurrentActor) -> dict:
    change = await run_in_threadpool(
        workflow_nodes.add_edge, actor, workflow_id, body.source, body.target, body.source_handle
    )
    return _change(change)


@router.post(
    "/workflows/{workflow_id}/execute",
    status_code=202,
    summary="Run a workflow (it needs a step and to be active)",
    response_model=Execution,
    responses={
        200: {"model": Execution, "description": "With `wait=true`: the finished execution"},
        **error_responses(*_BODY_ERRORS, 409, 503),
    },
)
async def execute(
    workflow_id: WorkflowId, actor: CurrentActor, body: ExecuteBody | None = None
) -> JSONResponse:
    await run_in_threadpool(workflow_nodes.require_steps, actor, workflow_id)
    return await execute_workflow(workflow_id, actor, body, wait=False, timeout_s=30.0)


@router.get(
    "/executions/{execution_id:int}",
    summary="One execution with its steps",
    response_model=Execution,
    responses=error_responses(401, 403, 404, 422),
)
async def get_execution(execution_id: ExecutionId, actor: CurrentActor) -> dict[str, Any]:
    return await run_in_threadpool(executions.get_execution, actor, execution_id)


# 003's utility lists: the same as /api/workflow-orchestration/trigger-types and action-types.
type_catalog.add_routes(router)
