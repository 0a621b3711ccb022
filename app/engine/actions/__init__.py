"""Action types, one module each, registered by name.

An action is a pydantic config model plus one async `run(step, config) -> dict`. Adding an
action type touches its own module (imported below) and its test.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from app.core.redact import SecretValues
from app.core.workflow import action_config_models, register_action_config


@dataclass
class StepContext:
    """What an action may know about the run it is part of."""

    execution_id: int
    workflow_id: int
    action_id: str
    attempt: int
    context: dict[str, Any]
    #: The ids of the steps this one depends on, in the order written (`merge` reads them).
    depends_on: tuple[str, ...] = ()
    #: The execution's secret values, shared by all its steps: an action adds the credentials
    #: it loads, and everything the run stores or publishes from then on is masked with them.
    secrets: SecretValues = field(default_factory=SecretValues)


@dataclass(frozen=True)
class Suspend:
    """What an action returns to make its step wait without holding a task, thread or slot.

    The engine records the step `waiting` with a `step_wait` row (and an `approval` row for an
    approval) in one transaction; the run goes on with its other steps, and once only waits
    are left its task ends and the execution is `waiting`. `app.engine.waits` resolves the
    wait (a time reached, a webhook call, a decision, a child run's end) and the run goes on.

    `kind`: "timer" | "webhook" | "approval" | "child". `resume_at`: when the wait clock wakes
    it (a timer's time, an approval's or webhook's deadline). `details`: shown while it waits.
    `approval`: the approval row's fields (`message`, `approvers`, `on_timeout`).
    """

    kind: str
    resume_at: datetime | None = None
    details: dict[str, Any] = field(default_factory=dict)
    approval: dict[str, Any] | None = None
    child_execution_id: int | None = None


@dataclass(frozen=True)
class Skip:
    """What an action returns when it has nothing it can do, and says why.

    The step ends `skipped` with `reason` (shown on the execution) and `output`; like a step
    skipped by its own condition, its dependents still run. No retry: nothing failed.
    """

    reason: str
    output: dict[str, Any] | None = None


RunFn = Callable[[StepContext, Any], Awaitable[Any]]


@dataclass(frozen=True)
class ActionType:
    name: str
    config_model: type[BaseModel]
    run: RunFn
    description: str = ""
    #: Config keys holding a condition (`if`'s `condition`): evaluated like a step's own
    #: `condition` (`{{ }}` optional) to True/False instead of being rendered as a template.
    expressions: tuple[str, ...] = ()
    #: Config keys left as written by the step's render (`for_each`'s inner `step`, which the
    #: action renders once per item).
    unrendered: tuple[str, ...] = ()


_registry: dict[str, ActionType] = {}


def action(
    name: str,
    config_model: type[BaseModel],
    description: str = "",
    *,
    expressions: tuple[str, ...] = (),
    unrendered: tuple[str, ...] = (),
) -> Callable:
    """Decorator registering `run` as the action type `name`.

    A branch type (`if`, `switch`) returns `{"branch": <output>, ...}`: the runner hands that
    output to the planner, which follows the edges written `"<id>:<output>"`.
    """

    def register(run: RunFn) -> RunFn:
        register_action_config(name, config_model)
        _registry[name] = ActionType(name, config_model, run, description, expressions, unrendered)
        return run

    return register


def get_action(name: str) -> ActionType:
    return _registry[name]


def action_types() -> dict[str, ActionType]:
    return dict(_registry)


def parse_config(name: str, rendered: dict[str, Any]) -> Any:
    from app.core.workflow import parse_action_config

    return parse_action_config(name, rendered)


# Registration happens on import; keep this list in step with the modules in this package.
from app.engine.actions import (  # noqa: E402, F401
    api_call,
    approval,
    ci_run,
    database,
    db_backup,
    delay,
    deploy,
    for_each,
    git_commit,
    if_step,
    incident_assign,
    incident_create,
    incident_escalate,
    incident_resolve,
    incident_update,
    merge,
    monitor,
    notify,
    optimize,
    orchestration,
    publish,
    rollback,
    script,
    send_email,
    service_restart,
    share,
    sms_send,
    ssh_command,
    sub_workflow,
    switch,
    ticket_create,
    transform,
    wait,
)

__all__ = [
    "ActionType",
    "Skip",
    "StepContext",
    "Suspend",
    "action",
    "action_config_models",
    "action_types",
]
