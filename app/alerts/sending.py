"""One delivery from start to finish: load the target, send, record each attempt, retry.

Shared by the dispatcher (retries with backoff) and "Send test" (one attempt, no counters).
Whatever a channel or the network raises becomes a failed `SendResult` whose error has every
secret of the target masked, so nothing stored or logged can carry a webhook URL or token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import httpx

from app.alerts import records
from app.alerts.base import SEND_TIMEOUT_S, SendResult, Target, get_channel
from app.alerts.messages import AlertMessage
from app.alerts.records import Job
from app.core.errors import FlowdeckError
from app.core.redact import redact
from app.core.retry import RetryPolicy, delay_for, should_retry
from app.integrations.credentials import record_use

log = logging.getLogger("flowdeck.alerts")

#: The longest wait a 429 may ask for that Flowdeck honours; longer ones fail the delivery.
MAX_RETRY_AFTER_S = 300.0
MAX_ERROR = 2000


@dataclass(frozen=True)
class Outcome:
    """One attempt's result and how long it took."""

    result: SendResult
    latency_ms: float


def retry_wait(
    policy: RetryPolicy, attempt: int, retry_after: float | None, rand: float, cap: float
) -> float | None:
    """Seconds before the next attempt: the backoff, or longer if the remote asked for it.

    None when the remote asks for more than `cap`: holding a delivery that long helps no one.
    """
    backoff = delay_for(policy, attempt, rand)
    if retry_after is None:
        return backoff
    if retry_after > cap:
        return None
    return max(backoff, retry_after)


async def send_once(target: Target, message: AlertMessage) -> Outcome:
    """One attempt through the target's channel, timed; never raises for a failure."""
    started = time.perf_counter()
    try:
        result = await get_channel(target.alert_type).send(target, message)
    except httpx.TimeoutException:
        result = SendResult.failed(f"no answer within {SEND_TIMEOUT_S:g} s", kind="timeout")
    except httpx.TransportError as exc:
        result = SendResult.failed(
            f"connection failed: {exc.__class__.__name__}: {exc}", kind="connection"
        )
    except FlowdeckError as exc:  # the address guard, an unreadable secret, a bad URL
        result = SendResult.failed(exc.message)
    except Exception as exc:
        text = redact(f"{exc.__class__.__name__}: {exc}", target.secret_values())
        log.error("alert %s: the %s channel failed: %s", target.alert_id, target.alert_type, text)
        result = SendResult.failed(f"internal error: {exc.__class__.__name__}")
    latency = (time.perf_counter() - started) * 1000
    if result.error:
        error = str(redact(result.error, target.secret_values()))[:MAX_ERROR]
        result = replace(result, error=error)
    return Outcome(result, latency)


async def _record(job: Job, attempt: int, outcome: Outcome) -> None:
    await asyncio.to_thread(
        records.record_attempt, job.delivery_id, attempt, outcome.result, outcome.latency_ms
    )


async def deliver(
    job: Job,
    *,
    policy: RetryPolicy,
    publish: Callable[..., Any],
    clock: Callable[[], datetime],
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    slots: asyncio.Semaphore | None = None,
    rand: Callable[[], float] = random.random,
    count: bool = True,
) -> SendResult:
    """Send `job` until it is delivered or no retry is left; the row says how it went.

    `slots` bounds how many sends run at once (released while waiting to retry); `count`
    raises the alert's delivered / failed counter (not for test sends).
    """
    try:
        target = await asyncio.to_thread(records.load_target, job.alert_id)
    except FlowdeckError as exc:
        outcome = Outcome(SendResult.failed(exc.message), 0.0)
        await _record(job, 0, outcome)
        await asyncio.to_thread(
            records.finish, job.delivery_id, job.alert_id, ok=False, now=clock(), count=count
        )
        return outcome.result
    attempt = 0
    while True:
        attempt += 1
        async with slots or contextlib.nullcontext():
            outcome = await send_once(target, job.message)
        result = outcome.result
        wait: float | None = None
        if not result.ok and should_retry(policy, attempt, result.failure_kind or "error"):
            wait = retry_wait(policy, attempt, result.retry_after, rand(), MAX_RETRY_AFTER_S)
            if wait is None:
                note = f" (asked to wait {result.retry_after:g} s; Flowdeck waits at most "
                result = replace(result, error=f"{result.error}{note}{MAX_RETRY_AFTER_S:g} s)")
                outcome = Outcome(result, outcome.latency_ms)
        await _record(job, attempt, outcome)
        if wait is None:
            break
        await sleep(wait)
    await asyncio.to_thread(
        records.finish, job.delivery_id, job.alert_id, ok=result.ok, now=clock(), count=count
    )
    _report(job, target, result, attempt)
    if result.ok:
        for name, data in result.events:
            publish(name, **data)
        if target.connection is not None:
            await asyncio.to_thread(record_use, target.connection.id)
    return result


def _report(job: Job, target: Target, result: SendResult, attempts: int) -> None:
    if result.ok:
        log.info(
            "alert %s (%s) delivery %s delivered after %d attempt(s)",
            target.alert_id, target.alert_type, job.delivery_id, attempts,
        )  # fmt: skip
    else:
        log.warning(
            "alert %s (%s) delivery %s failed after %d attempt(s): %s",
            target.alert_id, target.alert_type, job.delivery_id, attempts, result.error,
        )  # fmt: skip
