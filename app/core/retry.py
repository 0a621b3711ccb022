"""Retry policies as small frozen values, the pure maths on them, and one tenacity adapter.

The engine records every attempt, so the decisions "retry or not" and "how long to wait" must be
plain functions that tests can table out; tenacity only executes them (see
`to_tenacity_kwargs`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel
from tenacity import RetryCallState, stop_after_attempt

RetryStrategy = Literal["none", "immediate", "linear", "exponential"]
RetryOn = Literal["timeout", "connection", "http_5xx", "http_429"]
#: What a failed attempt is classified as. `validation` (bad config or input) never retries and
#: `error` (anything unclassified) is not retryable either: retrying a bug only hides it.
FailureKind = Literal["timeout", "connection", "http_5xx", "http_429", "validation", "error"]
FAILURE_KINDS: frozenset[str] = frozenset(
    {"timeout", "connection", "http_5xx", "http_429", "validation", "error"}
)
_ALL_RETRY_ON: tuple[RetryOn, ...] = ("timeout", "connection", "http_5xx", "http_429")


class RetryPolicy(BaseModel):
    """How often and how patiently an action is retried.

    `max_attempts` counts every attempt including the first, and defaults to 1 for strategy
    `none` and 3 otherwise. With strategy `none` the action is never retried, whatever
    `max_attempts` says (see `attempts`).
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        loc_by_alias=False,
    )

    strategy: RetryStrategy = "none"
    max_attempts: int = Field(3, ge=1, le=20)
    delay_s: float = Field(1.0, ge=0, allow_inf_nan=False)
    factor: float = Field(2.0, ge=1, allow_inf_nan=False)
    max_delay_s: float = Field(60.0, ge=0, allow_inf_nan=False)
    jitter: bool = False
    retry_on: tuple[RetryOn, ...] = _ALL_RETRY_ON

    @model_validator(mode="before")
    @classmethod
    def _default_attempts(cls, data: Any) -> Any:
        if isinstance(data, dict) and "max_attempts" not in data and "maxAttempts" not in data:
            return {**data, "max_attempts": 1 if data.get("strategy", "none") == "none" else 3}
        return data

    @property
    def attempts(self) -> int:
        """Attempts actually allowed: 1 for strategy `none`, else `max_attempts`."""
        return 1 if self.strategy == "none" else self.max_attempts


NO_RETRY = RetryPolicy()


def delay_for(policy: RetryPolicy, attempt_number: int, rand: float = 0.5) -> float:
    """Seconds to wait after attempt `attempt_number` (1-based) failed, before the next one.

    immediate: 0; linear: `delay_s * n`; exponential: `delay_s * factor ** (n - 1)`. Linear and
    exponential are capped at `max_delay_s`. With `jitter`, the capped delay is scaled by
    `0.5 + rand / 2` ("equal jitter"): it stays within [delay/2, delay), so retries from many
    executions spread out but never wait longer than the cap or much shorter than planned.
    `rand` is passed in (random.random() in production) so the result is reproducible in tests.
    """
    if attempt_number < 1:
        raise ValueError(f"attempt_number must be >= 1, got {attempt_number}")
    if not 0 <= rand < 1:
        raise ValueError(f"rand must be in [0, 1), got {rand}")
    if policy.strategy in ("none", "immediate"):
        return 0.0
    if policy.strategy == "linear":
        raw = policy.delay_s * attempt_number
    else:
        try:
            raw = policy.delay_s * policy.factor ** (attempt_number - 1)
        except OverflowError:
            raw = math.inf
    delay = min(raw, policy.max_delay_s)
    return delay * (0.5 + rand / 2) if policy.jitter else delay


def should_retry(policy: RetryPolicy, attempt_number: int, failure_kind: str) -> bool:
    """Whether attempt `attempt_number` (1-based), which failed as `failure_kind`, gets another.

    Unknown kinds are treated like `error` (not retried) rather than raising, because this runs
    inside the retry loop where an exception would hide the original failure.
    """
    if policy.strategy == "none" or attempt_number >= policy.attempts:
        return False
    return failure_kind in policy.retry_on


def to_tenacity_kwargs(
    policy: RetryPolicy, classify: Callable[[BaseException], str]
) -> dict[str, Any]:
    """Keyword arguments for `tenacity.AsyncRetrying(**kwargs)` that execute `policy`.

    `classify` maps an exception to a failure kind (see `FailureKind`); it belongs to the engine,
    which knows its HTTP and timeout exceptions. The last exception is re-raised unchanged.
    """

    def retry(state: RetryCallState) -> bool:
        outcome = state.outcome
        if outcome is None or not outcome.failed:
            return False
        error = outcome.exception()
        return error is not None and should_retry(policy, state.attempt_number, classify(error))

    def wait(state: RetryCallState) -> float:
        return delay_for(policy, state.attempt_number, random.random())

    return {
        "stop": stop_after_attempt(policy.attempts),
        "wait": wait,
        "retry": retry,
        "reraise": True,
    }
