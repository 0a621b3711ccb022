"""Config models of trigger and action types, registered by type name.

Each action type validates its own config with a pydantic model. Core registers the generic
ones (`delay`, `transform`, `api_call`); the engine registers domain actions (publish, share,
monitor, optimize, notify, git_commit, send_email) from its own modules with
`register_action_config`, so adding an action type never means editing core. Trigger types
are registered the same way (`register_trigger_config`): the five first ones here, the others
one module each in `app.core.trigger_configs` (imported at the end, so every importer of this
module knows every trigger type).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic.alias_generators import to_camel

from app.core.articles import STATUS_CHOICES, status_name
from app.core.cron import validate_cron, validate_timezone
from app.core.errors import Problem, ValidationFailed

#: camelCase or snake_case accepted, error paths and dumps use snake_case, typos are refused.
SPEC_CONFIG = ConfigDict(
    alias_generator=to_camel, populate_by_name=True, loc_by_alias=False, extra="forbid"
)


class SpecModel(BaseModel):
    """Base of definition models: camelCase or snake_case in, snake_case out, typos refused."""

    model_config = SPEC_CONFIG


class ActionConfig(SpecModel):
    """Base for action config models (subclass it so aliases and strictness match)."""


action_config_models: dict[str, type[BaseModel]] = {}


def register_action_config(name: str, model: type[BaseModel]) -> type[BaseModel]:
    """Register `model` as the config model of action type `name`; returns `model`.

    Registering a different model under a taken name is refused: two modules claiming one
    action type is a bug that would otherwise depend on import order.
    """
    existing = action_config_models.get(name)
    if existing is not None and existing is not model:
        raise ValueError(f"action type {name!r} already has config model {existing.__name__}")
    action_config_models[name] = model
    return model


def parse_action_config(action_type: str, config: Mapping[str, Any]) -> BaseModel:
    """The typed config of an action (after templates were rendered).

    Raises `ValidationFailed` with `config.*` paths if it is invalid, `KeyError` if the type
    has no registered model.
    """
    model = action_config_models[action_type]
    try:
        return model.model_validate(config)
    except ValidationError as exc:
        raise ValidationFailed(problems_from(exc, "config")) from exc


def normalize_action_config(action_type: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """`config` with camelCase keys renamed to the snake_case the API returns.

    Values are kept as written (they may hold templates); only known top-level keys of the
    type's config model are renamed, so `expectedStatus` is stored as `expected_status`.
    """
    model = action_config_models.get(action_type)
    if model is None:
        return dict(config)
    names: dict[str, str] = {}
    for name, info in model.model_fields.items():
        out = info.alias if name.endswith("_") and info.alias else name
        for key in {name, info.alias, to_camel(name)} - {None}:
            names[key] = out  # type: ignore[index]
    return {names.get(key, key): value for key, value in config.items()}


def path_of(loc: tuple[int | str, ...], prefix: str = "") -> str:
    """`("actions", 2, "config", "url")` -> `actions[2].config.url` (after `prefix`)."""
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            name = "json" if part == "json_" else part
            path = f"{path}.{name}" if path else name
    return path


def _message(error: Mapping[str, Any]) -> str:
    kind, text = error["type"], str(error["msg"])
    if kind == "missing" or (
        kind == "string_too_short" and (error.get("ctx") or {}).get("min_length") == 1
    ):
        return "required"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "value_error":
        text = text.removeprefix("Value error, ")
    return text[:1].lower() + text[1:]


def problem_from(error: Mapping[str, Any], prefix: str = "") -> Problem:
    """A `Problem` from one pydantic error dict: dotted path, short message."""
    return Problem(path_of(tuple(error["loc"]), prefix), _message(error))


def problems_from(error: ValidationError, prefix: str = "") -> list[Problem]:
    """One `Problem` per pydantic error, with a dotted path and a short message."""
    return [problem_from(e, prefix) for e in error.errors()]


class DelayConfig(ActionConfig):
    """Wait, up to a day."""

    seconds: float = Field(ge=0, le=86_400, allow_inf_nan=False)


class TransformConfig(ActionConfig):
    """Compute named values from the context (each value is usually a template)."""

    values: dict[str, Any]


class ApiCallConfig(ActionConfig):
    """One HTTP request. `url` is absolute, or a path on `connection`'s base URL.

    `json` and `body` are mutually exclusive; an empty `expected_status` accepts any 2xx.
    """

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] = "GET"
    connection: int | str | None = None
    url: str = Field(min_length=1)
    query: dict[str, Any] = Field(default_factory=dict)
    headers: dict[str, str] = Field(default_factory=dict)
    json_: Any = Field(None, alias="json")
    body: str | None = None
    timeout_s: float = Field(30.0, gt=0, le=3600)
    expected_status: list[int] = Field(default_factory=list)

    @field_validator("connection", mode="before")
    @classmethod
    def _connection_ref(cls, value: Any) -> Any:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | str)):
            raise ValueError("must be a connection id or name")
        return value

    @field_validator("url")
    @classmethod
    def _absolute_unless_connection(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("connection") is None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https:// (or set a connection)")
        return value

    @field_validator("expected_status")
    @classmethod
    def _status_codes(cls, value: list[int]) -> list[int]:
        if any(not 100 <= code <= 599 for code in value):
            raise ValueError("status codes must be between 100 and 599")
        return value

    @field_validator("body")
    @classmethod
    def _one_body(cls, value: str | None, info: ValidationInfo) -> str | None:
        # A field validator (not a model one) so this is reported alongside other problems.
        if value is not None and info.data.get("json_") is not None:
            raise ValueError("json and body are mutually exclusive")
        return value

    @model_serializer(mode="wrap")
    def _dump_json_key(self, handler: Any) -> dict[str, Any]:
        data = handler(self)
        if "json_" in data:
            data["json"] = data.pop("json_")
        return data


register_action_config("delay", DelayConfig)
register_action_config("transform", TransformConfig)
register_action_config("api_call", ApiCallConfig)


class ManualTriggerConfig(SpecModel):
    """Run by a person or an API call; nothing to configure."""


class ScheduleTriggerConfig(SpecModel):
    """A cron expression in a time zone, or a fixed interval in seconds.

    `misfire` decides what happens to fires missed while Flowdeck was down: `skip` them, or
    `run_once` to catch up with a single run.
    """

    cron: str | None = None
    timezone: str = "UTC"
    misfire: Literal["skip", "run_once"] = "skip"
    interval_seconds: int | None = Field(None, ge=1)

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str | None) -> str | None:
        if value is not None and (problem := validate_cron(value)):
            raise ValueError(problem)
        return value

    @field_validator("timezone")
    @classmethod
    def _valid_timezone(cls, value: str) -> str:
        if problem := validate_timezone(value):
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _one_schedule(self) -> ScheduleTriggerConfig:
        if (self.cron is None) == (self.interval_seconds is None):
            raise ValueError("set exactly one of cron or interval_seconds")
        return self


class WebhookTriggerConfig(SpecModel):
    """An inbound HTTP call, optionally signed the GitHub or the Flowdeck way."""

    signature: Literal["none", "github", "flowdeck"] = "none"
    secret: str | None = Field(None, repr=False)


class EventTriggerConfig(SpecModel):
    """An internal event such as `article.ready`; `filter` is a condition on its payload."""

    event: str = Field(min_length=1)
    filter: str | None = None


class PublishTriggerConfig(SpecModel):
    """An article reaching a status (default `ready`); the original's names (`READY_TO_PUBLISH`,
    any case) are accepted and stored as ours."""

    article_status: str = Field("ready", min_length=1)

    @field_validator("article_status")
    @classmethod
    def _ours(cls, value: str) -> str:
        status = status_name(value.strip())
        if status is None:
            raise ValueError(f"must be one of {STATUS_CHOICES}")
        return status.value


trigger_config_models: dict[str, type[BaseModel]] = {
    "manual": ManualTriggerConfig,
    "schedule": ScheduleTriggerConfig,
    "webhook": WebhookTriggerConfig,
    "event": EventTriggerConfig,
    "publish": PublishTriggerConfig,
}
#: Trigger type names fit `workflow.trigger_type` / `execution.trigger_type` (16 characters).
MAX_TRIGGER_NAME = 16


def register_trigger_config(name: str, model: type[BaseModel]) -> type[BaseModel]:
    """Register `model` as the config model of trigger type `name`; returns `model`."""
    if len(name) > MAX_TRIGGER_NAME:
        raise ValueError(f"trigger type {name!r} is longer than {MAX_TRIGGER_NAME} characters")
    existing = trigger_config_models.get(name)
    if existing is not None and existing is not model:
        raise ValueError(f"trigger type {name!r} already has config model {existing.__name__}")
    trigger_config_models[name] = model
    return model


def parse_trigger_config(trigger_type: str, config: Mapping[str, Any]) -> BaseModel:
    """The typed config of a trigger; `ValidationFailed` with `config.*` paths if invalid."""
    try:
        return trigger_config_models[trigger_type].model_validate(config)
    except ValidationError as exc:
        raise ValidationFailed(problems_from(exc, "config")) from exc


from app.core import trigger_configs  # noqa: E402,F401  (registers the other trigger types)
