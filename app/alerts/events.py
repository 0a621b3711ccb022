"""Which engine events raise which alert events, at which severity, for which alerts. Pure.

The engine publishes `execution.started`, `step.finished` and `execution.finished`; alerts
subscribe to the four kinds people think in, and get every kind they ticked. Each kind has a
fixed severity (a failed run is an error, a failed step a warning — the run may go on with
`continue_on_error` —, starts and successes are information), which only an alert's optional
`min_severity` compares against; an alert's own `severity` is the label of what it sends (at
least that: a failure on an `info` alert still shows as an error).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.core.statuses import ExecutionStatus, Severity, StepStatus

ALERT_EVENTS: tuple[str, ...] = (
    "workflow_start",
    "workflow_complete",
    "workflow_fail",
    "step_fail",
)
EVENT_SEVERITY: Mapping[str, Severity] = {
    "workflow_start": Severity.INFO,
    "workflow_complete": Severity.INFO,
    "workflow_fail": Severity.ERROR,
    "step_fail": Severity.WARNING,
}
#: Bus prefixes the dispatcher listens to.
BUS_PREFIXES: tuple[str, ...] = ("execution.started", "execution.finished", "step.finished")
_FAILED_RUN = (ExecutionStatus.FAILED.value, ExecutionStatus.INTERRUPTED.value)


@dataclass(frozen=True)
class AlertEvent:
    """One thing that happened in a run, as alerts talk about it."""

    kind: str
    execution_id: int | None
    workflow_id: int | None
    at: datetime
    workflow_name: str = ""
    status: str = ""
    step: str | None = None  # the action id
    step_name: str = ""
    error: str | None = None
    duration_ms: float | None = None
    steps_total: int | None = None

    @property
    def severity(self) -> Severity:
        """Fixed per kind (see `EVENT_SEVERITY`)."""
        return EVENT_SEVERITY[self.kind]


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def from_bus(name: str, data: Mapping[str, Any], at: float) -> AlertEvent | None:
    """The alert event for one bus event, or None when alerts do not care about it.

    `execution.finished` from start-up recovery carries only the execution id and status;
    the dispatcher fills in the workflow from the database.
    """
    status = str(data.get("status") or "")
    kind: str | None = None
    if name == "execution.started":
        kind = "workflow_start"
    elif name == "execution.finished" and status == ExecutionStatus.SUCCEEDED.value:
        kind = "workflow_complete"
    elif name == "execution.finished" and status in _FAILED_RUN:
        kind = "workflow_fail"
    elif name == "step.finished" and status == StepStatus.FAILED.value:
        kind = "step_fail"
    if kind is None:
        return None
    step = data.get("failed_step") if kind == "workflow_fail" else data.get("action_id")
    duration = data.get("duration_ms")
    return AlertEvent(
        kind=kind,
        execution_id=_int(data.get("execution_id")),
        workflow_id=_int(data.get("workflow_id")),
        at=datetime.fromtimestamp(at, UTC),
        workflow_name=str(data.get("workflow_name") or ""),
        status=status,
        step=str(step) if step else None,
        error=str(data["error"]) if data.get("error") else None,
        duration_ms=float(duration) if isinstance(duration, int | float) else None,
        steps_total=_int(data.get("steps_total")),
    )


def wants(*, events: Iterable[str], minimum: str | None, event: AlertEvent) -> bool:
    """Whether an alert subscribed to `events`, with an optional minimum severity, fires for
    `event`.

    The workflow filter and `is_active` are applied by the query that finds the alerts.
    """
    return event.kind in set(events) and (not minimum or event.severity.meets(minimum))


def label(alert_severity: str, event: AlertEvent) -> str:
    """What a message of this alert about `event` shows (colour, emoji, subject prefix): the
    alert's severity, or the event's own when that is higher (a failed run on an `info` alert
    still shows as an error)."""
    own = event.severity
    return own.value if own.meets(alert_severity) else alert_severity


def held_back(events: Iterable[str], minimum: str | None) -> list[str]:
    """The ticked events that `minimum` would always hold back (their severity is lower)."""
    if not minimum:
        return []
    return [kind for kind in events if not EVENT_SEVERITY[kind].meets(minimum)]
