"""Alerts over REST: create, list, read, change, delete, send a test, list deliveries.

Paths are those of the original design document (`/api/workflow-orchestration/alerts`). Bodies
accept camelCase and snake_case; the original `createAlert` example works as is (`createdBy`
is accepted and ignored: the creator is the API key's user). The service checks the body and
reports every problem at once. The events ticked are the events sent; `severity` labels them
and the optional `minSeverity` filters them. A Slack or webhook URL and a signing secret go in
and never come out: `channel` holds a hint. A signing secret Flowdeck generates is returned once, as
`signing_secret`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import ConfigDict, Field, SkipValidation
from starlette.concurrency import run_in_threadpool

from app.api.bodies import CamelBody
from app.api.deps import current_actor
from app.api.errors import error_responses
from app.api.params import AlertId, BodyId, Offset, limit_query, optional_id_query
from app.api.schemas.ops import Alert, AlertList, DeliveryPage, SavedAlert, TestDelivery
from app.services import alerts
from app.services.actor import Actor

router = APIRouter(prefix="/workflow-orchestration", tags=["alerts"])

CurrentActor = Annotated[Actor, Depends(current_actor)]
AlertType = Literal["slack", "telegram", "email", "webhook", "in_app"]
Event = Literal["workflow_start", "workflow_complete", "workflow_fail", "step_fail"]
Severity = Literal["info", "warning", "error", "critical"]

_EXAMPLES = [
    {
        "workflowId": 1,
        "alertType": "slack",
        "channel": "https://hooks.slack.com/services/T000/B000/XXXXXXXX",
        "events": ["workflow_complete", "workflow_fail"],
        "severity": "error",
        "createdBy": "admin-user-id",
    },
    {"workflowId": None, "alertType": "telegram", "channel": "-1001234567890", "connectionId": 2,
     "events": ["workflow_fail", "step_fail"], "severity": "warning",
     "config": {"parseMode": "HTML"}},
    {"alertType": "webhook", "channel": "https://example.com/flowdeck-alerts",
     "events": ["workflow_fail"], "severity": "error"},
]  # fmt: skip


class AlertBody(CamelBody):
    """An alert; on PUT omitted keys keep their value (and omitted secrets are kept)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": _EXAMPLES},
    )

    name: SkipValidation[str | None] = Field(None, max_length=200)
    workflow_id: SkipValidation[BodyId | None] = Field(None, description="null: every workflow")
    alert_type: SkipValidation[AlertType | None] = None
    channel: SkipValidation[str | None] = Field(
        None,
        description="Slack / webhook URL (a secret: stored encrypted), Telegram chat id, "
        "email addresses; empty for in_app",
    )
    connection_id: SkipValidation[BodyId | None] = Field(
        None,
        description="Telegram and email: the connection holding the bot token / SMTP login",
    )
    events: SkipValidation[list[Event] | None] = None
    severity: SkipValidation[Severity | None] = Field(
        None,
        description="The label of what this alert sends (colour, emoji, subject prefix): "
        "its messages show at least this severity. Every ticked event is sent whatever its "
        "severity",
    )
    min_severity: SkipValidation[Severity | None] = Field(
        None,
        description="Optional: hold back events below it (workflow_fail is error, step_fail "
        "warning, workflow_start and workflow_complete info); a ticked event it would always "
        "hold back is refused",
    )
    config: SkipValidation[dict[str, Any] | None] = Field(
        None,
        description="telegram: parse_mode, disable_notification; email: subject (template); "
        "webhook: secret; in_app: recipients (user ids)",
    )
    is_active: SkipValidation[bool | None] = None


class AlertCreate(AlertBody):
    """A new alert: `alertType` and `events` are required, `channel` for most types."""

    model_config = ConfigDict(
        json_schema_extra={"examples": _EXAMPLES, "required": ["alertType", "events"]}
    )

    # Defaults so that a missing key reaches the service, which names every problem at once.
    alert_type: SkipValidation[AlertType] = None
    events: SkipValidation[list[Event]] = None


@router.post(
    "/alerts",
    status_code=201,
    summary="Create an alert",
    response_model=SavedAlert,
    response_model_exclude_unset=True,
    responses=error_responses(400, 401, 403, 413, 415, 422, 409),
)
async def create_alert(body: AlertCreate, actor: CurrentActor) -> dict[str, Any]:
    return await run_in_threadpool(alerts.create_alert, actor, body.as_data())


@router.get(
    "/alerts",
    summary="List alerts (secrets masked)",
    response_model=AlertList,
    responses=error_responses(401, 403, 422),
)
async def list_alerts(
    actor: CurrentActor,
    workflow_id: Annotated[
        int | None, optional_id_query("Alerts of this workflow and those for all")
    ] = None,
    alert_type: Annotated[AlertType | None, Query()] = None,
    is_active: Annotated[bool | None, Query()] = None,
) -> dict[str, Any]:
    items = await run_in_threadpool(
        alerts.list_alerts,
        actor,
        workflow_id=workflow_id,
        alert_type=alert_type,
        is_active=is_active,
    )
    return {"items": items, "total": len(items)}


@router.get(
    "/alerts/{alert_id}",
    summary="One alert (secrets masked)",
    response_model=Alert,
    responses=error_responses(401, 403, 404, 422),
)
async def get_alert(alert_id: AlertId, actor: CurrentActor) -> dict[str, Any]:
    return await run_in_threadpool(alerts.get_alert, actor, alert_id)


@router.put(
    "/alerts/{alert_id}",
    summary="Change an alert (omitted keys are kept)",
    response_model=SavedAlert,
    response_model_exclude_unset=True,
    responses=error_responses(400, 401, 403, 413, 415, 422, 404, 409),
)
async def update_alert(alert_id: AlertId, body: AlertBody, actor: CurrentActor) -> dict[str, Any]:
    return await run_in_threadpool(alerts.update_alert, actor, alert_id, body.as_data())


@router.delete(
    "/alerts/{alert_id}",
    status_code=204,
    summary="Delete an alert",
    response_class=Response,
    responses=error_responses(401, 403, 404, 422),
)
async def delete_alert(alert_id: AlertId, actor: CurrentActor) -> Response:
    await run_in_threadpool(alerts.delete_alert, actor, alert_id)
    return Response(status_code=204)


@router.post(
    "/alerts/{alert_id}/test",
    summary="Send a test message now",
    description="One attempt, no retries; answers 200 with `ok` and the recorded delivery "
    "(`status`, `response_code`, `latency_ms`, `error`), whether or not it was delivered.",
    response_model=TestDelivery,
    responses=error_responses(401, 403, 404, 409, 422),
)
async def send_test(alert_id: AlertId, actor: CurrentActor) -> dict[str, Any]:
    return await alerts.send_test(actor, alert_id)  # async: HTTP on this event loop


@router.get(
    "/alerts/{alert_id}/deliveries",
    summary="Deliveries of an alert, newest first",
    response_model=DeliveryPage,
    responses=error_responses(401, 403, 404, 422),
)
async def list_deliveries(
    alert_id: AlertId,
    actor: CurrentActor,
    status: Annotated[Literal["pending", "delivered", "failed"] | None, Query()] = None,
    limit: Annotated[int, limit_query(500)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    return await run_in_threadpool(
        alerts.list_deliveries, actor, alert_id, status=status, limit=limit, offset=offset
    )
