"""A `for_each` step's items over REST, a page at a time (the execution detail lists 200)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from starlette.concurrency import run_in_threadpool

from app.api.deps import current_actor
from app.api.errors import error_responses
from app.api.params import ExecutionId, Offset, limit_query
from app.api.schemas.step_items import StepItemPage
from app.core.for_each import ItemStatus
from app.services import step_items
from app.services.actor import Actor

router = APIRouter(prefix="/workflow-orchestration", tags=["executions"])

CurrentActor = Annotated[Actor, Depends(current_actor)]


@router.get(
    "/executions/{execution_id}/steps/{action_id}/items",
    summary="The items of a for_each step, in order, with their outputs",
    response_model=StepItemPage,
    responses=error_responses(401, 403, 404, 422),
)
async def list_step_items(
    execution_id: ExecutionId,
    action_id: Annotated[str, Path(max_length=64, description="The step's id in the workflow")],
    actor: CurrentActor,
    status: Annotated[
        ItemStatus | None, Query(description="Only items of this status, e.g. failed")
    ] = None,
    offset: Offset = 0,
    limit: Annotated[int, limit_query(step_items.MAX_PAGE)] = 100,
) -> dict[str, Any]:
    return await run_in_threadpool(
        step_items.list_step_items,
        actor,
        execution_id,
        action_id,
        status=status or None,
        offset=offset,
        limit=limit,
    )
