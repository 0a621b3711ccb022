"""Config models of the incident steps (`incident_create`, `_update`, `_assign`,
`_escalate`, `_resolve`). Pure.

`incident` names the incident: its id, or the `dedup_key` it was opened with (a workflow
can open `db-down` in one run and resolve `db-down` in another); left out, the trigger's
`incident_id` (the Incident trigger's payload carries it). Templates are rendered before
these models check the values.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from app.core.config_models import ActionConfig
from app.core.incidents import (
    MAX_ASSIGNEE,
    MAX_DESCRIPTION,
    MAX_KEY,
    MAX_MIRRORS,
    MAX_NOTE,
    MAX_TITLE,
)
from app.core.ops_configs import ConnectionRef

SeverityName = Literal["low", "medium", "high", "critical"]
IncidentRef = int | str


def _ref(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("must be an incident's id or dedup key")
    if isinstance(value, str) and (not value.strip() or len(value) > MAX_KEY):
        raise ValueError(f"must be an incident's id or dedup key (1–{MAX_KEY} characters)")
    return value


class _OnIncident(ActionConfig):
    incident: IncidentRef | None = Field(
        None, description="id or dedup key; empty: the trigger's incident_id"
    )
    note: str | None = Field(None, max_length=MAX_NOTE, description="added to the timeline")

    @field_validator("incident", mode="before")
    @classmethod
    def _incident(cls, value: Any) -> Any:
        return _ref(value)


class IncidentCreateConfig(ActionConfig):
    """Open an incident (one per `dedup_key`: a retry or a second run finds the first)."""

    title: str = Field(min_length=1, max_length=MAX_TITLE)
    description: str = Field("", max_length=MAX_DESCRIPTION)
    severity: SeverityName = "high"
    assignee: str | None = Field(None, max_length=MAX_ASSIGNEE)
    dedup_key: str | None = Field(
        None,
        max_length=MAX_KEY,
        description="an open incident with this key is reused; empty: one per run and step",
    )
    mirror: list[ConnectionRef] = Field(
        default_factory=list,
        max_length=MAX_MIRRORS,
        description="PagerDuty / Opsgenie connections (ids or names) that get a copy",
    )

    @field_validator("mirror", mode="before")
    @classmethod
    def _mirror_list(cls, value: Any) -> Any:
        """A text lists connections separated by commas (the form's field)."""
        if isinstance(value, str):
            return [_plain_ref(v) for v in value.split(",") if v.strip()]
        return value


def _plain_ref(text: str) -> int | str:
    text = text.strip()
    return int(text) if text.isdigit() else text


class IncidentUpdateConfig(_OnIncident):
    """Change an incident's fields or status, or only add a note."""

    title: str | None = Field(None, min_length=1, max_length=MAX_TITLE)
    description: str | None = Field(None, max_length=MAX_DESCRIPTION)
    severity: SeverityName | None = None
    status: Literal["open", "acknowledged", "resolved"] | None = None
    assignee: str | None = Field(None, max_length=MAX_ASSIGNEE)

    @model_validator(mode="after")
    def _something(self) -> IncidentUpdateConfig:
        asked = (self.title, self.description, self.severity, self.status, self.assignee)
        if all(v is None for v in asked) and not self.note:
            raise ValueError("give at least one of title, description, severity, status, "
                             "assignee or note")  # fmt: skip
        return self


class IncidentAssignConfig(_OnIncident):
    """Assign an incident to a person (a name or an email; empty text unassigns)."""

    assignee: str = Field(max_length=MAX_ASSIGNEE)


class IncidentEscalateConfig(_OnIncident):
    """Raise the severity (one level, or to `severity`), optionally reassigning."""

    severity: SeverityName | None = None
    assignee: str | None = Field(None, max_length=MAX_ASSIGNEE)


class IncidentResolveConfig(_OnIncident):
    """Resolve an incident; `note` says how."""
