"""Incidents over REST: list, read, open, change.

`/api/workflow-orchestration/incidents…` with an API key of an admin or member. A change is
a PATCH with the fields to set and, optionally, `action` (`assign`, `escalate`,
`acknowledge`, `resolve`, `reopen`, `note`; default `update`). Opening and changing announce
the internal events (`incident.opened`, `incident.escalated`, `incident.resolved`) and
mirror to the incident's PagerDuty / Opsgenie connections; the answer says what each did.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import ConfigDict, Field, SkipValidation
from starlette.concurrency import run_in_threadpool

from app.api.bodies import CamelBody
from app.api.deps import current_actor
from app.api.errors import error_responses
from app.api.params import Offset, id_path, limit_query
from app.api.schemas.incidents import Incident, IncidentChanged, IncidentPage
from app.core.incidents import MAX_ASSIGNEE, MAX_DESCRIPTION, MAX_MIRRORS, MAX_NOTE, MAX_TITLE
from app.services import incidents
from app.services.actor import Actor

router = APIRouter(prefix="/workflow-orchestration", tags=["incidents"])

CurrentActor = Annotated[Actor, Depends(current_actor)]
IncidentId = Annotated[int, id_path("incident")]
SeverityName = Literal["low", "medium", "high", "critical"]
StatusName = Literal["open", "acknowledged", "resolved"]


class IncidentCreate(CamelBody):
    """A new incident: `title` is required (a default here lets the service name every
    problem at once)."""

    model_config = ConfigDict(
        json_schema_extra={
            "required": ["title"],
            "examples": [{"title": "Checkout answers 500", "severity": "high", "assignee": "ana"}],
        }
    )

    title: SkipValidation[str] = Field(None, max_length=MAX_TITLE, pattern=r"\S")
    description: SkipValidation[str | None] = Field(None, max_length=MAX_DESCRIPTION)
    severity: SkipValidation[SeverityName | None] = None
    assignee: SkipValidation[str | None] = Field(None, max_length=MAX_ASSIGNEE)
    mirror: SkipValidation[list[int | str] | None] = Field(
        None, max_length=MAX_MIRRORS, description="PagerDuty / Opsgenie connections (id or name)"
    )


class IncidentPatch(CamelBody):
    action: SkipValidation[
        Literal["update", "assign", "escalate", "acknowledge", "resolve", "reopen", "note"] | None
    ] = None
    title: SkipValidation[str | None] = Field(None, max_length=MAX_TITLE, pattern=r"\S")
    description: SkipValidation[str | None] = Field(None, max_length=MAX_DESCRIPTION)
    severity: SkipValidation[SeverityName | None] = None
    status: SkipValidation[StatusName | None] = None
    assignee: SkipValidation[str | None] = Field(None, max_length=MAX_ASSIGNEE)
    note: SkipValidation[str | None] = Field(None, max_length=MAX_NOTE)


_CHANGE_FIELDS = ("title", "description", "severity", "status", "assignee", "note")


@router.get(
    "/incidents",
    summary="List incidents, newest first",
    response_model=IncidentPage,
    responses=error_responses(401, 403, 422),
)
async def list_incidents(
    actor: CurrentActor,
    status: Annotated[
        Literal["active", "open", "acknowledged", "resolved"] | None,
        Query(description="active: open or acknowledged"),
    ] = None,
    severity: Annotated[SeverityName | None, Query()] = None,
    limit: Annotated[int, limit_query(200)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: incidents.list_incidents(
            actor, status=status, severity=severity, limit=limit, offset=offset
        )
    )


@router.get(
    "/incidents/{incident_id}",
    summary="One incident with its timeline",
    response_model=Incident,
    responses=error_responses(401, 403, 404, 422),
)
async def get_incident(incident_id: IncidentId, actor: CurrentActor) -> dict[str, Any]:
    return await run_in_threadpool(incidents.get_incident, actor, incident_id)


@router.post(
    "/incidents",
    status_code=201,
    summary="Open an incident",
    response_model=IncidentChanged,
    responses=error_responses(400, 401, 403, 404, 413, 415, 422),
)
async def create_incident(body: IncidentCreate, actor: CurrentActor) -> dict[str, Any]:
    data = body.as_data()
    return await incidents.create_incident(
        actor,
        title=data.get("title"),
        description=data.get("description") or "",
        severity=data.get("severity") or "high",
        assignee=data.get("assignee"),
        mirror=data.get("mirror") or [],
    )


@router.patch(
    "/incidents/{incident_id}",
    summary="Change an incident (fields, or an action such as escalate or resolve)",
    response_model=IncidentChanged,
    responses=error_responses(400, 401, 403, 404, 409, 413, 415, 422),
)
async def change_incident(
    incident_id: IncidentId, body: IncidentPatch, actor: CurrentActor
) -> dict[str, Any]:
    data = body.as_data()
    fields = {k: data.get(k) for k in _CHANGE_FIELDS}
    return await incidents.change_incident(
        actor, incident_id, kind=data.get("action") or "update", **fields
    )
