""" "Test step": run one step of a workflow with sample inputs, without starting a run.

The step sees the pinned sample payload (or the last run's trigger payload) as `trigger` and the
latest stored outputs of the steps it runs after as `steps.<id>.output`. Its condition and
config render in the sandbox off the event loop under the step's budget, exactly as in a run
(so a template error reads the same), then its action runs once, without retries, under the
step's timeout (at most `MAX_TRIAL_S`). Nothing is recorded as an execution; the trial is
audited. A step with side effects (`app.core.step_trials`) runs only when `confirmed`.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from app.core.errors import Conflict, NotFound
from app.core.redact import SecretValues
from app.core.step_trials import cannot_try, side_effects
from app.core.template_paths import ancestors
from app.db.engine import session_scope
from app.db.settings import get_settings
from app.db.types import utcnow
from app.engine.actions import Skip, StepContext, Suspend, get_action
from app.engine.failures import describe
from app.engine.records import Masking
from app.engine.rendering import prepare_step
from app.services import audit
from app.services.actor import Actor
from app.services.step_samples import Samples, load_samples
from app.services.workflows import get_row

MAX_TRIAL_S = 60.0


class ConfirmationRequired(Conflict):
    """The step has side effects: it runs once the person confirmed (`confirm: true`)."""

    code = "confirmation_required"


def _find(actions: list[dict[str, Any]], step_id: str) -> dict[str, Any]:
    for action in actions:
        if str(action.get("id")) == step_id:
            return action
    raise NotFound(f"step {step_id!r} does not exist in this workflow")


def _load(workflow_id: int) -> tuple[list[dict[str, Any]], dict[str, Any], Samples]:
    with session_scope() as session:
        row = get_row(session, workflow_id)
        workflow = {"id": row.id, "name": row.name, "version": row.version}
        return list(row.actions or []), workflow, load_samples(session, workflow_id)


def _context(samples: Samples, workflow: dict[str, Any], earlier: list[str]) -> dict[str, Any]:
    return {
        "trigger": samples.trigger,
        "steps": {
            step: {"output": samples.outputs[step], "status": "succeeded"}
            for step in earlier
            if step in samples.outputs
        },
        "workflow": workflow,
        "execution": {"id": 0, "trigger_type": "test", "retry_of": None},
        "env": dict(get_settings().env_vars),
        "now": utcnow().isoformat(),
    }


def _audit(actor: Actor, workflow_id: int, result: dict[str, Any]) -> None:
    with session_scope() as session:
        audit.record(
            session,
            actor,
            "workflow.step_tested",
            target_type="workflow",
            target_id=workflow_id,
            details={k: result[k] for k in ("step_id", "type", "status", "confirmed")},
        )


async def _run_action(
    action: dict[str, Any], config: Any, step: StepContext
) -> tuple[str, Any, str | None]:
    timeout_s = min(float(action.get("timeout_s") or MAX_TRIAL_S), MAX_TRIAL_S)
    try:
        async with asyncio.timeout(timeout_s):
            output = await get_action(action["type"]).run(step, config)
    except Exception as exc:  # the step's failure is the trial's answer
        return "failed", getattr(exc, "output", None), describe(exc, timeout_s)
    if isinstance(output, Suspend):
        return "would_wait", None, f"the step would wait ({output.kind}) in a run"
    if isinstance(output, Skip):
        return "skipped", output.output, output.reason
    return "succeeded", output, None


async def try_step(
    actor: Actor,
    workflow_id: int,
    step_id: str,
    *,
    confirmed: bool = False,
    actions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Try step `step_id` once with sample inputs; its rendered config, output or error.

    `actions`: the steps as a form holds them now (unsaved edits are what a person wants to
    try); default: as saved. The samples are the saved workflow's either way.
    """
    actor.require_member()
    saved, workflow, samples = await asyncio.to_thread(_load, workflow_id)
    actions = saved if actions is None else actions
    action = _find(actions, step_id)
    if reason := cannot_try(action):
        raise Conflict(reason)
    effects = side_effects(action)
    if effects and not confirmed:
        raise ConfirmationRequired(
            f"step {step_id!r} {effects}: testing it does that for real; confirm to go on",
            details={"side_effects": effects},
        )
    earlier = ancestors(actions, step_id)
    context = _context(samples, workflow, earlier)
    settings = get_settings()
    secrets = SecretValues(settings.secret_env_values)
    started = time.perf_counter()
    prepared = await prepare_step(action, context)
    status, output, error, rendered = "failed", None, prepared.error, prepared.rendered
    if prepared.error is None and prepared.skip_reason is not None:
        status, error = "skipped", prepared.skip_reason
    elif prepared.error is None:
        step = StepContext(
            execution_id=0,
            workflow_id=workflow_id,
            action_id=step_id,
            attempt=1,
            context=context,
            depends_on=tuple(earlier),
            secrets=secrets,
        )
        status, output, error = await _run_action(action, prepared.config, step)
    masking = Masking(tuple(secrets), settings.max_step_data_bytes)
    result = {
        "workflow_id": workflow_id,
        "step_id": step_id,
        "type": action.get("type", ""),
        "status": status,
        "rendered": masking.value(rendered),
        "output": masking.value(output),
        "error": masking.error(error),
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        "source": samples.source,
        "execution_id": samples.execution_id,
        "side_effects": effects,
        "confirmed": bool(confirmed),
    }
    await asyncio.to_thread(_audit, actor, workflow_id, result)
    return result
