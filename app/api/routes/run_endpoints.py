"""POST /api/run/{slug}: the `api_endpoint` trigger (API key; see `app.services.api_endpoints`).

The raw body is read here (JSON or not, the service decides); `BodySizeLimit` has already
refused a body over the API's limit with 413.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse

from app.api.deps import current_actor
from app.api.errors import ErrorEnvelope, error_responses
from app.api.schemas.run_endpoints import EndpointPending, EndpointResult
from app.core.trigger_configs import SLUG_PATTERN
from app.services import api_endpoints
from app.services.actor import Actor

router = APIRouter(tags=["workflows"])
Slug = Annotated[str, Path(max_length=63, pattern=SLUG_PATTERN, description="The endpoint slug")]


@router.post(
    "/run/{slug}",
    summary="Run a workflow through its API endpoint and answer with its step outputs",
    response_model=EndpointResult,
    responses={
        202: {"model": EndpointPending, "description": "Still running after the timeout"},
        502: {"model": ErrorEnvelope, "description": "The run failed (`execution_failed`)"},
        404: {"model": ErrorEnvelope, "description": "No active endpoint with this slug"},
        **error_responses(400, 401, 403, 413, 422, 503),
    },
)
async def run_endpoint(
    slug: Slug, request: Request, who: Annotated[Actor, Depends(current_actor)]
) -> Any:
    body = await request.body()
    answer = await api_endpoints.call_endpoint(who, slug, body)
    return JSONResponse(answer.content, status_code=answer.status_code)
