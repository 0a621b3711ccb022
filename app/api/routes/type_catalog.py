"""`GET /api/workflow-orchestration/trigger-types` and `…/action-types` (003's
`/automation/trigger-types` and `/automation/action-types` serve the same lists)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from app.api.deps import current_actor
from app.api.errors import error_responses
from app.api.schemas.type_catalog import StepTypeList, TriggerTypeList
from app.services import type_catalog
from app.services.actor import Actor

router = APIRouter(prefix="/workflow-orchestration", tags=["workflows"])
CurrentActor = Annotated[Actor, Depends(current_actor)]


async def trigger_types(who: CurrentActor) -> list[dict[str, Any]]:
    return await run_in_threadpool(type_catalog.trigger_types, who)


async def action_types(who: CurrentActor) -> list[dict[str, Any]]:
    return await run_in_threadpool(type_catalog.step_types, who)


def add_routes(target: APIRouter) -> None:
    """The two lists on `target` (this router, and 003's `/automation`)."""
    target.add_api_route(
        "/trigger-types",
        trigger_types,
        methods=["GET"],
        summary="Every trigger type, with its description and config fields",
        response_model=TriggerTypeList,
        responses=error_responses(401),
        name=f"{target.prefix.strip('/')}_trigger_types",
    )
    target.add_api_route(
        "/action-types",
        action_types,
        methods=["GET"],
        summary="Every step (action) type, with its description and config fields",
        response_model=StepTypeList,
        responses=error_responses(401),
        name=f"{target.prefix.strip('/')}_action_types",
    )


add_routes(router)
