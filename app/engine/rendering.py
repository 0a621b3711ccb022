"""A step's condition and config, evaluated off the event loop under one budget per step.

Everything a step renders (its condition and every string of its config) spends one
`RenderBudget`: `STEP_LOOP_ITERATIONS` loop iterations, `STEP_OUTPUT` characters, and time:
the step's `timeout_s`, or `DEFAULT_RENDER_TIMEOUT_S` (10 s) for a step without one. The
render runs in a worker thread (`offload.render`); when the time is up the step fails with
`timed out after N s (rendering …)` and the thread stops at its next budget check. A config
with no template syntax and no condition is only validated, on the loop: there is nothing to
render and the hop to a thread would cost more than the check.

Rendering ahead: a step whose templates read only what a run's context holds from its start
and never changes while it walks (`RUN_CONSTANT_NAMES`: the trigger, the workflow, the
execution, env, the run's `now`) renders to the same config whenever it is rendered. The walk
renders such steps in one background job in a render thread when it starts (`render_ahead`),
each under its own budget, and a step whose result is there when its turn comes skips its own
hop to a thread (each hop costs more than rendering a small config). A step whose result is not
there yet renders as usual; nothing ever waits for the job.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.core.errors import FlowdeckError
from app.core.sandbox import STEP_LOOP_ITERATIONS, STEP_OUTPUT, RenderBudget, RenderStopped
from app.core.templates import condition_names, evaluate_condition, names_read, render_value
from app.engine import offload
from app.engine.actions import get_action, parse_config

DEFAULT_RENDER_TIMEOUT_S = 10.0
#: What a run's template context holds from the start of a walk and never changes during it.
RUN_CONSTANT_NAMES = frozenset({"trigger", "workflow", "execution", "env", "now"})


@dataclass(frozen=True)
class Prepared:
    """What the step will do: skip (`skip_reason`), fail (`error`) or run `config`."""

    rendered: dict[str, Any] | None = None
    config: Any = None
    skip_reason: str | None = None
    error: str | None = None


def step_budget(timeout_s: float) -> RenderBudget:
    return RenderBudget(
        loop_iterations=STEP_LOOP_ITERATIONS,
        output_chars=STEP_OUTPUT,
        deadline=time.monotonic() + timeout_s,
        clock=time.monotonic,
    )


def prepare(action: dict[str, Any], context: dict[str, Any], budget: RenderBudget) -> Prepared:
    """Evaluate the condition, render and parse the config (blocking: call in a thread)."""
    condition = action.get("condition")
    if condition:
        try:
            go = evaluate_condition(condition, context, budget, step=action.get("id"))
        except FlowdeckError as exc:
            return Prepared(error=f"condition: {exc.message}")
        if not go:
            return Prepared(skip_reason=f"condition is false: {condition}")
    config = action.get("config") or {}
    expressions = {k: v for k in _expressions(action) if isinstance(v := config.get(k), str)}
    as_written = {k: config[k] for k in _unrendered(action) if k in config}
    try:
        rendered = render_value(
            {k: v for k, v in config.items() if k not in expressions and k not in as_written},
            context,
            budget,
            step=action.get("id"),
            field="config",
        )
        rendered.update(as_written)  # `for_each`'s inner step: rendered per item by the action
        for key, source in expressions.items():  # `if`'s condition: a truth, not a text
            try:
                rendered[key] = evaluate_condition(source, context, budget, step=action.get("id"))
            except FlowdeckError as exc:
                return Prepared(error=f"{key}: {exc.message}")
        return Prepared(rendered=rendered, config=parse_config(action["type"], rendered))
    except FlowdeckError as exc:
        return Prepared(error=exc.message)


def _expressions(action: dict[str, Any]) -> tuple[str, ...]:
    try:
        return get_action(action["type"]).expressions
    except KeyError:
        return ()


def _unrendered(action: dict[str, Any]) -> tuple[str, ...]:
    try:
        return get_action(action["type"]).unrendered
    except KeyError:
        return ()


def _has_template(value: Any) -> bool:
    if isinstance(value, str):
        return "{{" in value or "{%" in value or "{#" in value
    if isinstance(value, dict):
        return any(_has_template(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_has_template(item) for item in value)
    return False


def _rendered_part(config: dict[str, Any], unrendered: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in config.items() if k not in unrendered} if unrendered else config


async def prepare_step(action: dict[str, Any], context: dict[str, Any]) -> Prepared:
    """`prepare` in a render thread, under the step's timeout and budget."""
    timeout_s = action.get("timeout_s") or DEFAULT_RENDER_TIMEOUT_S
    budget = step_budget(timeout_s)
    if (
        not action.get("condition")
        and not _has_template(_rendered_part(action.get("config") or {}, _unrendered(action)))
        and not _expressions(action)
    ):
        return prepare(action, context, budget)
    try:
        return await offload.render(lambda: prepare(action, context, budget), budget, timeout_s)
    except (TimeoutError, RenderStopped):
        what = "the condition and config" if action.get("condition") else "the config"
        return Prepared(error=f"timed out after {timeout_s:g} s (rendering {what})")


def renders_ahead(action: dict[str, Any]) -> bool:
    """Whether the step has templates and they read only `RUN_CONSTANT_NAMES`."""
    config = action.get("config") or {}
    expressions = _expressions(action)
    read: set[str] = set()
    sources = [action.get("condition")] + [config.get(key) for key in expressions]
    for source in sources:
        if isinstance(source, str) and source.strip():
            names = condition_names(source)
            if names is None:
                return False
            read |= names
    rendered_part = _rendered_part(config, _unrendered(action))
    names = names_read({k: v for k, v in rendered_part.items() if k not in expressions})
    if names is None:
        return False
    read |= names
    return bool(read) and read <= RUN_CONSTANT_NAMES


def render_ahead(
    steps: list[tuple[str, dict[str, Any]]],
    context: dict[str, Any],
    into: dict[str, Prepared],
    stop: Callable[[], bool],
) -> None:
    """Prepare `steps` one after another (blocking: run it in a render thread), each under its
    own budget, into `into` (step id → `Prepared`), until `stop()` says the walk is over."""
    for step_id, action in steps:
        if stop():
            return
        timeout_s = action.get("timeout_s") or DEFAULT_RENDER_TIMEOUT_S
        try:
            into[step_id] = prepare(action, context, step_budget(timeout_s))
        except RenderStopped:
            what = "the condition and config" if action.get("condition") else "the config"
            into[step_id] = Prepared(error=f"timed out after {timeout_s:g} s (rendering {what})")
