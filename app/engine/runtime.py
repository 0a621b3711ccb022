"""The process's one engine, for the services that ask it to start or cancel runs."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from app.core.errors import FlowdeckError

if TYPE_CHECKING:  # the engine's modules (actions among them) import this one
    from app.engine.runner import Engine

_current: Engine | None = None


class EngineNotRunning(FlowdeckError):
    code = "engine_not_running"
    status = 503


def install(engine: Engine | None) -> None:
    global _current
    _current = engine


def current_or_none() -> Engine | None:
    """The engine of this process, or None (a CLI, a test without one)."""
    return _current


def current() -> Engine:
    if _current is None:
        raise EngineNotRunning("the execution engine is not running in this process")
    return _current


class RunTarget(Protocol):
    """What starting a run needs of a workflow: a `Workflow` row or a lighter record."""

    @property
    def id(self) -> int | None: ...
    @property
    def version(self) -> int: ...
    @property
    def priority(self) -> str: ...


def start_run(
    workflow: RunTarget,
    *,
    trigger_type: str,
    payload: dict[str, Any] | None = None,
    created_by: int | None = None,
    scheduled_for: datetime | None = None,
    dedupe_key: str | None = None,
    retry_of: int | None = None,
    workflow_version: int | None = None,
) -> tuple[int, bool]:
    """Ask the engine for a run of `workflow` (from any thread: the run starts on its loop)."""
    return current().submit(
        workflow.id or 0,
        workflow_version=workflow_version or workflow.version,
        priority=workflow.priority,
        trigger_type=trigger_type,
        payload=payload or {},
        scheduled_for=scheduled_for,
        dedupe_key=dedupe_key,
        created_by=created_by,
        retry_of=retry_of,
    )
