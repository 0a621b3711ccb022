"""Config models of the communication steps (`sms_send`, `ticket_create`). Pure."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator

from app.core.config_models import ActionConfig
from app.core.tickets import MAX_BODY, MAX_LABELS, MAX_TITLE

E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def _connection_ref(value: Any) -> Any:
    """A connection's id or name (`app.core.connection_refs` maps these on export/import)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("must be a connection's id or name")
    if isinstance(value, str) and not value.strip():
        raise ValueError("must be a connection's id or name")
    return value


ConnectionRef = Annotated[int | str, BeforeValidator(_connection_ref)]


def _templated(text: str) -> bool:
    return "{{" in text or "{%" in text


class SmsConfig(ActionConfig):
    """One SMS through a Twilio connection (`sender` defaults to the connection's number)."""

    connection: ConnectionRef
    to: str = Field(min_length=1, max_length=200, description="E.164: +4915123456789")
    body: str = Field(min_length=1, max_length=1600)
    sender: str | None = Field(None, max_length=20, description="E.164; empty: the connection's")

    @field_validator("to", "sender")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        if value is not None and not _templated(value) and not E164.match(value.strip()):
            raise ValueError("must be a phone number in E.164 form: + and 7–15 digits")
        return value.strip() if value is not None else None


class TicketConfig(ActionConfig):
    """A ticket in GitHub Issues, Jira Cloud or Linear, by the connection's platform.

    `project`: GitHub `owner/repo`, a Jira project key or a Linear team id; left out, the
    connection's own (`repo`, `project_key`, `team_id`).
    """

    connection: ConnectionRef
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    body: str = Field("", max_length=MAX_BODY)
    labels: list[str] = Field(default_factory=list, max_length=MAX_LABELS)
    project: str | None = Field(None, min_length=1, max_length=200)
    issue_type: str | None = Field(None, min_length=1, max_length=60, description="Jira only")

    @field_validator("labels", mode="before")
    @classmethod
    def _labels(cls, value: Any) -> Any:
        if isinstance(value, str):  # the form's comma list
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @field_validator("labels")
    @classmethod
    def _label_length(cls, value: list[str]) -> list[str]:
        if any(not 0 < len(v) <= 100 for v in value):
            raise ValueError("each label has 1–100 characters")
        return value


def _inputs(value: dict[str, Any]) -> dict[str, Any]:
    if len(value) > 25:
        raise ValueError("at most 25 inputs")
    for key, item in value.items():
        if not 0 < len(key) <= 100 or not isinstance(item, str | int | float | bool):
            raise ValueError(f"input {key!r}: a name of 1–100 characters with a text or number")
        if len(str(item)) > 10_000:
            raise ValueError(f"input {key!r}: at most 10000 characters")
    return value


class _Dispatch(ActionConfig):
    """Where a deployment or CI run starts: a GitHub, GitLab or HTTP (deploy hook) connection."""

    connection: ConnectionRef
    workflow: str | None = Field(
        None, min_length=1, max_length=200, description="GitHub: the workflow file or id"
    )
    inputs: dict[str, Any] = Field(
        default_factory=dict, description="workflow inputs / pipeline variables / hook fields"
    )
    environment: str | None = Field(None, min_length=1, max_length=100)
    path: str = Field("", max_length=2000, description="deploy hook: the path on its base URL")

    @field_validator("inputs")
    @classmethod
    def _bounded(cls, value: dict[str, Any]) -> dict[str, Any]:
        return _inputs(value)


GitRef = Field(min_length=1, max_length=250, pattern=r"^[^\s~^:?*\[\\]+$")


class DeployConfig(_Dispatch):
    """Deploy `ref` (a branch, tag or commit)."""

    ref: str = GitRef


class RollbackConfig(_Dispatch):
    """Deploy the previous ref again."""

    previous_ref: str = GitRef


class CiRunConfig(_Dispatch):
    """Start CI on `ref` and wait for its result (polling, at most `timeout_s`)."""

    ref: str = GitRef
    timeout_s: float = Field(1800, ge=10, le=3600)
    poll_s: float = Field(15, ge=0.2, le=300)


class BackupConfig(ActionConfig):
    """Back up a database connection to a file under the data dir, keeping the newest `keep`."""

    connection: ConnectionRef
    keep: int = Field(7, ge=1, le=100)
    timeout_s: float = Field(600, ge=1, le=3600)


class SshCommandConfig(ActionConfig):
    """One command on a host of an `ssh` connection; output captured up to `max_output`."""

    connection: ConnectionRef
    command: str = Field(min_length=1, max_length=10_000)
    timeout_s: float = Field(60, ge=1, le=3600)
    max_output: int = Field(65_536, ge=1024, le=1_048_576, description="bytes kept per stream")
    check: bool = Field(True, description="a non-zero exit status fails the step")


SERVICE_NAME = r"^[A-Za-z0-9][A-Za-z0-9@._:-]{0,199}$"


class ServiceRestartConfig(ActionConfig):
    """Restart a service over SSH (`systemctl restart`, or `service … restart`) or with an
    HTTP call through an `http` connection."""

    connection: ConnectionRef
    service: str = Field(pattern=SERVICE_NAME, description="the unit's name (never a command)")
    manager: Literal["systemctl", "service"] = "systemctl"
    sudo: bool = Field(False, description="prefix sudo -n (no password prompt)")
    path: str = Field("", max_length=2000, description="HTTP: the path on the connection")
    timeout_s: float = Field(60, ge=1, le=600)
