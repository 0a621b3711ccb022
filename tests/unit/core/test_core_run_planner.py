"""`RunPlanner` answers exactly what `plan` answers, step by step, on random graphs and runs.

Each case builds a seeded random DAG (dependencies on earlier steps, branch steps with their
outputs, every trigger rule, some `continue_on_error`), then plays a run: the planner's skips
and starts are taken, one running step ends at a time with a random end (succeeded on a random
branch, failed, skipped by its condition, waiting, later resolved), sometimes a pause; after
every change both planners are asked and must agree on every field of the answer.
"""

from __future__ import annotations

import random

import pytest

from app.core.errors import ValidationFailed
from app.core.graph import build_graph
from app.core.planner import Plan, StepState, plan
from app.core.run_planner import RunPlanner

RULES = ["all_succeeded", "none_failed", "all_done", "any_succeeded"]


def _steps(rng: random.Random, count: int) -> list[dict]:
    steps: list[dict] = []
    for i in range(count):
        kind = rng.choice(["transform"] * 4 + ["if", "switch"])
        step: dict = {"id": f"s{i}", "type": kind, "config": {}}
        if kind == "if":
            step["config"] = {"condition": "true"}
        if kind == "switch":
            step["config"] = {"value": "x", "cases": {"a": "a", "b": "b"}}
        earlier = steps[max(0, i - 6) : i]
        picked = rng.sample(earlier, k=min(len(earlier), rng.randint(0, 3)))
        deps = []
        for source in picked:
            outputs = {"if": ["true", "false"], "switch": ["a", "b", "default"]}.get(
                source["type"], []
            )
            if outputs and rng.random() < 0.7:
                deps.append(f"{source['id']}:{rng.choice(outputs)}")
            else:
                deps.append(source["id"])
        chained_after_branch = i and steps[-1]["type"] != "transform"
        if i and (rng.random() < 0.8 or chained_after_branch):  # omitted: after the previous
            step["depends_on"] = deps
        step["trigger_rule"] = rng.choice(RULES)
        step["continue_on_error"] = rng.random() < 0.15
        steps.append(step)
    return steps


def _end(rng: random.Random, step: dict) -> StepState:
    roll = rng.random()
    if roll < 0.12:
        return StepState("failed")
    if roll < 0.2:
        return StepState("skipped", by_condition=True)
    if roll < 0.28:
        return StepState("waiting")
    outputs = {"if": ["true", "false"], "switch": ["a", "b", "default"]}.get(step["type"])
    return StepState("succeeded", output=rng.choice(outputs) if outputs else None)


def _same(a: Plan, b: Plan) -> bool:
    return (
        a.start == b.start
        and dict(a.skip) == dict(b.skip)
        and list(a.skip) == list(b.skip)
        and a.cancel == b.cancel
        and a.outcome == b.outcome
        and a.failed_step == b.failed_step
    )


@pytest.mark.parametrize("seed", range(60))
def test_run_planner_agrees_with_plan_at_every_step(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):  # a random graph the checks refuse is drawn again
        steps = _steps(rng, rng.randint(1, 40))
        try:
            graph = build_graph(steps)
            break
        except ValidationFailed:
            continue
    by_id = {step["id"]: step for step in steps}
    max_parallel = rng.randint(1, 4)
    states: dict[str, StepState] = {}
    incremental = RunPlanner(graph, max_parallel=max_parallel)
    paused = False
    for _ in range(400):
        expected = plan(graph, states, max_parallel=max_parallel, paused=paused)
        got = incremental.plan(paused=paused)
        assert _same(got, expected), (seed, states, got, expected)
        for step in expected.skip:
            states[step] = StepState("skipped")
            incremental.set(step, StepState("skipped"))
        for step in expected.start:
            states[step] = StepState("running")
            incremental.set(step, StepState("running"))
        if expected.outcome is not None and expected.outcome not in ("waiting", "paused"):
            return
        if rng.random() < 0.1:
            paused = not paused
        busy = [s for s, state in states.items() if state.status in ("running", "waiting")]
        if not busy:
            paused = False  # a paused run with nothing running is resumed
            continue
        step = rng.choice(busy)
        state = _end(rng, by_id[step])
        if states[step].status == "waiting" and state.status == "waiting":
            state = StepState("succeeded")  # a wait ends
        states[step] = state
        incremental.set(step, state)
    raise AssertionError(f"seed {seed}: the run did not end")


def test_cancel_and_interrupt_halt_like_plan() -> None:
    steps = [{"id": "a", "type": "transform"}, {"id": "b", "type": "transform"}]
    graph = build_graph(steps)
    planner = RunPlanner(graph)
    planner.set("a", StepState("running"))
    assert _same(
        planner.plan(cancel_requested=True), plan(graph, planner.states, cancel_requested=True)
    )
    planner.set("a", StepState("interrupted"))
    assert planner.plan().outcome == "interrupted"
    with pytest.raises(ValueError, match="unknown step status"):
        planner.set("b", StepState("exploded"))
    with pytest.raises(ValueError, match="max_parallel"):
        RunPlanner(graph, max_parallel=0)
