"""The process-wide health facts that the API and the status page report."""

from __future__ import annotations

_state = {"scheduler": "not started", "role": "none"}


def set_scheduler_state(state: str) -> None:
    """Called by the scheduler when it starts or stops ("running", "stopped")."""
    _state["scheduler"] = state


def scheduler_state() -> str:
    return _state["scheduler"]


def set_role(role: str) -> None:
    """What this process is: "app" (web and engine) or "worker" (engine only)."""
    _state["role"] = role


def role() -> str:
    return _state["role"]
