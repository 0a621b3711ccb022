"""Config models of the trigger types past the first five, one section each, registered by name.

Pure, like every config model: what can only be checked against the machine (a watched
directory under `FLOWDECK_WATCH_ROOTS`, an endpoint slug no other workflow has) is checked by the
service that saves the workflow.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator

from app.core.config_models import SpecModel, register_trigger_config

#: `POST /api/run/<slug>`: lowercase letters, digits and dashes, starting with a letter or digit.
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"


class ApiEndpointTriggerConfig(SpecModel):
    """An authenticated endpoint `POST /api/run/<slug>` (API key) that runs the workflow with the
    request body as the payload and answers with its step outputs; a run still going after
    `timeout_s` is answered 202 with its execution id."""

    slug: str = Field(
        pattern=SLUG_PATTERN,
        description="the last part of POST /api/run/<slug>: a-z, 0-9 and -, unique",
    )
    timeout_s: float = Field(
        30.0, ge=1, le=300, description="how long the call waits for the run to end"
    )


register_trigger_config("api_endpoint", ApiEndpointTriggerConfig)


class AlertTriggerConfig(SpecModel):
    """Runs when one of Flowdeck's alerts fires (an error workflow): the payload is the alert,
    the execution it is about and the error. A run that a failure started never starts itself
    again through its own failure (see `app.core.trigger_chains`)."""

    alert_id: int | None = Field(
        None, ge=1, description="the alert (Admin → Alerts) to follow; empty: any alert"
    )


register_trigger_config("alert", AlertTriggerConfig)


class FileWatchTriggerConfig(SpecModel):
    """Runs when a file in a directory (under FLOWDECK_WATCH_ROOTS) is created, modified or
    deleted; the payload is the file's path, name, size and the event."""

    path: str = Field(
        min_length=1, max_length=1024, description="an absolute directory path to watch"
    )
    patterns: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = Field(
        default_factory=lambda: ["*"],
        min_length=1,
        max_length=20,
        description="file name patterns (shell-style: *.csv); a file matching one counts",
    )
    events: list[Literal["created", "modified", "deleted"]] = Field(
        default_factory=lambda: ["created", "modified", "deleted"],
        min_length=1,
        max_length=3,
        description="which changes start a run",
    )
    debounce_ms: int = Field(
        500, ge=50, le=60_000, description="changes within this time make one batch"
    )

    @field_validator("path")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must be an absolute path (starting with /)")
        return value

    @field_validator("events")
    @classmethod
    def _once_each(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


register_trigger_config("file_watch", FileWatchTriggerConfig)


class DeploymentTriggerConfig(SpecModel):
    """Runs on deployment events: GitHub's deployment, deployment_status, release and
    workflow_run webhooks (X-Hub-Signature-256 checked), or a generic deploy hook signed the
    Flowdeck way; with event and branch filters."""

    source: Literal["github", "generic"] = Field(
        "github", description="github: GitHub's webhooks; generic: any tool, Flowdeck-signed"
    )
    events: list[Literal["deployment", "deployment_status", "release", "workflow_run"]] = Field(
        default_factory=lambda: ["deployment", "deployment_status", "release", "workflow_run"],
        min_length=1,
        max_length=4,
        description="the GitHub events that start a run (github only)",
    )
    branches: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = Field(
        default_factory=list,
        max_length=20,
        description="branch patterns (shell-style: main, release/*); empty: any branch",
    )
    secret: str | None = Field(
        None,
        min_length=8,
        max_length=500,
        repr=False,
        description="the signing secret (write-only; generated and shown once when left out)",
    )

    @field_validator("events")
    @classmethod
    def _once_each(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


register_trigger_config("deployment", DeploymentTriggerConfig)


class IncidentTriggerConfig(SpecModel):
    """Runs when an incident is opened, escalated or resolved; the payload is the event and the
    incident. A workflow is not started by incidents its own runs opened or changed."""

    events: list[Literal["opened", "escalated", "resolved"]] = Field(
        default_factory=lambda: ["opened", "escalated", "resolved"],
        min_length=1,
        max_length=3,
        description="which incident events start a run",
    )
    filter: str | None = Field(
        None,
        max_length=2000,
        description="a condition on `incident` (and `event`), e.g. incident.severity == 'critical'",
    )

    @field_validator("events")
    @classmethod
    def _once_each(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


register_trigger_config("incident", IncidentTriggerConfig)


from app.core import email_trigger  # noqa: E402,F401  (registers the email trigger)
