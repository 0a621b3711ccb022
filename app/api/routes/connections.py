"""Integration connections over REST: create, list, read, change, delete, verify.

Paths are those of the original design document (`/api/workflow-orchestration/connections`).
Bodies accept camelCase and snake_case and are checked by the service, per platform, with
every problem reported at once. Secrets go in and never come out: responses carry
`secret_hint` (`••••1234`) only.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import ConfigDict, Field, SkipValidation
from starlette.concurrency import run_in_threadpool

from app.api.bodies import CamelBody
from app.api.deps import current_actor
from app.api.errors import error_responses
from app.api.params import ConnectionId
from app.api.schemas.ops import Connection, ConnectionList, VerifiedConnection
from app.integrations.platform_fields import PLATFORM_ALIASES
from app.integrations.platforms import PLATFORMS
from app.services import connections
from app.services.actor import Actor

router = APIRouter(prefix="/workflow-orchestration", tags=["connections"])

CurrentActor = Annotated[Actor, Depends(current_actor)]
#: Every connection platform (social platforms and metric sources included); `twitter` is `x`.
Platform = Literal[(*PLATFORMS, *PLATFORM_ALIASES)]  # type: ignore[valid-type]

_EXAMPLES = [
    {
        "name": "Team Slack",
        "platform": "slack",
        "connectionType": "webhook",
        "webhookUrl": "https://hooks.slack.com/services/T000/B000/XXXXXXXX",
    },
    {
        "name": "Announcer bot",
        "platform": "telegram",
        "connectionType": "api_key",
        "credentials": {"botToken": "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"},
        "config": {"defaultChatId": "-1001234567890"},
    },
    {
        "name": "Mail",
        "platform": "smtp",
        "connectionType": "smtp",
        "credentials": {"username": "bot@example.com", "password": "app-password"},
        "config": {"host": "smtp.example.com", "port": 587, "security": "starttls",
                   "fromAddress": "bot@example.com"},
    },
]  # fmt: skip


class ConnectionBody(CamelBody):
    """A connection; on PUT omitted keys keep their value (omit `credentials` to keep them)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": _EXAMPLES},
    )

    name: SkipValidation[str | None] = Field(None, max_length=200)
    platform: SkipValidation[Platform | None] = None
    connection_type: SkipValidation[
        Literal["api_key", "oauth", "webhook", "basic", "smtp"] | None
    ] = None
    credentials: SkipValidation[dict[str, Any] | None] = Field(
        None, description="Secret fields (token, password, …): stored encrypted, never returned"
    )
    webhook_url: SkipValidation[str | None] = Field(
        None,
        description="Slack / n8n / Zapier / Discord / Teams webhook URL (a secret: stored "
        "encrypted)",
    )
    config: SkipValidation[dict[str, Any] | None] = Field(
        None, description="Non-secret settings: api_base, base_url, test_path, host, port, …"
    )


@router.post(
    "/connections",
    status_code=201,
    summary="Create a connection",
    response_model=Connection,
    responses=error_responses(400, 401, 403, 413, 415, 422, 409),
)
async def create_connection(body: ConnectionBody, actor: CurrentActor) -> dict[str, Any]:
    return await run_in_threadpool(connections.create_connection, actor, body.as_data())


@router.get(
    "/connections",
    summary="List connections (secrets masked)",
    response_model=ConnectionList,
    responses=error_responses(401, 403, 422),
)
async def list_connections(
    actor: CurrentActor,
    platform: Annotated[Platform | None, Query()] = None,
    status: Annotated[Literal["unverified", "verified", "failed"] | None, Query()] = None,
) -> dict[str, Any]:
    items = await run_in_threadpool(
        connections.list_connections, actor, platform=platform, status=status
    )
    return {"items": items, "total": len(items)}


@router.get(
    "/connections/{connection_id}",
    summary="One connection (secrets masked)",
    response_model=Connection,
    responses=error_responses(401, 403, 404, 422),
)
async def get_connection(connection_id: ConnectionId, actor: CurrentActor) -> dict[str, Any]:
    return await run_in_threadpool(connections.get_connection, actor, connection_id)


@router.put(
    "/connections/{connection_id}",
    summary="Change a connection (omitted keys kept)",
    response_model=Connection,
    responses=error_responses(400, 401, 403, 413, 415, 422, 404, 409),
)
async def update_connection(
    connection_id: ConnectionId, body: ConnectionBody, actor: CurrentActor
) -> dict[str, Any]:
    return await run_in_threadpool(
        connections.update_connection, actor, connection_id, body.as_data()
    )


@router.delete(
    "/connections/{connection_id}",
    status_code=204,
    summary="Delete a connection",
    response_class=Response,
    responses=error_responses(401, 403, 404, 409, 422),
)
async def delete_connection(connection_id: ConnectionId, actor: CurrentActor) -> Response:
    await run_in_threadpool(connections.delete_connection, actor, connection_id)
    return Response(status_code=204)


@router.post(
    "/connections/{connection_id}/verify",
    summary="Verify a connection with a real request to its platform",
    description="Answers 200 with the connection (status `verified` or `failed`, "
    "`verify_error`) and `verification`: `{ok, message, status_code, elapsed_ms}`.",
    response_model=VerifiedConnection,
    responses=error_responses(401, 403, 404, 409, 422),
)
async def verify_connection(connection_id: ConnectionId, actor: CurrentActor) -> dict[str, Any]:
    return await connections.verify_connection(actor, connection_id)
