"""Status enums: terminal sets, transition tables, severity ordering."""

from __future__ import annotations

import pytest

from app.core.errors import InvalidInput
from app.core.statuses import (
    EXECUTION_TERMINAL,
    STEP_TERMINAL,
    ExecutionStatus,
    Role,
    Severity,
    StepStatus,
    can_transition,
    check_transition,
)

E, S = ExecutionStatus, StepStatus

ALLOWED_EXECUTION = {
    (E.QUEUED, E.RUNNING),
    (E.QUEUED, E.CANCELLED),
    (E.RUNNING, E.SUCCEEDED),
    (E.RUNNING, E.FAILED),
    (E.RUNNING, E.CANCELLED),
    (E.RUNNING, E.INTERRUPTED),
}
ALLOWED_STEP = {
    (S.PENDING, S.RUNNING),
    (S.PENDING, S.SKIPPED),
    (S.PENDING, S.CANCELLED),
    (S.RUNNING, S.SUCCEEDED),
    (S.RUNNING, S.FAILED),
    (S.RUNNING, S.CANCELLED),
}


@pytest.mark.parametrize("current", list(E))
@pytest.mark.parametrize("target", list(E))
def test_execution_transitions(current: ExecutionStatus, target: ExecutionStatus) -> None:
    assert can_transition(current, target) == ((current, target) in ALLOWED_EXECUTION)


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_step_transitions(current: StepStatus, target: StepStatus) -> None:
    assert can_transition(current, target) == ((current, target) in ALLOWED_STEP)


def test_terminal_sets() -> None:
    assert {E.SUCCEEDED, E.FAILED, E.CANCELLED, E.INTERRUPTED} == EXECUTION_TERMINAL
    assert {S.SUCCEEDED, S.FAILED, S.SKIPPED, S.CANCELLED} == STEP_TERMINAL
    assert E.INTERRUPTED.is_terminal and not E.RUNNING.is_terminal
    assert S.SKIPPED.is_terminal and not S.PENDING.is_terminal


def test_check_transition_raises_invalid_input() -> None:
    check_transition(E.QUEUED, E.RUNNING)
    with pytest.raises(InvalidInput, match="execution cannot move from failed to running"):
        check_transition(E.FAILED, E.RUNNING)
    with pytest.raises(InvalidInput, match="step cannot move from succeeded to running"):
        check_transition(S.SUCCEEDED, "running")


def test_plain_strings_as_current_are_refused() -> None:
    with pytest.raises(TypeError):
        can_transition("queued", "running")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("low", "high"),
    [
        (Severity.INFO, Severity.WARNING),
        (Severity.WARNING, Severity.ERROR),
        (Severity.ERROR, Severity.CRITICAL),
        (Severity.INFO, "critical"),
        ("error", Severity.CRITICAL),
    ],
)
def test_severity_orders_by_rank_not_alphabet(low: str, high: str) -> None:
    assert low < high and high > low and low <= high and high >= low


@pytest.mark.parametrize(
    ("severity", "minimum", "expected"),
    [
        (Severity.CRITICAL, "error", True),
        (Severity.ERROR, "error", True),
        (Severity.WARNING, "error", False),
        (Severity.INFO, "info", True),
    ],
)
def test_severity_meets(severity: Severity, minimum: str, expected: bool) -> None:
    assert severity.meets(minimum) is expected


def test_severity_sorts_and_roles() -> None:
    assert sorted(Severity) == [Severity.INFO, Severity.WARNING, Severity.ERROR, Severity.CRITICAL]
    assert [r.value for r in Role] == ["admin", "member", "viewer"]
    assert Severity("error") == "error"
