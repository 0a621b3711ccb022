"""`event` and `publish` triggers: internal domain events start the workflows waiting for them.

`EventTriggers` subscribes to the domain events on the bus (`article.*` for now) and, for each
event, starts every active workflow whose trigger is
- `event` with `config.event` equal to the event's name and an optional `filter` condition that
  is true for `{"event": <payload>}`; the run's trigger payload is the event's payload. A filter
  that cannot be evaluated is logged and counts as false: one broken workflow must not keep
  the others from running;
- `publish` when an article's status changes to the configured `article_status`, with
  `{"article_id", "status", "title"}` as the payload;
- `incident` when an incident is opened, escalated or resolved (`incident.*`, published by the
  incident actions and services), as `app.core.incident_trigger` decides.

The engine's own events (`execution.*`, `step.*`, `workflow.*`) are not offered: a workflow
triggered by its own runs would loop forever, and they are far too frequent to query for.

Matching reads the database and evaluates filters, so it runs on one worker thread of the
trigger's own (never the event loop), one event after another in the order they happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlmodel import col, select

from app.core.articles import status_name
from app.core.incident_trigger import incident_payload
from app.core.templates import evaluate_condition
from app.db.engine import session_scope
from app.db.models import Workflow
from app.engine.bus import Event, EventBus, bus
from app.engine.runtime import start_run

log = logging.getLogger("flowdeck.triggers")
DOMAIN_PREFIXES = ("article.", "incident.")
WATCHED_TYPES = ("event", "publish", "incident")
STATUS_CHANGED = "article.status_changed"


def _status_name(status: str) -> str:
    """Ours for the original's names too (a workflow stored before they were normalised)."""
    name = status.strip()
    found = status_name(name)
    return found.value if found else name.lower()


def _plain(data: Mapping[str, Any]) -> dict[str, Any]:
    """The payload as plain JSON (enums and datetimes become text) so it can be stored."""
    return json.loads(json.dumps(dict(data), default=str))


def event_payload(
    config: Mapping[str, Any], name: str, data: Mapping[str, Any], *, workflow_id: int = 0
) -> dict[str, Any] | None:
    """The trigger payload if an `event` trigger with `config` fires for this event, else None."""
    if config.get("event") != name:
        return None
    payload = _plain(data)
    condition = config.get("filter")
    if condition:
        try:
            if not evaluate_condition(condition, {"event": payload}):
                return None
        except Exception as exc:  # a bad filter is that workflow's problem, not the bus's
            log.warning(
                "workflow %s: event filter %r failed on %s (%s); not started",
                workflow_id,
                condition,
                name,
                exc,
            )
            return None
    return payload


def publish_payload(
    config: Mapping[str, Any], name: str, data: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The trigger payload if a `publish` trigger with `config` fires for this event, else None.

    Statuses compare case-insensitively, and the original design's `READY_TO_PUBLISH` means
    `ready`, so workflows written against its examples fire too.
    """
    wanted = _status_name(str(config.get("article_status") or "ready"))
    if name != STATUS_CHANGED or _status_name(str(data.get("status"))) != wanted:
        return None
    return _plain({key: data.get(key) for key in ("article_id", "status", "title")})


def _payload(row: Workflow, event: Event) -> dict[str, Any] | None:
    if row.trigger_type == "incident":
        payload, why = incident_payload(
            row.trigger_config,
            event.name,
            event.data,
            workflow_id=row.id or 0,
            evaluate=evaluate_condition,
        )
        if payload is None and why.startswith("the filter could not"):
            log.warning("workflow %s: incident filter: %s; not started", row.id, why)
        return payload
    if row.trigger_type == "event":
        return event_payload(row.trigger_config, event.name, event.data, workflow_id=row.id or 0)
    return publish_payload(row.trigger_config, event.name, event.data)


class EventTriggers:
    """The bus subscriber that turns domain events into runs."""

    def __init__(self, events: EventBus = bus) -> None:
        self.events = events
        self._loop: asyncio.AbstractEventLoop | None = None
        # One thread: events start their runs in the order they happened.
        self._worker: ThreadPoolExecutor | None = None
        self._handler = self._on_event  # one bound method, so that unsubscribe finds it

    def start(self) -> None:
        """Listen from now on; runs are started on the running (engine's) loop."""
        self._loop = asyncio.get_running_loop()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="flowdeck-events")
        for prefix in DOMAIN_PREFIXES:
            self.events.subscribe(prefix, self._handler)

    def stop(self) -> None:
        self.events.unsubscribe(self._handler)
        self._loop = None
        if self._worker is not None:
            self._worker.shutdown(wait=False)  # what is queued still starts its runs
            self._worker = None

    def _on_event(self, event: Event) -> None:
        # Reading the workflows, evaluating filters and queueing runs block: the trigger's
        # worker thread, never the loop (the engine accepts runs from any thread).
        worker = self._worker
        if worker is not None:
            with contextlib.suppress(RuntimeError):  # stopped meanwhile
                worker.submit(self._dispatch_logged, event)

    def _dispatch_logged(self, event: Event) -> None:
        try:
            self.dispatch(event)
        except Exception:
            log.exception("could not start the workflows waiting for %s", event.name)

    def dispatch(self, event: Event) -> list[int]:
        """Start every active workflow waiting for `event`; returns the new execution ids."""
        with session_scope() as session:
            rows = session.exec(
                select(Workflow).where(
                    col(Workflow.is_active).is_(True),
                    col(Workflow.trigger_type).in_(WATCHED_TYPES),
                )
            ).all()
        started: list[int] = []
        for row in rows:
            payload = _payload(row, event)
            if payload is None:
                continue
            execution_id, created = start_run(row, trigger_type=row.trigger_type, payload=payload)
            if created:
                started.append(execution_id)
        return started
