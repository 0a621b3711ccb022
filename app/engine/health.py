"""The process-wide health facts that the API and the status page report."""

from __future__ import annotations

_state = {"scheduler": "not started"}


def set_scheduler_state(state: str) -> None:
    """Called by the scheduler when it starts or stops ("running", "stopped")."""
    _state["scheduler"] = state


def scheduler_state() -> str:
    return _state["scheduler"]
