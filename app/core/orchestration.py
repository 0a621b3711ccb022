"""An API orchestration: a named set of outbound calls with dependencies, run as one unit.

Definitions arrive from the form, the REST API (snake_case or the original document's
camelCase) and versions; `validate_orchestration` reports every problem at once with its path
(`calls[2].url`), like a workflow's. The calls form the same kind of graph as a workflow's
steps (`app.core.graph`), so cycles, unknown ids and ordering reuse its checks and the
workflow planner decides what runs next (`call_graph`, `parallel_limit`). What each mode means:

- `sequential`: in listed order, one at a time; a call follows the previous one unless it names
  earlier calls in `depends_on`. A failed call skips the rest (unless `continue_on_error`).
- `parallel`: every call whose dependencies are met runs at once (up to `max_parallel`); a call
  without `depends_on` starts at the beginning.
- `conditional`: like `parallel`, and a call whose `condition` is false is skipped with its
  dependents (`condition_skips_dependents`), each with the reason.
- `pipeline`: like `sequential`, and each call's templates see `prev`, the call just before.

Templates (url, query, headers, body) and conditions see `inputs`, `calls.<id>.<name>` (values
extracted by earlier calls), `calls.<id>.response`, `prev`, `env` and `now`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, ValidationError, field_validator

from app.core.config_models import SpecModel, problems_from
from app.core.errors import Problem, ValidationFailed
from app.core.graph import Graph, build_graph, validate_graph
from app.core.retry import NO_RETRY, RetryPolicy
from app.core.templates import check_condition, check_template

Mode = Literal["sequential", "parallel", "conditional", "pipeline"]
MODES: tuple[str, ...] = ("sequential", "parallel", "conditional", "pipeline")
Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]
MAX_CALLS = 100
MAX_PARALLEL = 32
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,62}$")
#: `data.items[0].id`: names joined by dots, each optionally followed by [index]es.
_PATH = re.compile(r"^[^.\[\]]+(\[\d{1,6}\])*(\.[^.\[\]]+(\[\d{1,6}\])*)*$")
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


class CallSpec(SpecModel):
    """One outbound request of an orchestration. `url` is absolute, or a path on `connection`."""

    id: str
    name: str = Field("", max_length=200)
    method: Method = "GET"
    url: str = Field(min_length=1, max_length=4000)
    query: dict[str, Any] = Field(default_factory=dict)
    headers: dict[str, str] = Field(default_factory=dict)
    body: Any = None
    connection: int | str | None = None
    depends_on: list[str] | None = None
    condition: str | None = None
    timeout_s: float = Field(30.0, gt=0, le=3600)
    retry: RetryPolicy | None = None
    extract: dict[str, str] = Field(default_factory=dict, max_length=50)
    expected_status: list[int] = Field(default_factory=list, max_length=50)
    continue_on_error: bool = False

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.fullmatch(value):
            raise ValueError(
                "must start with a letter and contain only letters, digits, - and _"
                " (at most 63 characters)"
            )
        return value

    @field_validator("connection", mode="before")
    @classmethod
    def _connection_ref(cls, value: Any) -> Any:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | str)):
            raise ValueError("must be a connection id or name")
        return value

    @field_validator("condition")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value if value and value.strip() else None

    @field_validator("extract")
    @classmethod
    def _paths(cls, value: dict[str, str]) -> dict[str, str]:
        for name, path in value.items():
            if not _ID.fullmatch(name):
                raise ValueError(f'"{name}": names are letters, digits, - and _')
            if not isinstance(path, str) or len(path) > 500 or not _PATH.fullmatch(path):
                raise ValueError(f'"{name}": a path such as "data.items[0].id"')
        return value

    @field_validator("expected_status")
    @classmethod
    def _status_codes(cls, value: list[int]) -> list[int]:
        if any(not 100 <= code <= 599 for code in value):
            raise ValueError("status codes must be between 100 and 599")
        return value


class OrchestrationSpec(SpecModel):
    """A whole orchestration definition, as versioned and run."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    description: str = Field("", max_length=5000)
    mode: Mode = "sequential"
    calls: list[CallSpec] = Field(min_length=1, max_length=MAX_CALLS)
    retry: RetryPolicy = NO_RETRY
    timeout_s: float = Field(300.0, gt=0, le=3600)
    max_parallel: int = Field(8, ge=1, le=MAX_PARALLEL)
    is_active: bool = True


def _has_template(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


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


def _call_problems(call: Mapping[str, Any], at: str) -> list[Problem]:
    problems: list[Problem] = []
    url = call.get("url")
    connection = call.get("connection")
    if (
        isinstance(url, str)
        and url
        and connection is None
        and not url.startswith(("http://", "https://"))
        and not url.startswith(("{{", "{%"))
    ):
        message = "must start with http:// or https:// (or set a connection)"
        problems.append(Problem(f"{at}.url", message))
    for key in ("url", "query", "headers", "body"):
        problems.extend(_template_problems(call.get(key), f"{at}.{key}"))
    condition = call.get("condition")
    if isinstance(condition, str) and condition.strip() and (problem := check_condition(condition)):
        problems.append(Problem(f"{at}.condition", problem))
    return problems


def _as_steps(mode: str, calls: list[Any]) -> list[Any]:
    """The calls as graph steps: `parallel` and `conditional` calls start at once by default."""
    steps = []
    for call in calls:
        if not isinstance(call, Mapping):
            steps.append(call)
            continue
        step = {"id": call.get("id"), "type": "call"}
        written = call.get("depends_on", call.get("dependsOn"))
        if written is not None or mode in ("parallel", "conditional"):
            step["depends_on"] = [] if written is None else written
        step["continue_on_error"] = bool(call.get("continue_on_error", call.get("continueOnError")))
        steps.append(step)
    return steps


def _graph_problems(mode: str, calls: list[Any], found: list[Problem]) -> list[Problem]:
    taken = {problem.path for problem in found}
    problems = []
    for problem in validate_graph(_as_steps(mode, calls)):
        path = "calls" + problem.path.removeprefix("actions")
        message = problem.message.replace("steps", "calls").replace("step", "call")
        if path not in taken:
            problems.append(Problem(path, message))
    if mode in ("sequential", "pipeline"):
        problems.extend(_later_dependencies(calls))
    return problems


def _later_dependencies(calls: list[Any]) -> list[Problem]:
    """In listed-order modes a call may only wait for calls listed before it."""
    problems, earlier = [], set()
    for position, call in enumerate(calls):
        if not isinstance(call, Mapping):
            continue
        written = call.get("depends_on", call.get("dependsOn"))
        for number, item in enumerate(written if isinstance(written, list) else []):
            name = item.partition(":")[0] if isinstance(item, str) else None
            known = any(isinstance(c, Mapping) and c.get("id") == name for c in calls)
            if name and known and name not in earlier:
                problems.append(
                    Problem(
                        f"calls[{position}].depends_on[{number}]",
                        f'"{name}" is listed after this call; calls run in listed order',
                    )
                )
        if isinstance(call.get("id"), str):
            earlier.add(call["id"])
    return problems


def validate_orchestration(data: Any) -> OrchestrationSpec:
    """Parse an orchestration definition, or raise `ValidationFailed` listing every problem."""
    if not isinstance(data, Mapping):
        raise ValidationFailed([Problem("", "an orchestration must be an object")])
    problems: list[Problem] = []
    spec: OrchestrationSpec | None = None
    try:
        spec = OrchestrationSpec.model_validate(data)
    except ValidationError as exc:
        problems.extend(problems_from(exc))
    calls = data.get("calls")
    if isinstance(calls, list):
        mode = data.get("mode", "sequential")
        mode = mode if mode in MODES else "parallel"
        for index, call in enumerate(calls[:MAX_CALLS]):
            if isinstance(call, Mapping):
                problems.extend(_call_problems(call, f"calls[{index}]"))
        problems.extend(_graph_problems(mode, calls[:MAX_CALLS], problems))
    problems = list(dict.fromkeys(problems))
    if problems or spec is None:
        raise ValidationFailed(problems)
    return spec


def call_graph(spec: OrchestrationSpec) -> Graph:
    """The calls as the workflow planner's graph (`app.core.planner.plan` runs it)."""
    calls = [call.model_dump() for call in spec.calls]
    return build_graph(_as_steps(spec.mode, calls))


def parallel_limit(spec: OrchestrationSpec) -> int:
    """How many calls may be in flight at once: one in the listed-order modes."""
    return 1 if spec.mode in ("sequential", "pipeline") else spec.max_parallel


def condition_skips_dependents(spec: OrchestrationSpec) -> bool:
    """Whether a call skipped by its condition skips what depends on it.

    In `conditional` mode a condition gates a whole branch (the issue's "skips calls whose
    condition is false, and their dependents"); elsewhere, as in workflows, a call skipped by
    its own condition passes through and the next one runs.
    """
    return spec.mode == "conditional"


_MISSING = object()


def extract_value(data: Any, path: str) -> Any:
    """The value at `path` (`data.items[0].id`) in parsed JSON, or None when it is not there."""
    current = data
    for name, index in _PATH_PART.findall(path):
        if name:
            current = current.get(name, _MISSING) if isinstance(current, Mapping) else _MISSING
        else:
            position = int(index)
            ok = isinstance(current, list) and position < len(current)
            current = current[position] if ok else _MISSING
        if current is _MISSING:
            return None
    return current


def extract_all(body: Any, extract: Mapping[str, str]) -> dict[str, Any]:
    """Every named value of `extract` picked from a response body (None where absent)."""
    return {name: extract_value(body, path) for name, path in extract.items()}


def run_outcome(statuses: Mapping[str, str], tolerated: set[str]) -> str:
    """`succeeded`, `failed` or `partial` for a finished run, from each call's end status.

    `partial`: every failure was allowed (`continue_on_error`) but at least one call failed.
    A failure that was not allowed fails the run; skipped calls alone do not.
    """
    failed = {call for call, status in statuses.items() if status in ("failed", "cancelled")}
    if failed - tolerated:
        return "failed"
    return "partial" if failed else "succeeded"
