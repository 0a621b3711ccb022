"""Incidents: one incident (with its timeline), a page of them."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from app.api.schemas import Out, Time


class TimelineEntry(Out):
    at: str
    kind: str = Field(description="open, update, assign, escalate, acknowledge, resolve, "
                      "reopen, note or mirror")  # fmt: skip
    by: str = Field(description="The person, API key or workflow run that did it")
    text: str
    changes: dict[str, Any] = Field(default_factory=dict, description="field: [before, after]")


class MirrorState(Out):
    connection_id: int
    name: str
    platform: str = Field(description="pagerduty or opsgenie")
    ok: bool | None = None
    step: str | None = Field(None, description="What was last sent: open, escalate, …")
    status: int | None = None
    error: str | None = None


class IncidentSummary(Out):
    id: int
    title: str
    description: str
    severity: str = Field(description="low, medium, high or critical")
    status: str = Field(description="open, acknowledged or resolved")
    assignee: str | None
    dedup_key: str | None
    mirrors: list[MirrorState]
    workflow_id: int | None
    execution_id: int | None
    created_by: int | None
    created_at: Time
    updated_at: Time
    acknowledged_at: Time
    resolved_at: Time
    url: str = Field(description="Its page in the admin app")


class Incident(IncidentSummary):
    timeline: list[TimelineEntry]


class IncidentChanged(Incident):
    """An incident after a change: what it announced and what each mirror did."""

    created: bool | None = Field(None, description="On create: false when it existed")
    changed: bool | None = None
    events: list[str] = Field(default_factory=list)
    mirrored: list[MirrorState] = Field(default_factory=list)


class IncidentPage(Out):
    items: list[IncidentSummary]
    total: int
    limit: int
    offset: int
