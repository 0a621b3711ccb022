"""Running an orchestration and recording it call by call, live.

By hand (UI, REST): `await start_run(actor, orchestration_id, inputs, trigger="api",
wait_s=None) -> dict` checks the role, opens the run and runs it as a task on the running loop
(the engine's: the API, the UI and the engine share one loop); with `wait_s` it waits that long
and returns the run as it then is (finished, or still `running`). Inactive orchestrations, and
rows whose stored definition a run would refuse, answer `Conflict` (409).

For the workflow step type `orchestration` (no actor, no role check: the workflow's author
chose it). Either in one call, on the loop:

    run_id, record = await record_run(
        orchestration_id, inputs, trigger="workflow", execution_id=..., secrets=step.secrets
    )   # NotFound / Conflict before anything runs; `record` is the runner's RunRecord

or piecewise (every function here but `execute`, `record_run`, `start_run` is synchronous: call
it from a thread, e.g. `app.engine.offload.db`, which keeps the writes in order):

    spec = load_for_run(orchestration_id)           # NotFound, Conflict (inactive / invalid)
    run_id, spec = open_run(orchestration_id, inputs, trigger="workflow", execution_id=...)
    record_call(run_id, call_record)                # each CallRecord (or its as_dict())
    finish_run(run_id, run_record)                  # the RunRecord (or its as_dict())

What is stored: `inputs` with secret-named keys and secret env values masked; each call's
`as_dict()` (masked and capped by the runner). `finish_run` ends the run once (a second call
does nothing) and moves the orchestration's counters: succeeded and partial runs count as
successes, failed and cancelled ones as failures; `avg_ms` is their running average and
`p95_ms` the 95th percentile of the last `P95_WINDOW` finished runs.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.core.errors import Conflict, Problem, ValidationFailed
from app.core.orchestration import OrchestrationSpec
from app.core.redact import SecretValues
from app.db.engine import session_scope
from app.db.settings import get_settings
from app.db.types import utcnow
from app.engine import offload, runtime
from app.engine import orchestration_step_runs as step_runs
from app.engine.bus import bus
from app.engine.orchestration_runner import CallRecord, RunRecord, run_calls
from app.services import audit
from app.services.actor import Actor
from app.services.orchestration_recording import (
    TRIGGERS,
    close_interrupted_runs,
    finish_run,
    load_for_run,
    masked,
    open_run,
    record_call,
    record_calls,
)

__all__ = [
    "TRIGGERS",
    "cancel_run",
    "end_interrupted_runs",
    "execute",
    "finish_run",
    "load_for_run",
    "open_run",
    "record_call",
    "record_run",
    "start_run",
]
log = logging.getLogger("flowdeck.orchestrations")
_LIVE: dict[int, asyncio.Task[RunRecord | None]] = {}  # runs going on in this process
_STOPPING: set[int] = set()  # runs cancelled because Flowdeck stops


async def execute(
    run_id: int,
    spec: OrchestrationSpec,
    inputs: Mapping[str, Any],
    *,
    secrets: SecretValues | None = None,
) -> RunRecord:
    """Run an opened run's calls, store each record as it comes, and finish the run.

    Call records are queued on the engine's writer thread without waiting (the runner never
    waits for the database), as few transactions as it keeps up with (`_CallWriter`); the end
    is queued after them, so it is written last. A run
    cancelled from outside is finished `cancelled` and the cancellation goes on.
    """

    writer = _CallWriter(run_id)

    async def on_call(record: CallRecord) -> None:
        writer.add(record.as_dict())  # now: the runner changes the record as the call goes on
        bus.publish_nowait(
            "orchestration.call", run_id=run_id, call_id=record.id, status=record.status
        )

    settings = get_settings()
    started = time.perf_counter()
    try:
        result = await run_calls(
            spec, inputs, env=settings.env_vars, now=utcnow(), on_call=on_call, secrets=secrets
        )
    except asyncio.CancelledError:
        ms = (time.perf_counter() - started) * 1000
        why = "Flowdeck stopped during the run" if run_id in _STOPPING else "the run was cancelled"
        await offload.db(finish_run, run_id, _ended("cancelled", ms, why))
        raise
    except Exception as exc:  # a bug or a broken connection: the run must still end
        log.exception("orchestration run %s failed inside the runner", run_id)
        ms = (time.perf_counter() - started) * 1000
        error = masked(f"the run stopped on an internal error: {exc}")
        await offload.db(finish_run, run_id, _ended("failed", ms, error))
        raise
    await offload.db(finish_run, run_id, result)
    return result


class _CallWriter:
    """Each call's latest record, written in as few transactions as the writer thread allows.

    A write is queued only when none is waiting; the queued one takes everything added until
    it runs (20 quick calls: a few transactions instead of 40). The writer thread runs jobs in
    order, so a run's end, queued after its last record, is written after it.
    """

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self._pending: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._queued = False

    def add(self, stored: dict[str, Any]) -> None:
        with self._lock:
            self._pending[str(stored.get("id"))] = stored
            if self._queued:
                return
            self._queued = True
        offload.submit_db_logged(self._flush)

    def _flush(self) -> None:  # on the writer thread
        with self._lock:
            batch, self._pending, self._queued = list(self._pending.values()), {}, False
        record_calls(self.run_id, batch)


def _ended(status: str, ms: float, error: str) -> dict[str, Any]:
    return {"status": status, "duration_ms": ms, "error": error, "calls": []}


async def record_run(
    orchestration_id: int,
    inputs: Mapping[str, Any] | None,
    *,
    trigger: str = "workflow",
    execution_id: int | None = None,
    created_by: int | None = None,
    secrets: SecretValues | None = None,
) -> tuple[int, RunRecord]:
    """Open, run and record a run of `orchestration_id`; its id and the runner's record."""
    run_id, spec = await offload.db(
        open_run,
        orchestration_id,
        inputs,
        trigger=trigger,
        created_by=created_by,
        execution_id=execution_id,
    )
    return run_id, await execute(run_id, spec, dict(inputs or {}), secrets=secrets)


def _open_by_hand(
    actor: Actor, orchestration_id: int, inputs: dict[str, Any], trigger: str
) -> tuple[int, OrchestrationSpec]:
    run_id, spec = open_run(orchestration_id, inputs, trigger=trigger, created_by=actor.user_id)
    with session_scope() as session:
        audit.record(
            session,
            actor,
            "orchestration.run",
            target_type="orchestration",
            target_id=orchestration_id,
            details={"run_id": run_id, "trigger": trigger},
        )
    return run_id, spec


async def start_run(
    actor: Actor,
    orchestration_id: int,
    inputs: Any = None,
    *,
    trigger: str = "api",
    wait_s: float | None = None,
) -> dict[str, Any]:
    """Run an orchestration by hand; with `wait_s`, wait up to that long for its end."""
    from app.services.orchestration_views import get_run

    actor.require_member()
    if inputs is not None and not isinstance(inputs, dict):
        raise ValidationFailed([Problem("inputs", "must be a JSON object")])
    if trigger not in ("manual", "api"):
        raise ValidationFailed([Problem("trigger", "must be manual or api")])
    runtime.current()  # 503 without an engine, as for workflow runs
    run_id, spec = await asyncio.to_thread(
        _open_by_hand, actor, orchestration_id, inputs or {}, trigger
    )
    task = asyncio.get_running_loop().create_task(_run_kept(run_id, spec, inputs or {}))
    _LIVE[run_id] = task
    task.add_done_callback(lambda _: _LIVE.pop(run_id, None))
    if wait_s:
        await asyncio.wait({task}, timeout=wait_s)
    return await asyncio.to_thread(get_run, actor, run_id)


async def _run_kept(
    run_id: int, spec: OrchestrationSpec, inputs: dict[str, Any]
) -> RunRecord | None:
    try:
        return await execute(run_id, spec, inputs)
    except Exception:  # already recorded and logged by `execute`
        return None


async def cancel_run(actor: Actor, run_id: int) -> dict[str, Any]:
    """Stop a run going on in this process: calls in flight are cancelled, the run too."""
    from app.services.orchestration_views import get_run

    actor.require_member()
    current = await asyncio.to_thread(get_run, actor, run_id)
    task = _LIVE.get(run_id)
    if current["status"] != "running" or task is None:
        raise Conflict(f"orchestration run {run_id} is not running in this process")
    task.cancel()
    await asyncio.wait({task}, timeout=10)
    return await asyncio.to_thread(get_run, actor, run_id)


async def stop_runs(limit_s: float = 10.0) -> list[int]:
    """Cancel the runs going on in this process (at shut-down); each ends `cancelled`.

    Runs a workflow step started end with their step (the engine stops those); this is for
    runs started by hand or over the API, which no engine task holds.
    """
    tasks = dict(_LIVE)
    for run_id, task in tasks.items():
        _STOPPING.add(run_id)
        task.cancel()
    if tasks:
        await asyncio.wait(tasks.values(), timeout=limit_s)
    _STOPPING.difference_update(tasks)
    return list(tasks)


async def end_interrupted_runs(started_at: datetime) -> list[int]:
    """Start-up: end the runs a dead process left `running` (opened before `started_at`).

    See `close_interrupted_runs`. Never raises: start-up goes on, the runs stay visible.
    """
    try:
        ended = await asyncio.to_thread(close_interrupted_runs, started_at)
    except Exception:
        log.exception("could not end the orchestration runs a stopped process left running")
        return []
    if ended:
        log.warning("ended %d orchestration run(s) left running by a stopped process", len(ended))
    return ended


step_runs.install(record_run)  # the engine's `orchestration` step runs through this service
