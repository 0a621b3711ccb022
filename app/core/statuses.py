"""The closed sets of states Flowdeck knows, and which moves between them are legal.

Statuses are written by the engine, filtered by the UI and counted by stats; keeping them as
`StrEnum`s with explicit transition tables means an impossible move (a finished execution going
back to `running`) is refused in one place instead of surfacing as a confusing dashboard.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar

from app.core.errors import InvalidInput


class ExecutionStatus(StrEnum):
    """Status of one run of a workflow.

    `failed` means a step raised; `interrupted` means the process died mid-run. Both are final:
    a retry creates a new execution that points back with `retry_of`. `waiting` (only
    approvals or waits are pending) and `paused` are not final: a waiting run keeps waiting
    across a restart.
    """

    QUEUED = "queued"
    RUNNING = "running"
    WAITING = "waiting"
    PAUSED = "paused"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"

    @property
    def is_terminal(self) -> bool:
        return self in EXECUTION_TERMINAL


class StepStatus(StrEnum):
    """Status of one action inside an execution.

    `interrupted`: the step was running when the process died (set by crash recovery).
    """

    PENDING = "pending"
    RUNNING = "running"
    WAITING = "waiting"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"

    @property
    def is_terminal(self) -> bool:
        return self in STEP_TERMINAL


_E, _S = ExecutionStatus, StepStatus

EXECUTION_TERMINAL: frozenset[ExecutionStatus] = frozenset(
    {_E.SUCCEEDED, _E.FAILED, _E.CANCELLED, _E.INTERRUPTED}
)
STEP_TERMINAL: frozenset[StepStatus] = frozenset(
    {_S.SUCCEEDED, _S.FAILED, _S.SKIPPED, _S.CANCELLED, _S.INTERRUPTED}
)

#: Every move the engine makes, and only those (tests/unit/core checks the table is closed).
#: queued → running: a claim; → cancelled: a cancel before the start. running → the four
#: ends (interrupted: a stop, or crash recovery), → waiting when only approvals/waits are
#: pending, → paused on request. waiting and paused go back to queued once a wait is over or
#: on resume (the run waits for a slot like any other), or are cancelled.
EXECUTION_TRANSITIONS: Mapping[ExecutionStatus, frozenset[ExecutionStatus]] = MappingProxyType(
    {
        _E.QUEUED: frozenset({_E.RUNNING, _E.CANCELLED}),
        _E.RUNNING: frozenset(
            {_E.WAITING, _E.PAUSED, _E.SUCCEEDED, _E.FAILED, _E.CANCELLED, _E.INTERRUPTED}
        ),
        _E.WAITING: frozenset({_E.QUEUED, _E.PAUSED, _E.CANCELLED}),
        _E.PAUSED: frozenset({_E.QUEUED, _E.CANCELLED}),
        **{status: frozenset() for status in EXECUTION_TERMINAL},
    }
)
#: pending → an end directly: a step that finishes within `RUNNING_MARK_AFTER_S` is written
#: once (succeeded, failed, cancelled, interrupted by a stop), a reused one succeeded, a
#: skipped one skipped. running → its end (skipped when the action found nothing it could
#: do and said why), or interrupted by a stop or crash recovery; → waiting on an approval,
#: a wait or a child run, which ends it (succeeded, failed) or is cancelled with its execution.
STEP_TRANSITIONS: Mapping[StepStatus, frozenset[StepStatus]] = MappingProxyType(
    {
        _S.PENDING: frozenset(
            {
                _S.RUNNING,
                _S.WAITING,
                _S.SUCCEEDED,
                _S.FAILED,
                _S.SKIPPED,
                _S.CANCELLED,
                _S.INTERRUPTED,
            }
        ),
        _S.RUNNING: frozenset(
            {_S.WAITING, _S.SUCCEEDED, _S.FAILED, _S.SKIPPED, _S.CANCELLED, _S.INTERRUPTED}
        ),
        _S.WAITING: frozenset({_S.SUCCEEDED, _S.FAILED, _S.CANCELLED}),
        **{status: frozenset() for status in STEP_TERMINAL},
    }
)


_Status = TypeVar("_Status", ExecutionStatus, StepStatus)


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


def sources_of(target: _Status) -> tuple[_Status, ...]:
    """The statuses that may move to `target`, in declaration order (for a conditional write).

    A write of `target` guarded by `status IN sources_of(target)` changes no row whose status
    the table does not allow to move there.
    """
    table = _table(target)
    return tuple(status for status in type(target) if target in table[status])


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
