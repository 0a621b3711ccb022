"""Original 002's endpoint list (`/api/workflows/...`), served as written.

Each line runs the Flowdeck endpoint that does the same (see `same_as`): workflows, their runs
and versions live under `/api/workflow-orchestration`, health at `/api/health`. Two are thin
pieces over the services: a workflow's executions (the execution list filtered by it) and
`rollback/{ver}` (the version in the path; the reason, which Flowdeck records with every
rollback, optional in the body). `templates`, `templates/built-in`, `from-template` and
`bulk/execute` are in app.api.routes.templates and app.api.routes.bulk.

Ids are `:int` in the paths, so `/api/workflows/templates` and `/api/workflows/statistics` are
never taken for a workflow id.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import Field, SkipValidation
from starlette.concurrency import run_in_threadpool

from app.api.bodies import CamelBody
from app.api.deps import current_actor
from app.api.errors import error_responses
from app.api.params import VersionNumber, WorkflowId, limit_query
from app.api.routes import executions, health, versions, workflows
from app.api.routes.same_as import ORIGINAL_TAG, same_as
from app.api.schemas.workflows import ExecutionPage, RolledBack
from app.services import executions as execution_service
from app.services import workflow_history
from app.services import workflows as workflow_service
from app.services.actor import Actor
from app.services.executions import ExecutionFilter

router = APIRouter(prefix="/workflows", tags=[ORIGINAL_TAG])
CurrentActor = Annotated[Actor, Depends(current_actor)]
_ID = "/{workflow_id:int}"

same_as(router, "/", workflows.list_workflows, workflows.router)
same_as(router, "/", workflows.create_workflow, workflows.router)
same_as(router, "/statistics", workflows.get_global_stats, workflows.router)
same_as(router, "/health", health.get_health, health.router)
same_as(router, "/executions/{execution_id:int}", executions.get_execution, executions.router)
same_as(
    router, "/executions/{execution_id:int}/control", executions.control_execution,
    executions.router,
)  # fmt: skip
same_as(router, _ID, workflows.get_workflow, workflows.router)
same_as(router, _ID, workflows.update_workflow, workflows.router)
same_as(router, _ID, workflows.delete_workflow, workflows.router)
same_as(router, f"{_ID}/execute", workflows.execute_workflow, workflows.router)
same_as(router, f"{_ID}/duplicate", workflows.duplicate_workflow, workflows.router)
same_as(router, f"{_ID}/versions", versions.workflow_versions, versions.router)
same_as(router, f"{_ID}/versions", versions.create_workflow_version, versions.router)


@router.get(
    f"{_ID}/executions",
    summary="A workflow's executions, newest first",
    description="The execution list filtered by this workflow (404 if it does not exist).",
    response_model=ExecutionPage,
    responses=error_responses(400, 401, 403, 404, 422),
)
async def workflow_executions(
    workflow_id: WorkflowId,
    actor: CurrentActor,
    status: Annotated[str | None, Query(max_length=20, description="e.g. failed")] = None,
    limit: Annotated[int, limit_query(200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    flt = ExecutionFilter(workflow_id=workflow_id, status=status or None, limit=limit,
                          cursor=cursor or None)  # fmt: skip

    def listed() -> dict[str, Any]:
        workflow_service.get_workflow(actor, workflow_id)  # 404 for no such workflow
        return execution_service.list_executions(actor, flt)

    return await run_in_threadpool(listed)


class RollbackReason(CamelBody):
    reason: SkipValidation[str | None] = Field(
        None, max_length=workflow_history.MAX_REASON, description="Why roll back (recorded)"
    )


@router.post(
    f"{_ID}/rollback/{{version_number}}",
    summary="Roll a workflow back to a version",
    description="Makes the version current again as a new version. 002 sends no body: the "
    "reason recorded is then that it came through this path. 404 for an unknown version, "
    "409 when the workflow already matches it.",
    response_model=RolledBack,
    responses=error_responses(400, 401, 403, 404, 409, 413, 415, 422),
)
async def rollback_to(
    workflow_id: WorkflowId,
    version_number: VersionNumber,
    actor: CurrentActor,
    body: RollbackReason | None = None,
) -> dict[str, Any]:
    given = body.reason if body and isinstance(body.reason, str) else ""
    reason = given.strip() or f"POST /api/workflows/{workflow_id}/rollback/{version_number}"
    return await run_in_threadpool(
        workflow_history.rollback, actor, workflow_id, version_number, reason
    )
