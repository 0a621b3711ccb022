"""Workflow templates: the document, its variables, `[[name]]` placeholders, instantiating. Pure.

A template is a workflow body exactly as `POST /workflows` takes it, with placeholders where a
person fills something in, plus what the gallery shows (name, description, category, icon) and
the variables the form asks for. A JSON string that is exactly `"[[name]]"` becomes the typed
value (a list stays a list, a number a number); inside a longer string the value is written as
text (lists joined with ", "). Runtime Jinja (`{{ steps.x.output }}`) is never touched: it is
rendered when the workflow runs. The document is also the export/import file of a template.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from app.core.config_models import problems_from
from app.core.connection_refs import CONNECTION_FIELDS, connection_refs, refs_to_names
from app.core.errors import Problem, ValidationFailed
from app.core.template_values import (
    LIST_TYPES,
    VARIABLE_TYPES,
    ValueProblem,
    VariableType,
    coerce,
    is_blank,
)

__all__ = [
    "CATEGORIES",
    "CONNECTION_FIELDS",
    "MARKER",
    "VARIABLE_TYPES",
    "TemplateDocument",
    "Variable",
    "check_values",
    "fill",
    "sample_values",
    "connection_refs",
    "instantiate",
    "parse_template",
    "placeholders",
    "refs_to_names",
    "resolve_values",
    "slugify",
]
MARKER = "flowdeck_template"
FORMAT_VERSION = 1
CATEGORIES = (
    "content",
    "operations",
    "development",
    "sales",
    "support",
    "finance",
    "hr",
    "project",
)
ID_PATTERN = r"^[a-z][a-z0-9_]{2,63}$"
NAME_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
MAX_VARIABLES = 40
PLACEHOLDER = re.compile(r"\[\[([a-z][a-z0-9_]{0,39})\]\]")
#: A repeated group holding a repetition, as in `(a+)+` or `(\w*x)*`: exponential backtracking.
_NESTED_REPEAT = re.compile(r"\([^()]*[+*}][^()]*\)\s*[+*{]")
_Short = Annotated[str, StringConstraints(max_length=200)]


class Variable(BaseModel):
    """One thing a person fills in. `required` defaults to true unless a `default` is given."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME_PATTERN)
    label: str = Field(min_length=1, max_length=100)
    type: VariableType
    help: str = Field("", max_length=1000)
    required: bool | None = None
    default: Any = None
    options: list[_Short] | None = Field(None, min_length=1, max_length=100)
    platform: str | None = Field(None, pattern=r"^[a-z0-9_]{1,16}$")
    min: float | None = Field(None, allow_inf_nan=False)
    max: float | None = Field(None, allow_inf_nan=False)
    pattern: str | None = Field(None, min_length=1, max_length=200)
    placeholder: str | None = Field(None, max_length=200)

    @property
    def is_required(self) -> bool:
        return self.required if self.required is not None else self.default is None

    def check(self, value: Any) -> Any:
        """`value` typed for this variable, or `ValueProblem`."""
        return coerce(
            self.type,
            value,
            options=self.options,
            low=self.min,
            high=self.max,
            pattern=self.pattern,
        )

    @model_validator(mode="after")
    def _consistent(self) -> Variable:
        if self.type == "choice" and not self.options:
            raise ValueError("a choice variable needs options")
        if self.type != "choice" and self.options is not None:
            raise ValueError("only a choice variable has options")
        if self.type == "connection" and not self.platform:
            raise ValueError("a connection variable needs the platform it connects to")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"pattern is not a regular expression: {exc}") from None
            if _NESTED_REPEAT.search(self.pattern):
                message = "pattern repeats a group that repeats itself (it could take forever)"
                raise ValueError(message)
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is larger than max")
        if self.default is not None:
            try:
                self.check(self.default)
            except ValueProblem as exc:
                raise ValueError(f"default {exc}") from None
        return self


class TemplateDocument(BaseModel):
    """A workflow template, as stored, shown, exported and imported."""

    model_config = ConfigDict(extra="forbid")

    flowdeck_template: Literal[1]
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=2000)
    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    icon: str = Field("file-text", pattern=r"^[a-z0-9-]{1,40}$")
    variables: list[Variable] = Field(default_factory=list, max_length=MAX_VARIABLES)
    workflow: dict[str, Any]

    def variable(self, name: str) -> Variable | None:
        return next((v for v in self.variables if v.name == name), None)


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


def placeholders(workflow: Any) -> list[tuple[str, str]]:
    """Every `[[name]]` in the values of `workflow`: `(path, name)` in document order."""
    return [
        (path, name) for path, text in _strings(workflow, "") for name in PLACEHOLDER.findall(text)
    ]


def _own_problems(data: Mapping[str, Any]) -> list[Problem]:
    """Duplicate variable names, placeholders naming no variable, variables never used
    (read from the raw document, so they are listed along with the shape's problems)."""
    problems = []
    seen: dict[str, int] = {}
    variables = data.get("variables")
    for index, variable in enumerate(variables if isinstance(variables, list) else []):
        name = variable.get("name") if isinstance(variable, dict) else None
        if not isinstance(name, str):
            continue
        if name in seen:
            problems.append(Problem(f"variables[{index}].name", "used by another variable"))
        seen.setdefault(name, index)
    used = set()
    for path, name in placeholders(data.get("workflow")):
        used.add(name)
        if name not in seen:
            problems.append(Problem(f"workflow.{path}", f"[[{name}]] names no variable"))
    for name, index in seen.items():
        if name not in used:
            message = f"[[{name}]] is never used in the workflow"
            problems.append(Problem(f"variables[{index}]", message))
    return problems


def parse_template(data: Any) -> TemplateDocument:
    """The checked document, or `ValidationFailed` listing every problem with its path."""
    if not isinstance(data, Mapping):
        raise ValidationFailed([Problem("", "a template is a JSON object")])
    if MARKER not in data:
        message = f"required: {MARKER} (the format's version, {FORMAT_VERSION})"
        raise ValidationFailed([Problem(MARKER, message)])
    problems = _own_problems(data)
    try:
        doc = TemplateDocument.model_validate(dict(data))
    except ValidationError as exc:
        raise ValidationFailed([*problems_from(exc), *problems]) from None
    if problems:
        raise ValidationFailed(problems)
    return doc


def resolve_values(
    doc: TemplateDocument, values: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Problem]]:
    """Typed values for every variable (defaults filled in) and the problems, at
    `variables.<name>`."""
    typed: dict[str, Any] = {}
    problems = []
    for key in values:
        if doc.variable(str(key)) is None:
            message = "is not a variable of this template"
            problems.append(Problem(f"variables.{key}", message))
    for variable in doc.variables:
        value = values.get(variable.name)
        if is_blank(value):
            value = variable.default
        if is_blank(value):
            if variable.is_required:
                problems.append(Problem(f"variables.{variable.name}", "required"))
            typed[variable.name] = [] if variable.type in LIST_TYPES else None
            continue
        try:
            typed[variable.name] = variable.check(value)
        except ValueProblem as exc:
            problems.append(Problem(f"variables.{variable.name}", str(exc)))
    return typed, problems


def check_values(doc: TemplateDocument, values: Mapping[str, Any]) -> list[Problem]:
    """Every problem of the values a person gave, each at `variables.<name>`."""
    return resolve_values(doc, values)[1]


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(_as_text(v) for v in value)
    return str(value)


def _fill(value: Any, typed: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        whole = PLACEHOLDER.fullmatch(value)
        if whole:
            return typed[whole.group(1)]
        return PLACEHOLDER.sub(lambda m: _as_text(typed[m.group(1)]), value)
    if isinstance(value, dict):
        return {key: _fill(item, typed) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, typed) for item in value]
    return value


def instantiate(doc: TemplateDocument, values: Mapping[str, Any]) -> dict[str, Any]:
    """The workflow body with every placeholder filled; `ValidationFailed` (paths
    `variables.<name>`) when a value is missing or wrong."""
    typed, problems = resolve_values(doc, values)
    if problems:
        raise ValidationFailed(problems)
    return _fill(doc.workflow, typed)


def slugify(name: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A template id from a name (`"Weekly report!"` → `weekly_report`), `_2`, `_3`… added
    while it is in `taken`."""
    base = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:56]
    if not base or not base[0].isalpha():
        base = f"template_{base}".rstrip("_")
    base = (base + "___")[:3] if len(base) < 3 else base
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}_{number}", number + 1
    return slug


_SAMPLES: dict[str, Any] = {
    "string": "example",
    "text": "example",
    "integer": 1,
    "number": 1,
    "boolean": False,
    "email": "someone@example.com",
    "email_list": ["someone@example.com"],
    "url": "https://example.com",
    "cron": "0 9 * * 1",
    "string_list": ["example"],
    "connection": "connection",
}


def sample_values(doc: TemplateDocument) -> dict[str, Any]:
    """A value for every variable (its default, or a plausible one of its type), to check the
    workflow a template makes before anyone fills it in."""
    values: dict[str, Any] = {}
    for variable in doc.variables:
        if variable.default is not None:
            values[variable.name] = variable.check(variable.default)
        elif variable.type == "choice":
            values[variable.name] = (variable.options or [""])[0]
        elif variable.type in ("integer", "number") and variable.min is not None:
            values[variable.name] = (
                int(variable.min) if variable.type == "integer" else variable.min
            )
        else:
            values[variable.name] = _SAMPLES[variable.type]
    return values


def fill(doc: TemplateDocument, typed: Mapping[str, Any]) -> dict[str, Any]:
    """The workflow body with the placeholders replaced by already-typed values."""
    return _fill(doc.workflow, typed)
