"""Workflow export and import over REST (Flowdeck exports and n8n workflow exports).

`GET …/workflows/{id}/export` answers the definition as a download; `POST …/workflows/import`
takes a Flowdeck export or an n8n export (told apart by their keys), validated like a create,
and answers 201 with the new workflow and the import report, or with `dry_run=true` 200 with the
would-be definition and the report, saving nothing. The body cap of the whole API applies.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from app.api.deps import current_actor
from app.api.errors import error_responses
from app.api.params import WorkflowId
from app.api.schemas.transfer import (
    ImportDryRun,
    ImportedBundle,
    ImportedWorkflow,
    WorkflowExport,
)
from app.services import workflow_transfer
from app.services.actor import Actor

router = APIRouter(prefix="/workflow-orchestration", tags=["workflows"])
CurrentActor = Annotated[Actor, Depends(current_actor)]

_N8N_EXAMPLE = {
    "name": "From n8n",
    "nodes": [
        {
            "id": "1",
            "name": "Start",
            "type": "n8n-nodes-base.manualTrigger",
            "typeVersion": 1,
            "position": [0, 0],
            "parameters": {},
        },
        {
            "id": "2",
            "name": "Fetch",
            "type": "n8n-nodes-base.httpRequest",
            "typeVersion": 4.2,
            "position": [220, 0],
            "parameters": {"url": "https://example.com/api"},
        },
    ],
    "connections": {"Start": {"main": [[{"node": "Fetch", "type": "main", "index": 0}]]}},
}


def _filename(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:80] or "workflow"
    return f"{slug}.flowdeck.json"


@router.get(
    "/workflows/{workflow_id}/export",
    summary="Export a workflow as JSON (no secrets)",
    response_model=WorkflowExport,
    responses=error_responses(401, 403, 404, 422),
)
async def export_workflow(workflow_id: WorkflowId, actor: CurrentActor) -> JSONResponse:
    document = await run_in_threadpool(workflow_transfer.export_workflow, actor, workflow_id)
    disposition = f'attachment; filename="{_filename(document["name"])}"'
    return JSONResponse(document, headers={"Content-Disposition": disposition})


@router.post(
    "/workflows/import",
    status_code=201,
    summary="Import a Flowdeck export or an n8n workflow export",
    description="Validated like a create: every problem with its path, nothing saved if any. "
    "With `dry_run=true`: 200 with the definition it would create and the report.",
    response_model=ImportedWorkflow,
    responses={
        200: {"model": ImportDryRun, "description": "With `dry_run=true`: nothing saved"},
        **error_responses(400, 401, 403, 413, 415, 422),
    },
)
async def import_workflow(
    actor: CurrentActor,
    document: Annotated[
        dict[str, Any],
        Body(
            description="A Flowdeck export (`flowdeck_export`) or an n8n workflow (`nodes`, "
            "`connections`)",
            examples=[_N8N_EXAMPLE],
        ),
    ],
    dry_run: Annotated[bool, Query(description="Report only; save nothing")] = False,
) -> JSONResponse:
    answer = await run_in_threadpool(
        workflow_transfer.import_workflow, actor, document, dry_run=dry_run
    )
    return JSONResponse(answer, status_code=200 if dry_run else 201)


@router.post(
    "/workflows/import-bundle",
    status_code=201,
    summary="Import a bundle of workflow exports (as the bulk export writes it)",
    description="Every document checked first: any problem (paths `workflows[i]…`) and nothing "
    "is created. With `dry_run=true`: 200, nothing saved.",
    response_model=ImportedBundle,
    responses={
        200: {"model": ImportedBundle, "description": "With `dry_run=true`: nothing saved"},
        **error_responses(400, 401, 403, 413, 415, 422),
    },
)
async def import_bundle(
    actor: CurrentActor,
    bundle: Annotated[
        dict[str, Any],
        Body(description="`{flowdeck_export_bundle: 1, workflows: [<export>, …]}`"),
    ],
    dry_run: Annotated[bool, Query(description="Check only; save nothing")] = False,
) -> JSONResponse:
    answer = await run_in_threadpool(
        workflow_transfer.import_bundle, actor, bundle, dry_run=dry_run
    )
    return JSONResponse(answer, status_code=200 if dry_run else 201)
