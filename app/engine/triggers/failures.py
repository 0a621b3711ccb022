"""Runs that another run's failure starts: the `alert` trigger and "on failure run workflow X".

- `alert.fired` (published by the alert dispatcher once per alert that fires) starts every
  active workflow whose trigger is `alert` with no `alert_id` or this alert's id. Payload:
  `{"alert": {id, name, event, severity, delivery_id}, "execution": {id, workflow_id,
  workflow_name, status, link}, "error": {message, step} | null, "chain": [...]}`.
- `execution.finished` with status `failed` starts the workflow the failed run's workflow names
  in `on_failure_workflow_id` (whatever its own trigger), with trigger type `on_failure` and
  `{"execution": {id, status, error, failed_step, trigger_type}, "workflow": {id, name},
  "error": {message, step}, "chain": [...]}`.

`app.core.trigger_chains` decides whether each run may start (no workflow restarted by its own
failure, no cycle, bounded depth); a refusal is logged. Each start has a dedupe key (the alert
delivery, the failed execution), so a repeated event starts nothing twice. Like `EventTriggers`,
the database work runs on one worker thread of its own, never on the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlmodel import col, select

from app.core.statuses import ExecutionStatus
from app.core.trigger_chains import chain_of, next_chain
from app.db.engine import session_scope
from app.db.models import Execution, Workflow
from app.engine.bus import Event, EventBus, bus
from app.engine.runtime import start_run

log = logging.getLogger("flowdeck.triggers")
ALERT_FIRED = "alert.fired"
FINISHED = "execution.finished"


def _source(execution_id: Any) -> tuple[Execution | None, tuple[int, ...]]:
    """The run a failure is about and the chain it carries."""
    if not isinstance(execution_id, int):
        return None, ()
    with session_scope() as session:
        row = session.get(Execution, execution_id)
        if row is None:
            return None, ()
        session.expunge(row)
    return row, chain_of(row.trigger_type, row.trigger_payload)


def _alert_matches(config: dict[str, Any], alert_id: Any) -> bool:
    wanted = config.get("alert_id")
    return wanted is None or wanted == alert_id


def start_alert_workflows(data: dict[str, Any]) -> list[int]:
    """Start the `alert` workflows that want this firing; their new execution ids."""
    alert, execution = data.get("alert") or {}, data.get("execution") or {}
    source, chain = _source(execution.get("id"))
    source_workflow = source.workflow_id if source is not None else execution.get("workflow_id")
    with session_scope() as session:
        rows = session.exec(
            select(Workflow).where(
                col(Workflow.is_active).is_(True), Workflow.trigger_type == "alert"
            )
        ).all()
        for row in rows:
            session.expunge(row)
    started = []
    for row in rows:
        if not _alert_matches(row.trigger_config or {}, alert.get("id")):
            continue
        if not isinstance(source_workflow, int):
            continue
        new_chain, why = next_chain(chain, source_workflow, row.id or 0)
        if new_chain is None:
            log.info("workflow %s: alert %s not followed: %s", row.id, alert.get("id"), why)
            continue
        payload = {**data, "chain": list(new_chain)}
        key = f"alert:{alert.get('delivery_id')}"
        execution_id, created = start_run(
            row, trigger_type="alert", payload=payload, dedupe_key=key
        )
        if created:
            started.append(execution_id)
    return started


def start_failure_workflow(data: dict[str, Any]) -> int | None:
    """Start the "on failure" workflow of a failed run's workflow; its execution id."""
    if data.get("status") != ExecutionStatus.FAILED.value:
        return None
    source, chain = _source(data.get("execution_id"))
    if source is None:
        return None
    with session_scope() as session:
        workflow = session.get(Workflow, source.workflow_id)
        target_id = workflow.on_failure_workflow_id if workflow is not None else None
        target = session.get(Workflow, target_id) if target_id else None
        if workflow is None or target is None or not target.is_active:
            return None
        name = workflow.name
        session.expunge(target)
    new_chain, why = next_chain(chain, source.workflow_id, target.id or 0)
    if new_chain is None:
        log.info("workflow %s: failure of run %s not followed: %s", target.id, source.id, why)
        return None
    payload = {
        "execution": {
            "id": source.id,
            "status": source.status,
            "error": source.error,
            "failed_step": source.failed_step,
            "trigger_type": source.trigger_type,
        },
        "workflow": {"id": source.workflow_id, "name": name},
        "error": {"message": source.error, "step": source.failed_step},
        "chain": list(new_chain),
    }
    execution_id, created = start_run(
        target, trigger_type="on_failure", payload=payload, dedupe_key=f"on_failure:{source.id}"
    )
    return execution_id if created else None


class FailureTriggers:
    """The bus subscriber that turns alert firings and failed runs into runs."""

    def __init__(self, events: EventBus = bus) -> None:
        self.events = events
        self._worker: ThreadPoolExecutor | None = None
        self._handler = self._on_event  # one bound method, so that unsubscribe finds it

    def start(self) -> None:
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="flowdeck-failures")
        self.events.subscribe(ALERT_FIRED, self._handler)
        self.events.subscribe(FINISHED, self._handler)

    def stop(self) -> None:
        self.events.unsubscribe(self._handler)
        if self._worker is not None:
            self._worker.shutdown(wait=False)
            self._worker = None

    async def settle(self) -> None:
        """Wait until every event taken so far was handled (the worker runs them in order)."""
        if self._worker is not None:
            await asyncio.get_running_loop().run_in_executor(self._worker, lambda: None)

    def _on_event(self, event: Event) -> None:
        if event.name == FINISHED and event.data.get("status") != ExecutionStatus.FAILED.value:
            return  # most runs end well: nothing to read
        worker = self._worker
        if worker is not None:
            with contextlib.suppress(RuntimeError):  # stopped meanwhile
                worker.submit(self._dispatch_logged, event)

    def _dispatch_logged(self, event: Event) -> None:
        try:
            if event.name == ALERT_FIRED:
                start_alert_workflows(dict(event.data))
            else:
                start_failure_workflow(dict(event.data))
        except Exception:
            log.exception("could not start the workflows following %s", event.name)
