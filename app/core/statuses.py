"""The closed sets of states Flowdeck knows, and which moves between them are legal.

Statuses are written by the engine, filtered by the UI and counted by stats; keeping them as
`StrEnum`s with explicit transition tables means an impossible move (a finished execution going
back to `running`) is refused in one place instead of surfacing as a confusing dashboard.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from app.core.errors import InvalidInput


class ExecutionStatus(StrEnum):
    """Status of one run of a workflow.

    `failed` means a step raised; `interrupted` means the process died mid-run. Both are final:
    a retry creates a new execution that points back with `retry_of`.
    """

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"

    @property
    def is_terminal(self) -> bool:
        return self in EXECUTION_TERMINAL


class StepStatus(StrEnum):
    """Status of one action inside an execution."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        return self in STEP_TERMINAL


EXECUTION_TERMINAL: frozenset[ExecutionStatus] = frozenset(
    {
        ExecutionStatus.SUCCEEDED,
        ExecutionStatus.FAILED,
        ExecutionStatus.CANCELLED,
        ExecutionStatus.INTERRUPTED,
    }
)
STEP_TERMINAL: frozenset[StepStatus] = frozenset(
    {StepStatus.SUCCEEDED, StepStatus.FAILED, StepStatus.SKIPPED, StepStatus.CANCELLED}
)

EXECUTION_TRANSITIONS: Mapping[ExecutionStatus, frozenset[ExecutionStatus]] = MappingProxyType(
    {
        ExecutionStatus.QUEUED: frozenset({ExecutionStatus.RUNNING, ExecutionStatus.CANCELLED}),
        ExecutionStatus.RUNNING: frozenset(
            {
                ExecutionStatus.SUCCEEDED,
                ExecutionStatus.FAILED,
                ExecutionStatus.CANCELLED,
                ExecutionStatus.INTERRUPTED,
            }
        ),
        **{status: frozenset() for status in EXECUTION_TERMINAL},
    }
)
STEP_TRANSITIONS: Mapping[StepStatus, frozenset[StepStatus]] = MappingProxyType(
    {
        StepStatus.PENDING: frozenset(
            {StepStatus.RUNNING, StepStatus.SKIPPED, StepStatus.CANCELLED}
        ),
        StepStatus.RUNNING: frozenset(
            {StepStatus.SUCCEEDED, StepStatus.FAILED, StepStatus.CANCELLED}
        ),
        **{status: frozenset() for status in STEP_TERMINAL},
    }
)


def _table(current: ExecutionStatus | StepStatus) -> Mapping:
    if isinstance(current, ExecutionStatus):
        return EXECUTION_TRANSITIONS
    if isinstance(current, StepStatus):
        return STEP_TRANSITIONS
    raise TypeError(f"expected ExecutionStatus or StepStatus, got {type(current).__name__}")


def can_transition(current: ExecutionStatus | StepStatus, target: str) -> bool:
    """Whether `current` may move to `target`; the kind (execution or step) comes from `current`.

    Staying in the same status is not a transition and is refused, so a duplicate write is
    noticed rather than silently accepted.
    """
    return target in _table(current)[current]


def check_transition(current: ExecutionStatus | StepStatus, target: str) -> None:
    """Raise `InvalidInput` unless `current` may move to `target`."""
    if not can_transition(current, target):
        kind = "execution" if isinstance(current, ExecutionStatus) else "step"
        raise InvalidInput(f"a {kind} cannot move from {current!s} to {target!s}")


class Severity(StrEnum):
    """Alert severity; compares by rank (info < warning < error < critical), not alphabetically.

    Plain strings are accepted on the other side of a comparison (`Severity.ERROR >= "warning"`)
    because alert rules store the minimum severity as text.
    """

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    def meets(self, minimum: str) -> bool:
        """Whether this severity is at least `minimum` (an alert's threshold)."""
        return self.rank >= Severity(minimum).rank

    def __lt__(self, other: object) -> bool:
        return self.rank < Severity(str(other)).rank

    def __le__(self, other: object) -> bool:
        return self.rank <= Severity(str(other)).rank

    def __gt__(self, other: object) -> bool:
        return self.rank > Severity(str(other)).rank

    def __ge__(self, other: object) -> bool:
        return self.rank >= Severity(str(other)).rank


_SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2, "critical": 3}


class Role(StrEnum):
    """What a user may do: `admin` is the super admin, `viewer` only reads."""

    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"
