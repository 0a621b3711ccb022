"""Running one step: the single place that maps what happened to the step's outcome.

condition → skipped; render + parse config in a thread under the step's render budget and
timeout (see `rendering`; a bad config or a render past the time fails without retry); then the
action under its timeout and retry policy, every attempt recorded; output or error stored
(secrets masked, capped to FLOWDECK_MAX_STEP_DATA_BYTES: see `records`) and the step's events
published. The full output stays in memory for the next steps.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tenacity import AsyncRetrying

from app.core.redact import SecretValues
from app.core.retry import NO_RETRY, RetryPolicy, to_tenacity_kwargs
from app.core.statuses import StepStatus
from app.db.types import utcnow
from app.engine import offload, records, store, waits
from app.engine.actions import Skip, StepContext, Suspend, get_action
from app.engine.end_writes import EndWrites, end_now
from app.engine.failures import classify, describe
from app.engine.records import Masking
from app.engine.rendering import Prepared, prepare_step

log = logging.getLogger("flowdeck.engine")
RUNNING_MARK_AFTER_S = 0.02  # well under the live view's push window and a person's eye


@dataclass(frozen=True)
class StepOutcome:
    status: StepStatus
    output: Any = None
    error: str | None = None


@dataclass
class RunScope:
    """What every step of one execution shares."""

    execution_id: int
    workflow_id: int
    retry_of: int | None
    emit: Callable[..., Any]
    max_data_bytes: int
    #: Every secret value of the run: secret env values, the webhook secret, and each
    #: credential a step loads (the actions add them through `StepContext.secrets`).
    secrets: SecretValues = field(default_factory=SecretValues)
    #: How many secrets were known at the first write; more since means a final re-mask.
    known_at_first_write: int | None = None
    workflow_name: str = ""
    #: Told the resume time of every wait recorded (the engine's wait clock looks again).
    on_wait: Callable[[Any], None] | None = None
    #: Set when Flowdeck stops: a step cut short is `interrupted`, not `cancelled`.
    interrupted: bool = False
    #: The run's step ends on their way to the database (written in batches).
    ends: EndWrites = field(init=False)

    def __post_init__(self) -> None:
        self.ends = EndWrites(self.emit)

    def masking(self) -> Masking:
        if self.known_at_first_write is None:
            self.known_at_first_write = len(self.secrets)
        return Masking(self.secrets.snapshot(), self.max_data_bytes)

    @property
    def learned_secrets_late(self) -> bool:
        first = self.known_at_first_write
        return first is not None and len(self.secrets) > first


def _base(scope: RunScope, step_id: int, position: int, action: dict[str, Any]) -> dict:
    return {
        "execution_id": scope.execution_id,
        "workflow_id": scope.workflow_id,
        "step_id": step_id,
        "position": position,
        "action_id": action["id"],
    }


def record_skip(
    scope: RunScope,
    *,
    step_id: int,
    position: int,
    action: dict[str, Any],
    reason: str,
    counts: bool,
) -> StepOutcome:
    """A step the planner skipped (a branch not taken, a failed dependency), with the reason.

    `counts`: whether it moves the execution's progress (not when a failure caused it).
    """
    _record_end(
        scope,
        {**_base(scope, step_id, position, action), "status": StepStatus.SKIPPED.value},
        step_id,
        StepStatus.SKIPPED,
        started_at=None,
        skip_reason=reason,
        execution_id=scope.execution_id if counts else None,
    )
    return StepOutcome(StepStatus.SKIPPED)


async def run_step(
    scope: RunScope,
    *,
    step_id: int,
    position: int,
    action: dict[str, Any],
    context: dict[str, Any],
    reuse: dict[str, Any],
    depends_on: tuple[str, ...] = (),
    prepared: Prepared | None = None,
) -> StepOutcome:
    base = _base(scope, step_id, position, action)
    if action["id"] in reuse:
        output = reuse[action["id"]]
        _record_end(
            scope,
            {**base, "status": StepStatus.SUCCEEDED.value, "reused": True},
            step_id,
            StepStatus.SUCCEEDED,
            started_at=utcnow(),
            output=output,
            rendered_input={"reused_from_execution": scope.retry_of},
        )
        return StepOutcome(StepStatus.SUCCEEDED, output)

    if prepared is None:  # not rendered ahead (see `rendering.render_ahead`)
        prepared = await prepare_step(action, context)
    if prepared.error is not None:
        return _fail_early(scope, step_id, base, prepared.error)
    if prepared.skip_reason is not None:
        _record_end(
            scope,
            {**base, "status": StepStatus.SKIPPED.value},
            step_id,
            StepStatus.SKIPPED,
            started_at=None,
            skip_reason=prepared.skip_reason,
            execution_id=scope.execution_id,
        )
        return StepOutcome(StepStatus.SKIPPED)
    rendered, config = prepared.rendered, prepared.config

    started_at = utcnow()
    step = StepContext(
        execution_id=scope.execution_id,
        workflow_id=scope.workflow_id,
        action_id=action["id"],
        attempt=0,
        context=context,
        depends_on=depends_on,
        secrets=scope.secrets,
    )
    # A step that is still going after a moment is written `running`; a quicker one goes
    # straight to its end in one write (its start and input are part of that write). The
    # writer thread takes writes in order, so the mark always lands before the step's end.
    mark_running = asyncio.get_running_loop().call_later(
        RUNNING_MARK_AFTER_S,
        lambda: offload.submit_db_logged(
            records.step_started, step_id, rendered, started_at, scope.masking()
        ),
    )
    scope.emit("step.started", **base, name=action.get("name") or action["id"])
    policy = RetryPolicy.model_validate(action["retry"]) if action.get("retry") else NO_RETRY
    attempts: list[store.AttemptRecord] = []
    status, output, error = StepStatus.SUCCEEDED, None, None
    try:
        output = await attempt_loop(action, config, step, policy, attempts)
    except asyncio.CancelledError:
        mark_running.cancel()
        ended = StepStatus.INTERRUPTED if scope.interrupted else StepStatus.CANCELLED
        _record_end(
            scope,
            {**base, "status": ended.value},
            step_id,
            ended,
            started_at=started_at,
            error="interrupted: Flowdeck stopped while this step ran"
            if scope.interrupted
            else "cancelled",
            attempts=attempts,
            rendered_input=rendered,
        )
        raise
    except Exception as exc:
        status, error = StepStatus.FAILED, describe(exc, action.get("timeout_s"))
        output = getattr(exc, "output", None)
    mark_running.cancel()
    if isinstance(output, Suspend):
        return await _wait(scope, base, output, started_at, rendered, len(attempts))
    skip_reason = None
    if isinstance(output, Skip):  # the action found nothing it could do, and said why
        status, skip_reason, output = StepStatus.SKIPPED, output.reason, output.output
    error = scope.masking().error(error)  # what is stored, published and reported
    _record_end(
        scope,
        {**base, "status": status.value, "error": error, "attempts": len(attempts)},
        step_id,
        status,
        started_at=started_at,
        output=output,
        error=error,
        skip_reason=skip_reason,
        attempts=attempts,
        rendered_input=rendered,
        execution_id=scope.execution_id,
    )
    return StepOutcome(status, output, error)


async def attempt_loop(
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


async def _wait(
    scope: RunScope,
    base: dict[str, Any],
    suspend: Suspend,
    started_at: Any,
    rendered: Any,
    attempts: int,
) -> StepOutcome:
    """The step waits: recorded (awaited: the run may end right after), announced, and a
    child run that already ended resolves it at once."""
    recorded = await offload.db(
        waits.record,
        execution_id=scope.execution_id,
        workflow_id=scope.workflow_id,
        step_id=base["step_id"],
        action_id=base["action_id"],
        suspend=suspend,
        started_at=started_at,
        rendered_input=rendered,
        attempts=attempts,
        masking=scope.masking(),
    )
    approval = suspend.approval or {}
    scope.emit(
        "step.waiting",
        **base,
        status=StepStatus.WAITING.value,
        workflow_name=scope.workflow_name,
        kind=suspend.kind,
        wait_id=recorded.wait_id,
        approval_id=recorded.approval_id,
        approvers=list(approval.get("approvers") or []),
        message=approval.get("message"),
        resume_at=suspend.resume_at.isoformat() if suspend.resume_at else None,
    )
    if suspend.resume_at is not None and scope.on_wait is not None:
        scope.on_wait(suspend.resume_at)
    if suspend.child_execution_id is not None:
        await offload.db(waits.resolve_child, suspend.child_execution_id)
    return StepOutcome(StepStatus.WAITING)


def _ms(clock: float) -> float:
    return round((time.perf_counter() - clock) * 1000, 3)


def _fail_early(scope: RunScope, step_id: int, base: dict[str, Any], error: str) -> StepOutcome:
    """A step whose condition or config cannot be evaluated fails without any attempt."""
    error = scope.masking().error(error) or ""
    event = {**base, "status": StepStatus.FAILED.value, "error": error}
    _record_end(scope, event, step_id, StepStatus.FAILED, started_at=utcnow(), error=error)
    return StepOutcome(StepStatus.FAILED, None, error)


def _record_end(
    scope: RunScope,
    event: dict[str, Any],
    step_id: int,
    status: StepStatus,
    **fields: Any,
) -> None:
    """Buffer the step's end for the run's next batch (see `end_writes`); `step.finished` is
    published once it is written.

    The run goes on without waiting: writes land in order, and the execution's own end waits
    for all of them. Listeners that read the database on the event find the step written.
    """
    scope.ends.add(
        end_now(step_id=step_id, status=status, masking=scope.masking(), event=event, **fields)
    )
