"""POST /api/hooks/{hook_id}: the inbound webhook trigger (no API key: the hook id is one).

The raw body is read here because a signature covers the exact bytes; `BodySizeLimit` has
already refused (413) a body over `webhook_max_body_bytes` before it was read in full. The
checks, the payload shape and the dedupe rules live in `app.services.hooks`.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from app.api.deps import client_ip
from app.api.errors import ErrorEnvelope, error_responses
from app.api.schemas.ops import WebhookDelivery
from app.services import hooks

router = APIRouter(tags=["webhooks"])


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
