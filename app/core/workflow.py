"""The workflow definition: trigger, ordered actions, and validation that reports every problem.

Definitions arrive from forms, the REST API and imports, in snake_case or camelCase. A person
fixing one should see every problem at once, each next to its field, so `validate_workflow`
collects them all with paths such as `actions[2].config.url` and raises one `ValidationFailed`.
Action config values may hold templates, which only get a type once rendered: a type error on a
templated value is left for the engine, which validates again after rendering
(`parse_action_config`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic.alias_generators import to_camel

from app.core.config_models import (
    ActionConfig,
    SpecModel,
    action_config_models,
    parse_action_config,
    parse_trigger_config,
    problem_from,
    problems_from,
    register_action_config,
    trigger_config_models,
)
from app.core.errors import Problem, ValidationFailed
from app.core.for_each import NOT_PER_ITEM
from app.core.graph import MAX_STEPS, TriggerRule, validate_graph
from app.core.planner import DEFAULT_MAX_PARALLEL
from app.core.retry import RetryPolicy
from app.core.templates import check_condition, check_template

__all__ = [  # the config models live in config_models; re-exported for one import point
    "ActionConfig",
    "ActionSpec",
    "TriggerSpec",
    "WorkflowSpec",
    "action_config_models",
    "parse_action_config",
    "parse_trigger_config",
    "problems_from",
    "register_action_config",
    "trigger_config_models",
    "validate_workflow",
]
_ID_PATTERN = "^[a-z][a-z0-9_-]{0,62}$"


class TriggerSpec(SpecModel):
    """What starts a workflow. `config` is checked against the model registered for `type`."""

    type: str
    config: dict[str, Any] = Field(default_factory=dict)

    @field_validator("type")
    @classmethod
    def _registered(cls, value: str) -> str:
        if value not in trigger_config_models:
            raise ValueError(f"must be one of {', '.join(trigger_config_models)}")
        return value


class StepPosition(SpecModel):
    """Where the designer canvas draws a step: a hint only, never read by the engine."""

    x: float = Field(ge=-1_000_000, le=1_000_000, allow_inf_nan=False)
    y: float = Field(ge=-1_000_000, le=1_000_000, allow_inf_nan=False)


class ActionSpec(SpecModel):
    """One step. `config` is validated against the model registered for `type`.

    `name` defaults to `id`. A blank `condition` means "always run". `depends_on` omitted
    (None) means "after the previous step" (see `app.core.graph`); it and `trigger_rule` are
    left out of the dump while they hold their defaults, so a workflow saved before graphs
    existed dumps exactly as it did (no phantom change in its version history).
    """

    id: str
    name: str = Field("", max_length=200)
    type: str = Field(min_length=1)
    config: dict[str, Any] = Field(default_factory=dict)
    condition: str | None = None
    retry: RetryPolicy | None = None
    timeout_s: float | None = Field(None, gt=0, le=3600)
    continue_on_error: bool = False
    depends_on: list[str] | None = None
    trigger_rule: TriggerRule = TriggerRule.ALL_SUCCEEDED
    #: The canvas position (`app.core.canvas`); left out of the dump when absent.
    ui: StepPosition | None = None

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not re.fullmatch(_ID_PATTERN, value):
            raise ValueError(
                "must start with a lowercase letter and contain only a-z, 0-9, - and _"
                " (at most 63 characters)"
            )
        return value

    @field_validator("condition")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value if value and value.strip() else None

    @model_validator(mode="after")
    def _default_name(self) -> ActionSpec:
        self.name = self.name.strip() or self.id
        return self

    @model_serializer(mode="wrap")
    def _drop_graph_defaults(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = handler(self)
        if self.depends_on is None:
            data.pop("depends_on", None)
            data.pop("dependsOn", None)
        if self.trigger_rule == TriggerRule.ALL_SUCCEEDED:
            data.pop("trigger_rule", None)
            data.pop("triggerRule", None)
        if self.ui is None:
            data.pop("ui", None)
        return data


class WorkflowSpec(SpecModel):
    """A whole workflow definition, as versioned and executed."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    description: str = ""
    workflow_type: Literal["n8n", "zapier", "custom", "git", "api"] = "custom"
    priority: Literal["low", "normal", "high"] = "normal"
    concurrency_limit: int = Field(1, ge=1, le=100)
    is_active: bool = True
    #: How many steps of one execution may run at the same time.
    max_parallel: int = Field(DEFAULT_MAX_PARALLEL, ge=1, le=64)
    trigger: TriggerSpec
    #: Empty only in an inactive draft (see `validate_workflow`): steps are added one by one.
    actions: list[ActionSpec] = Field(max_length=MAX_STEPS)


def _has_template(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def _raw_at(data: Any, loc: tuple[int | str, ...]) -> Any:
    """The raw input value a pydantic error location points at (by field name or alias)."""
    for part in loc:
        if isinstance(data, Mapping):
            keys = (part, to_camel(part), part.rstrip("_")) if isinstance(part, str) else (part,)
            data = next((data[key] for key in keys if key in data), None)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def _parse(model: type[BaseModel], config: Any, prefix: str, lenient: bool) -> list[Problem]:
    """Problems in `config`; with `lenient`, type errors on templated values are skipped."""
    try:
        model.model_validate(config)
    except ValidationError as exc:
        errors = [
            e for e in exc.errors() if not (lenient and _has_template(_raw_at(config, e["loc"])))
        ]
        return [problem_from(e, prefix) for e in errors]
    return []


def _template_problems(value: Any, path: str) -> list[Problem]:
    if isinstance(value, str):
        problem = check_template(value)
        return [Problem(path, problem)] if problem else []
    if isinstance(value, Mapping):
        items = [(f"{path}.{key}", item) for key, item in value.items()]
    elif isinstance(value, list):
        items = [(f"{path}[{index}]", item) for index, item in enumerate(value)]
    else:
        return []
    return [problem for sub, item in items for problem in _template_problems(item, sub)]


def _trigger_problems(trigger: Mapping[str, Any]) -> list[Problem]:
    model = trigger_config_models.get(str(trigger.get("type")))
    config = trigger.get("config", {})
    if model is None or not isinstance(config, Mapping):
        return []  # the spec model already reports a bad type or config
    problems = _parse(model, config, "trigger.config", lenient=False)
    filtered = trigger.get("type") in ("event", "incident")
    event_filter = config.get("filter") if filtered else None
    if isinstance(event_filter, str) and (problem := check_condition(event_filter)):
        problems.append(Problem("trigger.config.filter", problem))
    return problems


def _action_problems(actions: list[Any], allowed: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, action in enumerate(actions):
        if not isinstance(action, Mapping):
            continue
        at = f"actions[{index}]"
        action_id, action_type = action.get("id"), action.get("type")
        if isinstance(action_id, str) and action_id in seen:
            problems.append(Problem(f"{at}.id", f'duplicate id "{action_id}"'))
        if isinstance(action_id, str):
            seen.add(action_id)
        if isinstance(action_type, str) and action_type and action_type not in allowed:
            problems.append(Problem(f"{at}.type", f'unknown action type "{action_type}"'))
        config = action.get("config", {})
        known = isinstance(action_type, str) and action_type in allowed  # a list is unhashable
        model = action_config_models.get(action_type) if known else None
        if model is not None and isinstance(config, Mapping):
            problems.extend(_parse(model, config, f"{at}.config", lenient=True))
        problems.extend(_template_problems(_templated_part(model, config), f"{at}.config"))
        if action_type == "for_each" and isinstance(config, Mapping):
            problems.extend(_inner_step_problems(config.get("step"), f"{at}.config.step", allowed))
        condition = action.get("condition")
        if (
            isinstance(condition, str)
            and condition.strip()
            and (problem := check_condition(condition))
        ):
            problems.append(Problem(f"{at}.condition", problem))
    return problems


def _templated_part(model: type[BaseModel] | None, config: Any) -> Any:
    """`config` without the keys its model keeps as written (`VERBATIM`: a script's code)."""
    if not isinstance(config, Mapping):
        return config
    verbatim = getattr(model, "VERBATIM", ())
    part = {k: v for k, v in config.items() if k not in verbatim}
    inner = part.get("step")  # a for_each's inner step: its own verbatim keys too
    if isinstance(inner, Mapping) and isinstance(inner.get("config"), Mapping):
        inner_model = action_config_models.get(str(inner.get("type")))
        part["step"] = {**inner, "config": _templated_part(inner_model, inner["config"])}
    return part


def _inner_step_problems(step: Any, at: str, allowed: set[str]) -> list[Problem]:
    """A `for_each`'s inner step, checked like a step: known type, its own config, condition.

    Its fields (type refused per item, retry, timeout) are checked by `ForEachConfig`, and its
    templates with the rest of the outer config (`actions[2].config.step.config.url`).
    """
    if not isinstance(step, Mapping):
        return []
    kind, config = step.get("type"), step.get("config", {})
    if not isinstance(kind, str) or not kind or kind in NOT_PER_ITEM:
        return []
    if kind not in allowed:
        return [Problem(f"{at}.type", f'unknown action type "{kind}"')]
    problems = []
    model = action_config_models.get(kind)
    if model is not None and isinstance(config, Mapping):
        problems.extend(_parse(model, config, f"{at}.config", lenient=True))
    condition = step.get("condition")
    if isinstance(condition, str) and condition.strip() and (problem := check_condition(condition)):
        problems.append(Problem(f"{at}.condition", problem))
    return problems


EMPTY_ACTIVE = (
    "should have at least 1 item: add a step first (only an inactive draft may have no steps)"
)


def _empty_problems(data: Mapping[str, Any], actions: list[Any]) -> list[Problem]:
    """No steps is a draft: allowed while inactive, refused for an active workflow."""
    active = data.get("is_active", data.get("isActive", True))
    return [Problem("actions", EMPTY_ACTIVE)] if not actions and active is not False else []


def _graph_problems(actions: list[Any], found: list[Problem]) -> list[Problem]:
    """The graph's problems (`app.core.graph_checks`) at paths nothing above reported yet.

    A `depends_on` that is not a list, or a misspelled `trigger_rule`, is already named by the
    spec model; saying it twice in other words would only clutter the form.
    """
    taken = {problem.path for problem in found}
    return [problem for problem in validate_graph(actions) if problem.path not in taken]


def validate_workflow(data: Any, known_action_types: set[str] | None = None) -> WorkflowSpec:
    """Parse a workflow definition, or raise `ValidationFailed` listing every problem.

    `known_action_types` is the engine's registry (default: types with a registered config
    model). The trigger config in the result is normalised (snake_case, defaults filled);
    action configs are kept as written, since they may hold templates.
    """
    if not isinstance(data, Mapping):
        raise ValidationFailed([Problem("", "a workflow must be an object")])
    allowed = set(action_config_models if known_action_types is None else known_action_types)
    problems: list[Problem] = []
    spec: WorkflowSpec | None = None
    try:
        spec = WorkflowSpec.model_validate(data)
    except ValidationError as exc:
        problems.extend(problems_from(exc))
    if isinstance(trigger := data.get("trigger"), Mapping):
        problems.extend(_trigger_problems(trigger))
    if isinstance(actions := data.get("actions"), list):
        problems.extend(_empty_problems(data, actions))
        problems.extend(_action_problems(actions, allowed))
        problems.extend(_graph_problems(actions, problems))
    problems = list(dict.fromkeys(problems))
    if problems or spec is None:
        raise ValidationFailed(problems)
    config = parse_trigger_config(spec.trigger.type, spec.trigger.config).model_dump()
    trigger_spec = spec.trigger.model_copy(update={"config": config})
    return spec.model_copy(update={"trigger": trigger_spec})
