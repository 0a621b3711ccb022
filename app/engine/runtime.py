"""The process's one engine, for the services that ask it to start or cancel runs."""

from __future__ import annotations

from app.core.errors import FlowdeckError
from app.engine.runner import Engine

_current: Engine | None = None


class EngineNotRunning(FlowdeckError):
    code = "engine_not_running"
    status = 503


def install(engine: Engine | None) -> None:
    global _current
    _current = engine


def current() -> Engine:
    if _current is None:
        raise EngineNotRunning("the execution engine is not running in this process")
    return _current
