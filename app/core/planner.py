"""What an execution does next, decided from its graph and the state of every step.

The runner calls `plan` whenever something changed (start, a step ended, an approval was
decided, pause, resume, cancel) and carries out the answer: start these steps, record these
skips with their reasons, mark these cancelled, finish with this outcome. The planner never
sleeps, reads a clock or touches a database, so every rule below is a row in a table test.

Decisions, and why:
- A failure does not stop the graph (Airflow's way, not fail-fast): independent branches go on,
  dependents apply their trigger rule, so `all_done` clean-up and notify steps still run. The
  execution fails at the end if any step failed without `continue_on_error`, whatever ran after
  it (unlike Airflow, a clean-up step that succeeds last does not turn a failure green). In a
  plain chain this is exactly today's behaviour: the steps after a failed one do not run.
- `continue_on_error` keeps its meaning: a tolerated failure lets the next step run
  (`all_succeeded` and `none_failed` accept it) and does not fail the execution. Likewise a step
  skipped by its own `condition` passes through: its dependents run, as in today's chains. Only
  `any_succeeded` wants a dependency that really ran and succeeded (a fallback should not fire
  because the first try was tolerated).
- Skips propagate at once and in one answer: once a dependency failed or a branch went the other
  way, the dependent is skipped without waiting for the rest, and so on downstream.
- Steps start in definition order while fewer than `max_parallel` are running; waiting steps
  (approvals, timed waits) hold no slot. Paused: running steps finish, nothing new starts.
- A cancel request or a cancelled step ends the execution as cancelled; an interrupted step ends
  it as interrupted. In both cases nothing new starts and the outcome comes once none runs.
- Error handlers: `"<id>:failed"` is an output every step offers. It is taken when the step
  fails (with or without `continue_on_error`) and not taken when it succeeds or is skipped, so
  the handler runs only after a failure while the step's other dependents are skipped. A
  failure is *handled* once a step that follows its `failed` output succeeded: it no longer
  fails the execution (the step stays `failed`, with its error, and `Plan.handled` names it
  and its handler for the record). A handler that fails, or is skipped, handles nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from app.core.graph import FAILED_OUTPUT, Dependency, Graph, Node, TriggerRule

DEFAULT_MAX_PARALLEL = 8
STEP_STATUSES = frozenset(
    {"pending", "running", "waiting", "succeeded", "failed", "skipped", "cancelled", "interrupted"}
)
UNFINISHED = frozenset({"pending", "running", "waiting"})


class Outcome(StrEnum):
    """How the execution stands once nothing is running; values match `ExecutionStatus`."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    WAITING = "waiting"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class StepState:
    """What the planner needs to know of one step.

    `status` is a `StepStatus` value; `output` is the output a branch step chose (`"true"`,
    `"approved"`, a switch case); `by_condition` marks a step skipped by its own `condition`,
    which passes through rather than skipping its dependents.
    """

    status: str = "pending"
    output: str | None = None
    by_condition: bool = False


PENDING = StepState()


@dataclass(frozen=True)
class Plan:
    """The next decisions. `outcome` is None while the execution still has something to do.

    `skip` maps step → reason, in topological order. `cancel` lists pending and waiting steps to
    mark cancelled (the runner cancels the tasks of running ones itself). `failed_step` is the
    first step, in definition order, whose failure failed the execution. `handled` maps each
    failed step whose failure an error handler took care of to that handler (at the end only).
    """

    start: tuple[str, ...] = ()
    skip: Mapping[str, str] = field(default_factory=dict)
    cancel: tuple[str, ...] = ()
    outcome: Outcome | None = None
    failed_step: str | None = None
    handled: Mapping[str, str] = field(default_factory=dict)


class _Edge(StrEnum):
    """What one dependency means to the step waiting on it."""

    SUCCEEDED = "succeeded"
    TOLERATED = "tolerated"  # failed with continue_on_error, or skipped by its own condition
    FAILED = "failed"
    SKIPPED = "skipped"


def plan(
    graph: Graph,
    states: Mapping[str, StepState],
    *,
    max_parallel: int = DEFAULT_MAX_PARALLEL,
    paused: bool = False,
    cancel_requested: bool = False,
) -> Plan:
    """The next decisions for an execution whose steps are in `states` (missing = pending)."""
    if max_parallel < 1:
        raise ValueError(f"max_parallel must be at least 1, got {max_parallel}")
    current: dict[str, StepState] = {}
    statuses: set[str] = set()
    running = 0
    for step_id in graph.order:  # one pass: this runs after every step of every execution
        state = current[step_id] = states.get(step_id, PENDING)
        statuses.add(state.status)
        running += state.status == "running"
    unknown = statuses - STEP_STATUSES
    if unknown:
        raise ValueError(f"unknown step status {sorted(unknown)[0]!r}")
    halt = halt_of(statuses, cancel_requested)
    if halt is not None:
        cancel = () if halt == Outcome.INTERRUPTED else to_cancel(graph, current)
        return Plan(cancel=cancel, outcome=None if running else halt)
    skip: dict[str, str] = {}
    ready: list[Node] = []
    for step_id in graph.order if "pending" in statuses else ():
        if current[step_id].status != "pending":
            continue
        node = graph.nodes[step_id]
        verdict, reason = decide(node, graph, current)
        if verdict == "skip":
            skip[step_id] = reason
            current[step_id] = StepState("skipped")
        elif verdict == "start":
            ready.append(node)
    slots = 0 if paused else max(0, max_parallel - running)
    start = tuple(node.id for node in sorted(ready, key=lambda n: n.index)[:slots])
    outcome, failed_step = _outcome(graph, current, busy=running + len(start), paused=paused)
    handled = handled_failures(graph, current) if outcome is not None else {}
    return Plan(start=start, skip=skip, outcome=outcome, failed_step=failed_step, handled=handled)


def halt_of(statuses: set[str], cancel_requested: bool) -> Outcome | None:
    if cancel_requested or "cancelled" in statuses:
        return Outcome.CANCELLED
    return Outcome.INTERRUPTED if "interrupted" in statuses else None


def to_cancel(graph: Graph, current: Mapping[str, StepState]) -> tuple[str, ...]:
    waiting = {"pending", "waiting"}
    return tuple(s for s in graph.nodes if s in current and current[s].status in waiting)


def _outcome(
    graph: Graph, current: Mapping[str, StepState], *, busy: int, paused: bool
) -> tuple[Outcome | None, str | None]:
    if busy:
        return None, None
    statuses = {state.status for state in current.values()}
    if statuses & UNFINISHED:
        if paused:
            return Outcome.PAUSED, None
        if "waiting" in statuses:
            return Outcome.WAITING, None
        raise AssertionError("planner: pending steps with nothing running or waiting")
    return ended(graph, current)


def ended(graph: Graph, current: Mapping[str, StepState]) -> tuple[Outcome, str | None]:
    """The outcome once every step ended: failed at the first (in definition order) failure
    neither tolerated (`continue_on_error`) nor handled by an error handler, else succeeded."""
    handled = handled_failures(graph, current)
    for step_id, node in graph.nodes.items():
        if (
            current[step_id].status == "failed"
            and not node.continue_on_error
            and step_id not in handled
        ):
            return Outcome.FAILED, step_id
    return Outcome.SUCCEEDED, None


def handled_failures(graph: Graph, current: Mapping[str, StepState]) -> dict[str, str]:
    """Failed step → the first (in definition order) succeeded step following its `failed`
    output: the failures an error handler took care of."""
    handled: dict[str, str] = {}
    for step_id, node in graph.nodes.items():
        if current.get(step_id, PENDING).status != "succeeded":
            continue
        for dependency in node.depends_on:
            source = dependency.source
            if (
                dependency.output == FAILED_OUTPUT
                and current.get(source, PENDING).status == "failed"
            ):
                handled.setdefault(source, step_id)
    return handled


def decide(node: Node, graph: Graph, current: Mapping[str, StepState]) -> tuple[str, str]:
    """("start" | "skip" | "wait", reason) for a pending step, by its trigger rule."""
    if not node.depends_on:
        return "start", ""
    for dependency in node.depends_on:  # the common case first, cheaply: none has ended yet
        if current[dependency.source].status not in UNFINISHED:
            break
    else:
        return "wait", ""
    edges = [_edge(d, graph.nodes[d.source], current[d.source]) for d in node.depends_on]
    ended = [edge for edge in edges if edge is not None]
    kinds = {kind for kind, _ in ended}
    all_ended = len(ended) == len(edges)
    first = {kind: reason for kind, reason in reversed(ended)}  # first reason of each kind
    rule = node.trigger_rule
    if rule == TriggerRule.ALL_DONE:
        return ("start", "") if all_ended else ("wait", "")
    if rule == TriggerRule.ANY_SUCCEEDED:
        if _Edge.SUCCEEDED in kinds:
            return "start", ""
        return ("skip", "no dependency succeeded") if all_ended else ("wait", "")
    if _Edge.FAILED in kinds:
        return "skip", first[_Edge.FAILED]
    if rule == TriggerRule.ALL_SUCCEEDED and _Edge.SKIPPED in kinds:
        return "skip", first[_Edge.SKIPPED]
    if not all_ended:
        return "wait", ""
    if kinds & {_Edge.SUCCEEDED, _Edge.TOLERATED}:
        return "start", ""
    return "skip", f"every dependency was skipped ({first[_Edge.SKIPPED]})"


def _edge(dependency: Dependency, source: Node, state: StepState) -> tuple[_Edge, str] | None:
    """What `dependency` amounts to now, with the reason a skip would give; None: not ended."""
    name, wanted = f'"{source.id}"', dependency.output
    status = state.status
    if status in UNFINISHED:
        return None
    if wanted == FAILED_OUTPUT:
        return _failure_edge(name, status)
    if status == "succeeded":
        if wanted is None or state.output == wanted:
            return _Edge.SUCCEEDED, ""
        return (
            _Edge.SKIPPED,
            f'branch "{wanted}" of {name} was not taken (it chose "{state.output}")',
        )
    if status == "failed" and source.continue_on_error:
        if wanted is None:
            return _Edge.TOLERATED, ""
        return _Edge.SKIPPED, f'{name} failed, so its branch "{wanted}" was not taken'
    if status == "skipped" and state.by_condition:
        if wanted is None:
            return _Edge.TOLERATED, ""
        return _Edge.SKIPPED, f"{name} was skipped by its condition, so no branch was taken"
    if status == "skipped":
        return _Edge.SKIPPED, f"dependency {name} was skipped"
    return _Edge.FAILED, f"dependency {name} {'failed' if status == 'failed' else 'was ' + status}"


def _failure_edge(name: str, status: str) -> tuple[_Edge, str]:
    """What `"<id>:failed"` (an error handler's dependency) amounts to once the step ended."""
    if status == "failed":
        return _Edge.SUCCEEDED, ""
    if status == "succeeded":
        return _Edge.SKIPPED, f"{name} succeeded, so its error handler did not run"
    if status == "skipped":
        return _Edge.SKIPPED, f"{name} was skipped, so its error handler did not run"
    return _Edge.FAILED, f"dependency {name} was {status}"


def reusable_steps(graph: Graph, previous: Mapping[str, StepState]) -> frozenset[str]:
    """The steps a retry reuses: those that succeeded with nothing upstream to re-run.

    A retry re-runs every step that failed (tolerated or not), was cancelled or interrupted, or
    never finished, and everything downstream of those. Skipped steps are not re-run roots: the
    planner decides them again from the reused branch choices, exactly as today's retry walks
    past skipped steps. The reused steps start the retry as succeeded, with their outputs.
    """
    rerun = {
        step_id
        for step_id in graph.nodes
        if previous.get(step_id, PENDING).status not in ("succeeded", "skipped")
    }
    again = graph.downstream(rerun)
    return frozenset(
        step_id
        for step_id in graph.nodes
        if step_id not in again and previous.get(step_id, PENDING).status == "succeeded"
    )
