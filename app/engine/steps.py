"""Running one step: the single place that maps what happened to the step's outcome.

condition → skipped; render + parse config in a thread under the step's render budget and
timeout (see `rendering`; a bad config or a render past the time fails without retry); then the
action under its timeout and retry policy, every attempt recorded; output or error stored
(with secrets masked) and the step's events published.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from tenacity import AsyncRetrying

from app.core.redact import redact
from app.core.retry import NO_RETRY, RetryPolicy, to_tenacity_kwargs
from app.core.statuses import StepStatus
from app.db.types import utcnow
from app.engine import store
from app.engine.actions import StepContext, get_action
from app.engine.failures import classify, describe
from app.engine.rendering import prepare_step

RUNNING_MARK_AFTER_S = 0.02  # well under the live view's push window and a person's eye


@dataclass(frozen=True)
class StepOutcome:
    status: StepStatus
    output: Any = None
    error: str | None = None


async def run_step(
    *,
    execution_id: int,
    workflow_id: int,
    step_id: int,
    position: int,
    action: dict[str, Any],
    context: dict[str, Any],
    reuse: dict[str, Any],
    retry_of: int | None,
    emit: Callable[..., Any],
) -> StepOutcome:
    base = {
        "execution_id": execution_id,
        "workflow_id": workflow_id,
        "step_id": step_id,
        "position": position,
        "action_id": action["id"],
    }
    if action["id"] in reuse:
        output = reuse[action["id"]]
        now = utcnow()
        store.step_finished(
            step_id,
            StepStatus.SUCCEEDED,
            started_at=now,
            output=output,
            rendered_input={"reused_from_execution": retry_of},
        )
        emit("step.finished", **base, status=StepStatus.SUCCEEDED.value, reused=True)
        return StepOutcome(StepStatus.SUCCEEDED, output)

    prepared = await prepare_step(action, context)
    if prepared.error is not None:
        return _fail_early(step_id, base, emit, prepared.error)
    if prepared.skip_reason is not None:
        store.step_finished(
            step_id,
            StepStatus.SKIPPED,
            started_at=None,
            skip_reason=prepared.skip_reason,
            execution_id=execution_id,
        )
        emit("step.finished", **base, status=StepStatus.SKIPPED.value)
        return StepOutcome(StepStatus.SKIPPED)
    rendered, config = prepared.rendered, prepared.config

    stored_input = redact(rendered)
    started_at = utcnow()
    # A step that is still going after a moment is written `running`; a quicker one goes
    # straight to its end in one write (its start and input are part of that write).
    mark_running = asyncio.get_running_loop().call_later(
        RUNNING_MARK_AFTER_S, store.step_started, step_id, stored_input, started_at
    )
    emit("step.started", **base, name=action.get("name") or action["id"])
    policy = RetryPolicy.model_validate(action["retry"]) if action.get("retry") else NO_RETRY
    step = StepContext(
        execution_id=execution_id,
        workflow_id=workflow_id,
        action_id=action["id"],
        attempt=0,
        context=context,
    )
    attempts: list[store.AttemptRecord] = []
    status, output, error = StepStatus.SUCCEEDED, None, None
    try:
        output = await _attempt_loop(action, config, step, policy, attempts)
    except asyncio.CancelledError:
        mark_running.cancel()
        store.step_finished(
            step_id,
            StepStatus.CANCELLED,
            started_at=started_at,
            error="cancelled",
            attempts=attempts,
            rendered_input=stored_input,
        )
        emit("step.finished", **base, status=StepStatus.CANCELLED.value)
        raise
    except Exception as exc:
        status, error = StepStatus.FAILED, describe(exc, action.get("timeout_s"))
        output = getattr(exc, "output", None)
    mark_running.cancel()
    if step.secrets:  # values of a connection the action used: masked wherever they are kept
        error = redact(error, step.secrets)
        attempts = [replace(a, error=redact(a.error, step.secrets)) for a in attempts]
    store.step_finished(
        step_id,
        status,
        started_at=started_at,
        output=redact(output, step.secrets),
        error=error,
        attempts=attempts,
        rendered_input=stored_input,
        execution_id=execution_id,
    )
    emit("step.finished", **base, status=status.value, error=error, attempts=len(attempts))
    return StepOutcome(status, output, error)


async def _attempt_loop(
    action: dict[str, Any],
    config: Any,
    step: StepContext,
    policy: RetryPolicy,
    attempts: list[store.AttemptRecord],
) -> Any:
    if policy.attempts == 1:  # the common case needs no retry machinery
        return await _attempt(action, config, step, 1, attempts)
    async for attempt in AsyncRetrying(**to_tenacity_kwargs(policy, classify)):
        with attempt:
            output = await _attempt(
                action, config, step, attempt.retry_state.attempt_number, attempts
            )
    return output


async def _attempt(
    action: dict[str, Any],
    config: Any,
    step: StepContext,
    number: int,
    attempts: list[store.AttemptRecord],
) -> Any:
    """One try of the action under its timeout, recorded whatever happens."""
    timeout_s = action.get("timeout_s")
    step.attempt = number
    started, clock = utcnow(), time.perf_counter()
    try:
        async with asyncio.timeout(timeout_s):
            output = await get_action(action["type"]).run(step, config)
    except asyncio.CancelledError:
        attempts.append(store.AttemptRecord(number, started, _ms(clock), "cancelled", "cancelled"))
        raise
    except Exception as exc:
        attempts.append(
            store.AttemptRecord(
                number, started, _ms(clock), describe(exc, timeout_s), classify(exc)
            )
        )
        raise
    attempts.append(store.AttemptRecord(number, started, _ms(clock)))
    return output


def _ms(clock: float) -> float:
    return round((time.perf_counter() - clock) * 1000, 3)


def _fail_early(
    step_id: int, base: dict[str, Any], emit: Callable[..., Any], error: str
) -> StepOutcome:
    """A step whose condition or config cannot be evaluated fails without any attempt."""
    store.step_finished(step_id, StepStatus.FAILED, started_at=utcnow(), error=error)
    emit("step.finished", **base, status=StepStatus.FAILED.value, error=error)
    return StepOutcome(StepStatus.FAILED, None, error)
