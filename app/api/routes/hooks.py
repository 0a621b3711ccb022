"""POST /api/hooks/{hook_id}: the inbound webhook trigger (no API key: the hook id is one), and
POST /api/hooks/resume/{token}: the call a `wait {webhook: true}` step waits for.

The raw body is read here because a signature covers the exact bytes; `BodySizeLimit` has
already refused (413) a body over `webhook_max_body_bytes` before it was read in full. The
checks, the payload shape and the dedupe rules live in `app.services.hooks`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from app.api.deps import client_ip
from app.api.errors import ErrorEnvelope, error_responses
from app.api.schemas.control import WaitResumed
from app.api.schemas.ops import DeployDelivery, WebhookDelivery
from app.services import deploy_hooks, hooks, resume_hooks

router = APIRouter(tags=["webhooks"])
ResumeToken = Annotated[str, Path(max_length=512, description="The token of the resume URL")]
HookId = Annotated[str, Path(max_length=64, description="The hook id of the workflow's URL")]


@router.post(
    "/hooks/deploy/{hook_id}",
    status_code=202,
    summary="Start a workflow on a deployment event (GitHub or a signed deploy hook)",
    response_model=DeployDelivery,
    responses={
        200: {
            "model": DeployDelivery,
            "description": "Received, no new run: `ignored` says why (ping, a filtered event or "
            "branch), or `duplicate` names the run of an earlier delivery",
        },
        **error_responses(413, 422, 503),
        401: {"model": ErrorEnvelope, "description": "Missing or invalid signature"},
        404: {"model": ErrorEnvelope, "description": "No active deployment hook here"},
    },
)
async def receive_deploy(hook_id: HookId, request: Request) -> JSONResponse:
    """202 `{"execution_id", "duplicate": false}` when a run started."""
    body = await request.body()
    answer = await run_in_threadpool(
        lambda: deploy_hooks.receive_deploy(
            hook_id, body=body, headers=request.headers, ip=client_ip(request)
        )
    )
    if answer.ignored is not None:
        return JSONResponse({"ignored": answer.ignored, "duplicate": False}, status_code=200)
    content = {"execution_id": answer.execution_id, "duplicate": not answer.created}
    return JSONResponse(content, status_code=202 if answer.created else 200)


@router.post(
    "/hooks/{hook_id}",
    status_code=202,
    summary="Start a workflow by webhook",
    response_model=WebhookDelivery,
    responses={
        200: {
            "model": WebhookDelivery,
            "description": "A replayed delivery: the first execution's id and status, and "
            "`retry_execution_id` when that execution failed or was interrupted and was retried",
        },
        **error_responses(413, 422, 503),
        401: {"model": ErrorEnvelope, "description": "Missing or invalid signature"},
        404: {"model": ErrorEnvelope, "description": "No active webhook at this address"},
    },
)
async def receive_webhook(hook_id: str, request: Request) -> JSONResponse:
    """202 `{"execution_id", "status": "queued", "duplicate": false}` for a new delivery."""
    body = await request.body()
    # Checking the signature and writing the delivery block: a thread, never the event loop
    # (the engine accepts a submit from any thread and starts the run on its own loop).
    delivery = await run_in_threadpool(
        lambda: hooks.receive_webhook(
            hook_id, body=body, headers=request.headers, ip=client_ip(request)
        )
    )
    content = {
        "execution_id": delivery.execution_id,
        "status": delivery.status,
        "duplicate": not delivery.created,
    }
    if delivery.retry_execution_id is not None:
        content["retry_execution_id"] = delivery.retry_execution_id
    return JSONResponse(content, status_code=202 if delivery.created else 200)


@router.post(
    "/hooks/resume/{token}",
    summary="Resume a step waiting for a webhook call",
    description="The token comes from the execution's detail (`waits[].resume_url`); it is "
    "the credential, no API key is needed. The JSON body becomes the waiting step's output "
    "(an empty body is null) and the run goes on.",
    response_model=WaitResumed,
    responses={
        **error_responses(413, 422),
        404: {"model": ErrorEnvelope, "description": "No webhook wait at this address"},
        409: {"model": ErrorEnvelope, "description": "Already resumed, timed out or cancelled"},
    },
)
async def resume_wait(token: ResumeToken, request: Request) -> dict[str, object]:
    body = await request.body()
    # Reading and resolving the wait block: a thread, never the event loop.
    done = await run_in_threadpool(resume_hooks.resume_by_token, token, body)
    return {
        "execution_id": done.execution_id,
        "wait_id": done.wait_id,
        "action_id": done.action_id,
        "status": "resumed",
    }
