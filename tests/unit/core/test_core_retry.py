"""Retry policies: defaults, delay tables per strategy, retry decisions, tenacity adapter."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from tenacity import AsyncRetrying, Retrying

from app.core.retry import RetryPolicy, delay_for, should_retry, to_tenacity_kwargs


def test_defaults_depend_on_strategy() -> None:
    assert RetryPolicy().max_attempts == 1
    assert RetryPolicy(strategy="linear").max_attempts == 3
    assert RetryPolicy.model_validate({"strategy": "exponential"}).max_attempts == 3
    policy = RetryPolicy()
    assert (policy.delay_s, policy.factor, policy.max_delay_s, policy.jitter) == (1, 2, 60, False)
    assert policy.retry_on == ("timeout", "connection", "http_5xx", "http_429")


def test_camel_case_in_snake_case_out_and_frozen() -> None:
    policy = RetryPolicy.model_validate(
        {
            "strategy": "linear",
            "maxAttempts": 4,
            "delayS": 2,
            "maxDelayS": 5,
            "retryOn": ["timeout"],
        }
    )
    assert policy.model_dump(mode="json") == {
        "strategy": "linear",
        "max_attempts": 4,
        "delay_s": 2.0,
        "factor": 2.0,
        "max_delay_s": 5.0,
        "jitter": False,
        "retry_on": ["timeout"],
    }
    with pytest.raises(ValidationError):
        policy.max_attempts = 9  # type: ignore[misc]
    assert hash(policy) == hash(RetryPolicy.model_validate(policy.model_dump()))


@pytest.mark.parametrize(
    "data",
    [
        {"strategy": "fibonacci"},
        {"maxAttempts": 0},
        {"maxAttempts": 21},
        {"delayS": -1},
        {"factor": 0.5},
        {"retryOn": ["validation"]},
        {"delay_s": float("inf")},
        {"max_retries": 3},
    ],
)
def test_invalid_policies(data: dict) -> None:
    with pytest.raises(ValidationError):
        RetryPolicy.model_validate(data)


@pytest.mark.parametrize(
    ("policy", "attempt", "rand", "expected"),
    [
        (RetryPolicy(), 1, 0.5, 0.0),
        (RetryPolicy(strategy="immediate", delay_s=5), 1, 0.5, 0.0),
        (RetryPolicy(strategy="immediate", delay_s=5), 7, 0.5, 0.0),
        (RetryPolicy(strategy="linear", delay_s=2), 1, 0.5, 2.0),
        (RetryPolicy(strategy="linear", delay_s=2), 3, 0.5, 6.0),
        (RetryPolicy(strategy="linear", delay_s=2, max_delay_s=5), 3, 0.5, 5.0),
        (RetryPolicy(strategy="exponential", delay_s=1), 1, 0.5, 1.0),
        (RetryPolicy(strategy="exponential", delay_s=1), 2, 0.5, 2.0),
        (RetryPolicy(strategy="exponential", delay_s=1), 4, 0.5, 8.0),
        (RetryPolicy(strategy="exponential", delay_s=0.5, factor=3), 3, 0.5, 4.5),
        (RetryPolicy(strategy="exponential", delay_s=1, max_delay_s=10), 5, 0.5, 10.0),
        (RetryPolicy(strategy="exponential", delay_s=1, max_delay_s=60), 20, 0.5, 60.0),
        (RetryPolicy(strategy="exponential", factor=1e300, max_delay_s=30), 20, 0.5, 30.0),
        # jitter: delay * (0.5 + rand / 2), applied after the cap
        (RetryPolicy(strategy="exponential", delay_s=4, jitter=True), 1, 0.0, 2.0),
        (RetryPolicy(strategy="exponential", delay_s=4, jitter=True), 1, 0.5, 3.0),
        (RetryPolicy(strategy="linear", delay_s=10, max_delay_s=8, jitter=True), 2, 0.0, 4.0),
        (RetryPolicy(strategy="immediate", jitter=True), 1, 0.9, 0.0),
    ],
)
def test_delay_for(policy: RetryPolicy, attempt: int, rand: float, expected: float) -> None:
    assert delay_for(policy, attempt, rand) == pytest.approx(expected)


@pytest.mark.parametrize("rand", [0.0, 0.25, 0.5, 0.999999])
@pytest.mark.parametrize("attempt", [1, 3, 8, 20])
def test_jitter_stays_within_half_and_full_capped_delay(rand: float, attempt: int) -> None:
    plain = RetryPolicy(strategy="exponential", delay_s=1.5, max_delay_s=45)
    jittered = plain.model_copy(update={"jitter": True})
    full = delay_for(plain, attempt)
    assert full / 2 <= delay_for(jittered, attempt, rand) < full or full == 0
    assert delay_for(jittered, attempt, rand) <= 45


@pytest.mark.parametrize(("attempt", "rand"), [(0, 0.5), (-1, 0.5), (1, 1.0), (1, -0.1)])
def test_delay_for_rejects_bad_arguments(attempt: int, rand: float) -> None:
    with pytest.raises(ValueError):
        delay_for(RetryPolicy(strategy="linear"), attempt, rand)


LINEAR_3 = RetryPolicy(strategy="linear", max_attempts=3)


@pytest.mark.parametrize(
    ("policy", "attempt", "kind", "expected"),
    [
        (LINEAR_3, 1, "timeout", True),
        (LINEAR_3, 1, "connection", True),
        (LINEAR_3, 2, "http_5xx", True),
        (LINEAR_3, 1, "http_429", True),
        (LINEAR_3, 3, "timeout", False),  # out of attempts
        (LINEAR_3, 1, "validation", False),  # never retried
        (LINEAR_3, 1, "error", False),
        (LINEAR_3, 1, "something-new", False),
        (RetryPolicy(strategy="none", max_attempts=5), 1, "timeout", False),
        (RetryPolicy(strategy="immediate", retry_on=["http_429"]), 1, "http_429", True),
        (RetryPolicy(strategy="immediate", retry_on=["http_429"]), 1, "http_5xx", False),
        (RetryPolicy(strategy="exponential", max_attempts=1), 1, "timeout", False),
    ],
)
def test_should_retry(policy: RetryPolicy, attempt: int, kind: str, expected: bool) -> None:
    assert should_retry(policy, attempt, kind) is expected


class Flaky:
    """Fails with the given exceptions in order, then returns "ok"."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def classify(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "timeout"
    if isinstance(error, ValueError):
        return "validation"
    return "error"


def run(policy: RetryPolicy, flaky: Flaky, sleeps: list[float]) -> str:
    retrying = Retrying(sleep=sleeps.append, **to_tenacity_kwargs(policy, classify))
    return retrying(flaky)


def test_tenacity_retries_retryable_failures_with_policy_delays() -> None:
    sleeps: list[float] = []
    flaky = Flaky(TimeoutError(), TimeoutError())
    policy = RetryPolicy(strategy="exponential", max_attempts=3, delay_s=2)
    assert run(policy, flaky, sleeps) == "ok"
    assert flaky.calls == 3
    assert sleeps == [2.0, 4.0]


def test_tenacity_reraises_the_last_error_when_attempts_run_out() -> None:
    sleeps: list[float] = []
    flaky = Flaky(TimeoutError("1"), TimeoutError("2"), TimeoutError("3"))
    with pytest.raises(TimeoutError, match="2"):
        run(RetryPolicy(strategy="immediate", max_attempts=2), flaky, sleeps)
    assert flaky.calls == 2 and sleeps == [0.0]


@pytest.mark.parametrize("error", [ValueError("bad config"), RuntimeError("bug")])
def test_tenacity_does_not_retry_non_retryable_failures(error: Exception) -> None:
    flaky = Flaky(error)
    with pytest.raises(type(error)):
        run(RetryPolicy(strategy="immediate", max_attempts=5), flaky, [])
    assert flaky.calls == 1


def test_tenacity_jitter_uses_bounded_random_delays() -> None:
    sleeps: list[float] = []
    policy = RetryPolicy(strategy="linear", max_attempts=4, delay_s=10, jitter=True)
    run(policy, Flaky(TimeoutError(), TimeoutError(), TimeoutError()), sleeps)
    assert len(sleeps) == 3
    for attempt, delay in enumerate(sleeps, start=1):
        assert 5 * attempt <= delay < 10 * attempt


def test_tenacity_kwargs_shape() -> None:
    kwargs = to_tenacity_kwargs(RetryPolicy(strategy="linear"), classify)
    assert set(kwargs) == {"stop", "wait", "retry", "reraise"} and kwargs["reraise"] is True


async def test_async_retrying_runs_the_same_policy() -> None:
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    flaky = Flaky(TimeoutError(), ConnectionError())
    policy = RetryPolicy(strategy="linear", max_attempts=3, delay_s=1.5)
    kinds = {TimeoutError: "timeout", ConnectionError: "connection"}
    kwargs = to_tenacity_kwargs(policy, lambda error: kinds.get(type(error), "error"))
    async for attempt in AsyncRetrying(sleep=sleep, **kwargs):
        with attempt:
            result = flaky()
    assert result == "ok" and flaky.calls == 3 and sleeps == [1.5, 3.0]
