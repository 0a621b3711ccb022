"""Every problem of a workflow's graph, each with the path a form shows it next to.

Checked here: more than `MAX_STEPS` steps, duplicate ids, unknown trigger rules, malformed,
unknown, self or repeated dependencies, branch outputs a step does not offer, an omitted
`depends_on` right after a branch step (which output is meant?), cycles, spelled in the order
the steps would run (`a → b → c → a`), and steps that can never run.

"Can never run" is decided statically, assuming every step that starts succeeds: each step
carries the branch choices that must have been made for it to start (`check` took `true`, …).
An `all_succeeded` step needs all of its dependencies, so it can never run when two of them
need different outputs of the same branch step, or when one of them can never run. A
`none_failed` or `any_succeeded` step needs only one, so it can never run only when none of its
dependencies can; an `all_done` step, or one without dependencies, always runs. This finds the
mistake a person actually makes (an `all_succeeded` join of the `true` and `false` sides of an
`if`) and never reports a step that could run. Template problems are reported by the workflow
schema, which checks every config value, `if` conditions and `switch` values included.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

from app.core.errors import Problem
from app.core.graph import (
    FAILED_OUTPUT,
    MAX_STEPS,
    TRIGGER_RULES,
    Node,
    TriggerRule,
    branch_outputs,
    field_of,
    nodes_of,
    parse_dependency,
    raw_dependencies,
    step_index,
    topological_order,
)

_RULES = ", ".join(rule.value for rule in TriggerRule)


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


def graph_problems(steps: Sequence[Any]) -> list[Problem]:
    """All problems: per step first, then cycles, then (on a sound graph) never-running steps."""
    problems = _size_and_ids(steps)
    index = step_index(steps)
    for position, step in enumerate(steps):
        if isinstance(step, Mapping):
            problems += _step_problems(steps, position, index)
    nodes = nodes_of(steps)
    order = topological_order(nodes)
    cycles = _cycles(nodes, order)
    if not problems and not cycles:
        problems += _never_runs(nodes, order)
    return problems + cycles


def _size_and_ids(steps: Sequence[Any]) -> list[Problem]:
    problems = []
    if len(steps) > MAX_STEPS:
        problems.append(
            Problem(
                "actions", f"a workflow has at most {MAX_STEPS} steps, this one has {len(steps)}"
            )
        )
    seen: set[str] = set()
    for position, step in enumerate(steps):
        step_id = field_of(step, "id") if isinstance(step, Mapping) else None
        if isinstance(step_id, str) and step_id in seen:
            problems.append(Problem(f"actions[{position}].id", f'duplicate id "{step_id}"'))
        if isinstance(step_id, str):
            seen.add(step_id)
    return problems


def _step_problems(steps: Sequence[Any], position: int, index: dict[str, int]) -> list[Problem]:
    at, step = f"actions[{position}]", steps[position]
    problems = []
    rule = field_of(step, "trigger_rule")
    if rule is not None and not (isinstance(rule, str) and rule in TRIGGER_RULES):
        problems.append(
            Problem(f"{at}.trigger_rule", f'unknown trigger rule "{rule}"; use one of {_RULES}')
        )
    if FAILED_OUTPUT in branch_outputs(step):
        problems.append(
            Problem(
                f"{at}.config.cases",
                f'a case cannot be named "{FAILED_OUTPUT}": "<id>:{FAILED_OUTPUT}" follows a'
                " step's failure (an error handler)",
            )
        )
    raw, chained = raw_dependencies(steps, position)
    if chained:
        previous = steps[position - 1] if position > 0 else None
        outputs = branch_outputs(previous) if isinstance(previous, Mapping) else ()
        if outputs and raw:
            problems.append(
                Problem(
                    f"{at}.depends_on",
                    f'the previous step "{raw[0]}" is a branch with outputs {_quoted(outputs)}:'
                    f' say which one this step follows, e.g. "{raw[0]}:{outputs[0]}",'
                    f' or "{raw[0]}" to follow it whatever it chose',
                )
            )
        return problems
    if not isinstance(raw, list):
        return [*problems, Problem(f"{at}.depends_on", "must be a list of step ids")]
    seen: set[str] = set()
    for number, item in enumerate(raw):
        message = _dependency_problem(item, field_of(step, "id"), steps, index, seen)
        if message:
            problems.append(Problem(f"{at}.depends_on[{number}]", message))
    return problems


def _dependency_problem(
    item: Any, step_id: Any, steps: Sequence[Any], index: dict[str, int], seen: set[str]
) -> str | None:
    if not isinstance(item, str) or not item.strip():
        return 'must be a step id, or "<id>:<output>" to follow a branch output'
    dependency = parse_dependency(item)
    source = dependency.source
    if source == step_id:
        return "a step cannot depend on itself"
    if source not in index:
        return f'unknown step "{source}"'
    if str(dependency) in seen:
        return f'"{dependency}" is listed twice'
    seen.add(str(dependency))
    if dependency.output is None or dependency.output == FAILED_OUTPUT:
        return None
    outputs = branch_outputs(steps[index[source]])
    if not outputs:
        kind = field_of(steps[index[source]], "type")
        return (
            f'"{source}" is a {kind} step and has no outputs; write "{source}"'
            f' (or "{source}:{FAILED_OUTPUT}" to handle its failure)'
        )
    if dependency.output not in outputs:
        return (
            f'"{source}" has no output "{dependency.output}"; its outputs are'
            f" {_quoted((*outputs, FAILED_OUTPUT))}"
        )
    return None


def _cycles(nodes: Mapping[str, Node], order: Sequence[str]) -> list[Problem]:
    """Each distinct cycle once, as the shortest loop through its earliest-defined step.

    Steps left out of the topological order are on a cycle or downstream of one; a breadth-first
    walk from each (in definition order) that comes back to its start spells one cycle.
    """
    left = set(nodes) - set(order)
    dependents: dict[str, list[str]] = {step_id: [] for step_id in left}
    for step_id in sorted(left, key=lambda s: nodes[s].index):
        for dependency in nodes[step_id].depends_on:
            if dependency.source in left and step_id not in dependents[dependency.source]:
                dependents[dependency.source].append(step_id)
    problems, covered = [], set()
    for start in sorted(left, key=lambda s: nodes[s].index):
        if start in covered:
            continue
        loop = _loop_through(start, dependents)
        if loop:
            covered.update(loop)
            spelled = " → ".join([*loop, start])
            problems.append(
                Problem(f"actions[{nodes[start].index}].depends_on", f"cycle: {spelled}")
            )
    return problems


def _loop_through(start: str, dependents: Mapping[str, list[str]]) -> list[str] | None:
    parent: dict[str, str] = {}
    queue = deque([start])
    while queue:
        current = queue.popleft()
        for child in dependents[current]:
            if child == start:
                loop = [current]
                while loop[-1] != start:
                    loop.append(parent[loop[-1]])
                return loop[::-1]
            if child not in parent:
                parent[child] = current
                queue.append(child)
    return None


def _never_runs(nodes: Mapping[str, Node], order: Sequence[str]) -> list[Problem]:
    """Steps that can never start, whatever the branch steps choose (see the module docstring)."""
    needs: dict[str, dict[str, str] | None] = {}  # step → branch choices it needs; None: never
    problems = []
    for step_id in order:
        node = nodes[step_id]
        needs[step_id], reason = _needs(node, needs)
        if reason:
            problems.append(
                Problem(f"actions[{node.index}].depends_on", f"can never run: {reason}")
            )
    return problems


def _needs(
    node: Node, needs: Mapping[str, dict[str, str] | None]
) -> tuple[dict[str, str] | None, str | None]:
    if not node.depends_on or node.trigger_rule == TriggerRule.ALL_DONE:
        return {}, None
    options: list[dict[str, str] | None] = []
    for dependency in node.depends_on:
        before = needs[dependency.source]
        if before is not None and dependency.output is not None:
            before = {**before, dependency.source: dependency.output}
        options.append(before)
    if node.trigger_rule != TriggerRule.ALL_SUCCEEDED:
        live = [option for option in options if option is not None]
        if not live:
            return None, "none of its dependencies can ever run"
        common = {k: v for k, v in live[0].items() if all(o.get(k) == v for o in live[1:])}
        return common, None
    merged: dict[str, str] = {}
    for dependency, option in zip(node.depends_on, options, strict=True):
        if option is None:
            return None, f'it needs "{dependency.source}", which can never run'
        for branch, output in option.items():
            if merged.setdefault(branch, output) != output:
                pair = _quoted(sorted((output, merged[branch])))
                return None, (
                    f'it needs both outputs {pair.replace(", ", " and ")} of "{branch}"'
                    " (a join after a branch wants trigger_rule none_failed)"
                )
    return merged, None
