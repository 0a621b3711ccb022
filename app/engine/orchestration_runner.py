"""Running an orchestration's calls on the engine's loop: `run_calls`. No database.

What runs next is the workflow planner's answer (`app.core.planner.plan` over
`app.core.orchestration.call_graph`, `parallel_limit` calls at once); this module only carries
it out: start the calls it names (each a task: render, send, retry, extract; see
`orchestration_call`), record the skips it decides with their reasons, and ask again whenever a
call ends. A call skipped by its own condition passes through to its dependents except in
`conditional` mode, where it gates its branch (`condition_skips_dependents`).

Nothing blocks the loop: templates render in a render thread under a budget (those that only
look values up in small data render in place, cheaper than the hop), connections load in a
thread, big bodies are parsed and masked in one.

Templates see `inputs`, `calls.<id>.<name>` (extracted values) and `calls.<id>.response`
(`status`, `headers`, `body`), `prev` (the nearest call listed before this one that got an
answer: the previous call in a pipeline), `env` and `now` (ISO text, as in workflows).

The overall `timeout_s` cancels what is in flight: those calls end `cancelled`, calls not
started yet too, and the run `failed` with "timed out after N s". A run cancelled from outside
(its task) records the same and re-raises. `on_call` is awaited when each call starts and ends
(and for each skip and cancel); a failing `on_call` is logged, never fails the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from app.core.orchestration import (
    OrchestrationSpec,
    call_graph,
    condition_skips_dependents,
    parallel_limit,
    run_outcome,
)
from app.core.planner import StepState, plan
from app.core.redact import SecretValues
from app.db.settings import get_settings
from app.engine.failures import describe
from app.engine.http import outbound_client
from app.engine.orchestration_call import (
    CallEnv,
    build_request,
    extracted_from,
    prepare_call,
    send,
)
from app.engine.orchestration_records import BIG_BODY_BYTES, CallRecord, RunRecord

log = logging.getLogger("flowdeck.engine")

OnCall = Callable[[CallRecord], Awaitable[None]]
#: Templates that only look values up render in place while the data they can reach stays
#: under this (a lookup copies what it finds); past it every template goes to a thread.
SMALL_CONTEXT_BYTES = 256 * 1024

__all__ = ["CallRecord", "OnCall", "RunRecord", "run_calls"]


class _Run:
    """One run's state: the records, the planner's view of them, the template context."""

    def __init__(
        self,
        spec: OrchestrationSpec,
        inputs: Mapping[str, Any],
        env: Mapping[str, Any],
        now: datetime,
        on_call: OnCall | None,
        secrets: SecretValues,
    ) -> None:
        self.spec = spec
        self.calls = {call.id: call for call in spec.calls}
        self.order = [call.id for call in spec.calls]
        self.records = {
            call.id: CallRecord(id=call.id, method=call.method, secrets=secrets)
            for call in spec.calls
        }
        self.states: dict[str, StepState] = {}
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.answered: dict[str, dict[str, Any]] = {}  # call id → its entry in `calls`
        #: Bytes of data the templates can reach (inputs, env, the answers so far), roughly.
        self.context_bytes = len(json.dumps([inputs, env], default=str))
        self.base = {"inputs": dict(inputs), "env": dict(env), "now": now.isoformat()}
        self.on_call = on_call
        self.secrets = secrets
        self.started = time.perf_counter()
        self.by_condition = not condition_skips_dependents(spec)

    @property
    def small_context(self) -> bool:
        return self.context_bytes <= SMALL_CONTEXT_BYTES

    def ms(self) -> float:
        return round((time.perf_counter() - self.started) * 1000, 3)

    async def notify(self, record: CallRecord) -> None:
        if self.on_call is None:
            return
        try:
            await self.on_call(record)
        except Exception:
            log.exception("orchestration: on_call failed for call %s", record.id)

    def context(self, call_id: str) -> dict[str, Any]:
        """The template context of one call: a snapshot, so renders in threads see no change."""
        prev: dict[str, Any] = {}
        for earlier in reversed(self.order[: self.order.index(call_id)]):
            if earlier in self.answered:
                prev = self.answered[earlier]
                break
        return {**self.base, "calls": dict(self.answered), "prev": prev}


async def _run_one(run: _Run, call_id: str, env: CallEnv) -> None:
    """One call from start to end; the record says how it ended (cancellation re-raised)."""
    call, record = run.calls[call_id], run.records[call_id]
    record.status, record.start_ms = "running", run.ms()
    await run.notify(record)
    try:
        prepared = await prepare_call(call, run.context(call_id), small=run.small_context)
        if prepared.skip is not None:
            record.status, record.reason = "skipped", prepared.skip
        elif prepared.error is not None:
            record.status, record.error = "failed", prepared.error
        else:
            await _send(run, call_id, prepared.parts, env)
    except asyncio.CancelledError:
        record.status = "cancelled"
        record.duration_ms = round(run.ms() - record.start_ms, 3)
        raise
    record.duration_ms = round(run.ms() - record.start_ms, 3)
    await run.notify(record)


async def _send(run: _Run, call_id: str, parts: dict[str, Any], env: CallEnv) -> None:
    call, record = run.calls[call_id], run.records[call_id]
    record.url = parts["url"] if isinstance(parts.get("url"), str) else ""
    try:
        request = await build_request(call, parts, env)
    except Exception as exc:  # a bad URL, a missing or unreadable connection
        record.status, record.error = "failed", describe(exc)
        return
    record.url = request.url
    record.request = {"headers": dict(request.headers), "body": request.body}
    try:
        await send(request, call, call.retry or run.spec.retry, record, env)
    except Exception as exc:
        record.status, record.error = "failed", _failure(record, exc, call.timeout_s)
    else:
        record.status = "succeeded"
        record.extracted = extracted_from(call, record)
    if record.response is not None:
        run.answered[call_id] = {**record.extracted, "response": dict(record.response)}
        run.context_bytes += record.response_bytes or 0
        if (record.response_bytes or 0) > BIG_BODY_BYTES:  # mask and cap it once, off the loop
            await asyncio.to_thread(record.stored_body, "response")


def _failure(record: CallRecord, exc: BaseException, timeout_s: float) -> str:
    message = describe(exc, timeout_s)
    tries = len(record.attempts)
    return f"{message} (after {tries} attempts)" if tries > 1 else message


async def _walk(run: _Run, env: CallEnv) -> None:
    """Carry out the planner's answers until it names an outcome."""
    graph, limit = call_graph(run.spec), parallel_limit(run.spec)
    while True:
        decided = plan(graph, run.states, max_parallel=limit)
        for call_id, reason in decided.skip.items():
            run.states[call_id] = StepState("skipped")
            record = run.records[call_id]
            record.status, record.reason = "skipped", reason
            await run.notify(record)
        for call_id in decided.start:
            run.states[call_id] = StepState("running")
            run.tasks[call_id] = asyncio.create_task(_run_one(run, call_id, env))
        if decided.outcome is not None:
            return
        done, _ = await asyncio.wait(run.tasks.values(), return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            call_id = next(cid for cid, t in run.tasks.items() if t is task)
            del run.tasks[call_id]
            task.result()  # a bug in the runner surfaces here rather than hanging the run
            status = run.records[call_id].status
            by_condition = status == "skipped" and run.by_condition
            run.states[call_id] = StepState(status, by_condition=by_condition)


async def _stop(run: _Run, why: str) -> None:
    """Cancel the calls in flight and mark every unfinished call cancelled, with `why`."""
    tasks = list(run.tasks.values())
    for task in tasks:
        task.cancel()
    with contextlib.suppress(BaseException):
        await asyncio.gather(*tasks, return_exceptions=True)
    run.tasks.clear()
    for call_id in run.order:
        record = run.records[call_id]
        if record.ended and record.status != "cancelled":
            continue
        if record.status == "pending":
            record.reason = f"not started: {why}"
        else:
            record.error = f"cancelled: {why}"
            if record.start_ms is not None and record.duration_ms is None:
                record.duration_ms = round(run.ms() - record.start_ms, 3)
        record.status = "cancelled"
        await run.notify(record)


def _result(run: _Run, error: str | None = None) -> RunRecord:
    records = [run.records[call_id] for call_id in run.order]
    if error is not None:
        status = "failed"
    else:
        tolerated = {call.id for call in run.spec.calls if call.continue_on_error}
        status = run_outcome({r.id: r.status for r in records}, tolerated)
        failed = next((r for r in records if r.status == "failed" and r.id not in tolerated), None)
        if failed is not None:
            error = f'call "{failed.id}" failed: {failed.error}'
    return RunRecord(status, run.ms(), records, error, secrets=run.secrets)


async def run_calls(
    spec: OrchestrationSpec,
    inputs: Mapping[str, Any],
    *,
    env: Mapping[str, Any],
    now: datetime,
    on_call: OnCall | None = None,
    secrets: SecretValues | None = None,
) -> RunRecord:
    """Run every call of `spec` as its mode says; the record of each call, in listed order.

    `secrets`: the values to mask in what is stored (a workflow step passes its execution's;
    by default the secret FLOWDECK_ENV_* values). Connection credentials the calls load are
    added to it.
    """
    if secrets is None:
        secrets = SecretValues(get_settings().secret_env_values)
    run = _Run(spec, inputs, env, now, on_call, secrets)
    timer = asyncio.timeout(spec.timeout_s)
    async with outbound_client(timeout=max(c.timeout_s for c in spec.calls)) as client:
        env_ = CallEnv(client=client, secrets=secrets, clock=run.ms)
        try:
            async with timer:
                await _walk(run, env_)
        except TimeoutError:
            if not timer.expired():
                raise
            why = f"the run timed out after {spec.timeout_s:g} s"
            await _stop(run, why)
            return _result(run, error=f"timed out after {spec.timeout_s:g} s")
        except asyncio.CancelledError:
            await _stop(run, "the run was cancelled")
            raise
        except BaseException:
            await _stop(run, "the run stopped on an internal error")
            raise
    return _result(run)
