"""A workflow's steps as a directed acyclic graph: dependencies, branch outputs, trigger rules.

A step without `depends_on` runs after the previous step in the list, so a plain list stays the
chain it always was; `depends_on: []` starts at the beginning; `"<id>:<output>"` follows one
output of a branch step (`if`, `switch`, `approval`), and `"<id>:failed"` the failure of any
step (an error handler, see `app.core.planner`). Which types offer which outputs is data
(`register_branch_outputs`), so a new branch type registers itself here in one line.

`validate_graph` names every problem with its path (see `graph_checks`); `build_graph` turns a
definition with no problems into the frozen `Graph` the planner and the canvas read. Steps are
plain mappings (snake_case or camelCase keys), as they come from the API, a form or the database.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from app.core.errors import Problem, ValidationFailed

MAX_STEPS = 500
#: The output every step offers: `"<id>:failed"` follows the step's failure (an error handler).
FAILED_OUTPUT = "failed"


class TriggerRule(StrEnum):
    """When a step with dependencies starts (Airflow's model, with Flowdeck's names).

    `all_succeeded`: every dependency succeeded; a failed or skipped one skips this step.
    `none_failed`: none failed and at least one succeeded (the join after a branch).
    `all_done`: every dependency ended, whatever happened (clean-up, notify).
    `any_succeeded`: as soon as one dependency succeeded.
    """

    ALL_SUCCEEDED = "all_succeeded"
    NONE_FAILED = "none_failed"
    ALL_DONE = "all_done"
    ANY_SUCCEEDED = "any_succeeded"


TRIGGER_RULES: frozenset[str] = frozenset(rule.value for rule in TriggerRule)

BranchOutputs = Callable[[Mapping[str, Any]], tuple[str, ...]]
_branch_outputs: dict[str, BranchOutputs] = {}


def register_branch_outputs(
    step_type: str, outputs: Sequence[str] | Callable[[Mapping[str, Any]], Sequence[str]]
) -> None:
    """Declare that steps of `step_type` choose one of `outputs` (fixed, or read from the step)."""
    if callable(outputs):
        reader = outputs
        _branch_outputs[step_type] = lambda step: tuple(reader(step))
    else:
        fixed = tuple(outputs)
        _branch_outputs[step_type] = lambda step: fixed


def branch_outputs(step: Mapping[str, Any]) -> tuple[str, ...]:
    """The outputs a step may choose between; `()` for a step that is not a branch."""
    reader = _branch_outputs.get(str(step.get("type")))
    return reader(step) if reader else ()


def _switch_outputs(step: Mapping[str, Any]) -> tuple[str, ...]:
    config = step.get("config")
    cases = config.get("cases") if isinstance(config, Mapping) else None
    names = tuple(str(name) for name in cases) if isinstance(cases, Mapping) else ()
    return (*names, "default") if "default" not in names else names


register_branch_outputs("if", ("true", "false"))
register_branch_outputs("switch", _switch_outputs)
register_branch_outputs("approval", ("approved", "rejected"))


@dataclass(frozen=True)
class Dependency:
    """One incoming edge: the step it waits for and, for a branch, the output it follows."""

    source: str
    output: str | None = None

    def __str__(self) -> str:
        return f"{self.source}:{self.output}" if self.output is not None else self.source


@dataclass(frozen=True)
class Node:
    """One step as the planner sees it. `chained`: `depends_on` was omitted (after the previous)."""

    id: str
    index: int
    type: str
    depends_on: tuple[Dependency, ...]
    trigger_rule: TriggerRule = TriggerRule.ALL_SUCCEEDED
    continue_on_error: bool = False
    outputs: tuple[str, ...] = ()
    chained: bool = False


@dataclass(frozen=True)
class Graph:
    """Nodes in definition order, plus a topological order (ties broken by definition order)."""

    nodes: Mapping[str, Node]
    order: tuple[str, ...]
    dependents: Mapping[str, tuple[str, ...]] = field(repr=False)

    def downstream(self, roots: Iterable[str]) -> set[str]:
        """`roots` and every step that (transitively) depends on one of them."""
        seen, todo = set(), list(roots)
        while todo:
            step_id = todo.pop()
            if step_id not in seen:
                seen.add(step_id)
                todo.extend(self.dependents.get(step_id, ()))
        return seen


def field_of(step: Mapping[str, Any], name: str, default: Any = None) -> Any:
    """A step field by its snake_case name, or its camelCase alias (`depends_on`/`dependsOn`)."""
    head, *rest = name.split("_")
    camel = head + "".join(part.title() for part in rest)
    if name in step:
        return step[name]
    return step.get(camel, default)


def parse_dependency(raw: str) -> Dependency:
    """`"fetch"` → after fetch; `"check:true"` → after check, only on its `true` output.

    Step ids cannot hold a colon, so the first colon separates the id from the output.
    """
    source, colon, output = raw.partition(":")
    return Dependency(source.strip(), output.strip() if colon else None)


def step_index(steps: Sequence[Any]) -> dict[str, int]:
    """Where each step id is first defined; steps without a string id are left out."""
    index: dict[str, int] = {}
    for position, step in enumerate(steps):
        step_id = field_of(step, "id") if isinstance(step, Mapping) else None
        if isinstance(step_id, str) and step_id not in index:
            index[step_id] = position
    return index


def raw_dependencies(steps: Sequence[Any], position: int) -> tuple[list[Any], bool]:
    """The written `depends_on` of a step, or the implied one; and whether it was implied."""
    step = steps[position]
    written = field_of(step, "depends_on")
    if written is not None:
        return (list(written) if isinstance(written, list) else written), False
    previous = steps[position - 1] if position > 0 else None
    previous_id = field_of(previous, "id") if isinstance(previous, Mapping) else None
    return ([previous_id] if isinstance(previous_id, str) else []), True


def dependents_of(nodes: Mapping[str, Node]) -> dict[str, tuple[str, ...]]:
    """For each step, the steps that wait on it, in definition order."""
    dependents: dict[str, list[str]] = {step_id: [] for step_id in nodes}
    for node in nodes.values():
        for source in dict.fromkeys(d.source for d in node.depends_on):
            dependents[source].append(node.id)
    return {step_id: tuple(children) for step_id, children in dependents.items()}


def topological_order(nodes: Mapping[str, Node]) -> tuple[str, ...]:
    """Kahn's algorithm, smallest definition index first; steps on a cycle are left out."""
    waiting = {step_id: len({d.source for d in node.depends_on}) for step_id, node in nodes.items()}
    dependents = dependents_of(nodes)
    ready = [(node.index, step_id) for step_id, node in nodes.items() if waiting[step_id] == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, step_id = heapq.heappop(ready)
        order.append(step_id)
        for child in dependents[step_id]:
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(ready, (nodes[child].index, child))
    return tuple(order)


def nodes_of(steps: Sequence[Any]) -> dict[str, Node]:
    """Every step with an id as a `Node`, keeping only dependencies on known, other steps.

    Lenient on purpose: `validate_graph` reports what is left out; this only builds.
    """
    index = step_index(steps)
    nodes: dict[str, Node] = {}
    for step_id, position in index.items():
        step = steps[position]
        raw, chained = raw_dependencies(steps, position)
        written = raw if isinstance(raw, list) else []
        edges = [parse_dependency(item) for item in written if isinstance(item, str)]
        rule = field_of(step, "trigger_rule")
        known = isinstance(rule, str) and rule in TRIGGER_RULES
        nodes[step_id] = Node(
            id=step_id,
            index=position,
            type=str(step.get("type", "")),
            depends_on=tuple(
                dict.fromkeys(e for e in edges if e.source in index and e.source != step_id)
            ),
            trigger_rule=TriggerRule(rule) if known else TriggerRule.ALL_SUCCEEDED,
            continue_on_error=bool(field_of(step, "continue_on_error", False)),
            outputs=branch_outputs(step),
            chained=chained,
        )
    return nodes


def validate_graph(steps: Sequence[Any]) -> list[Problem]:
    """Every problem of the steps' graph, each with its path (`actions[3].depends_on[0]`)."""
    from app.core.graph_checks import graph_problems  # the checks need the model above

    return graph_problems(steps)


def build_graph(steps: Sequence[Any]) -> Graph:
    """The graph of a definition, or `ValidationFailed` naming every problem."""
    problems = validate_graph(steps)
    problems += [
        Problem(f"actions[{i}].id", "a step needs an id")
        for i, step in enumerate(steps)
        if not isinstance(step, Mapping) or not isinstance(field_of(step, "id"), str)
    ]
    if problems:
        raise ValidationFailed(problems)
    nodes = nodes_of(steps)
    return Graph(nodes=nodes, order=topological_order(nodes), dependents=dependents_of(nodes))
