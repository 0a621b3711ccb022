"""Status enums: terminal sets, transition tables, severity ordering."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from app.core.errors import InvalidInput
from app.core.planner import STEP_STATUSES
from app.core.statuses import (
    EXECUTION_TERMINAL,
    EXECUTION_TRANSITIONS,
    STEP_TERMINAL,
    STEP_TRANSITIONS,
    ExecutionStatus,
    Role,
    Severity,
    StepStatus,
    can_transition,
    check_transition,
    sources_of,
)

E, S = ExecutionStatus, StepStatus

ALLOWED_EXECUTION = {
    (E.QUEUED, E.RUNNING),
    (E.QUEUED, E.CANCELLED),
    (E.RUNNING, E.WAITING),
    (E.RUNNING, E.PAUSED),
    (E.RUNNING, E.SUCCEEDED),
    (E.RUNNING, E.FAILED),
    (E.RUNNING, E.CANCELLED),
    (E.RUNNING, E.INTERRUPTED),
    (E.WAITING, E.QUEUED),  # a wait is over: the run waits for a slot again
    (E.WAITING, E.PAUSED),
    (E.WAITING, E.CANCELLED),
    (E.PAUSED, E.QUEUED),  # resumed
    (E.PAUSED, E.CANCELLED),
}
ALLOWED_STEP = {
    (S.PENDING, S.RUNNING),
    (S.PENDING, S.WAITING),
    (S.PENDING, S.SUCCEEDED),  # a step done before its `running` mark, or a reused one
    (S.PENDING, S.FAILED),
    (S.PENDING, S.SKIPPED),
    (S.PENDING, S.CANCELLED),
    (S.PENDING, S.INTERRUPTED),  # a stop while a step ran that had no `running` mark yet
    (S.RUNNING, S.WAITING),
    (S.RUNNING, S.SUCCEEDED),
    (S.RUNNING, S.FAILED),
    (S.RUNNING, S.SKIPPED),  # an action that found nothing it could do (`Skip`)
    (S.RUNNING, S.CANCELLED),
    (S.RUNNING, S.INTERRUPTED),  # crash recovery
    (S.WAITING, S.SUCCEEDED),
    (S.WAITING, S.FAILED),
    (S.WAITING, S.CANCELLED),
}
# Moves that must stay refused: out of an end, back to the start, a skip of a waiting step.
FORBIDDEN_SAMPLE = [
    (E.CANCELLED, E.RUNNING),
    (E.SUCCEEDED, E.FAILED),
    (E.INTERRUPTED, E.QUEUED),
    (E.QUEUED, E.SUCCEEDED),
    (E.QUEUED, E.INTERRUPTED),
    (E.WAITING, E.INTERRUPTED),  # a waiting run keeps waiting across a restart
    (E.PAUSED, E.RUNNING),  # a resumed run goes through the queue
    (E.WAITING, E.RUNNING),
    (S.CANCELLED, S.SUCCEEDED),
    (S.WAITING, S.SKIPPED),
    (S.RUNNING, S.PENDING),
    (S.WAITING, S.INTERRUPTED),  # a waiting step holds no task: a restart leaves it waiting
    (S.WAITING, S.RUNNING),
    (S.INTERRUPTED, S.RUNNING),
    (S.SKIPPED, S.SUCCEEDED),
]


@pytest.mark.parametrize("current", list(E))
@pytest.mark.parametrize("target", list(E))
def test_execution_transitions(current: ExecutionStatus, target: ExecutionStatus) -> None:
    assert can_transition(current, target) == ((current, target) in ALLOWED_EXECUTION)


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_step_transitions(current: StepStatus, target: StepStatus) -> None:
    assert can_transition(current, target) == ((current, target) in ALLOWED_STEP)


@pytest.mark.parametrize(("current", "target"), FORBIDDEN_SAMPLE)
def test_forbidden_sample(current: ExecutionStatus | StepStatus, target: str) -> None:
    assert not can_transition(current, target)
    with pytest.raises(InvalidInput, match="cannot move"):
        check_transition(current, target)


@pytest.mark.parametrize(
    ("table", "kind"),
    [(EXECUTION_TRANSITIONS, E), (STEP_TRANSITIONS, S)],
    ids=["execution", "step"],
)
def test_tables_are_closed(table: Mapping, kind: type) -> None:
    """Every status has a row, every target is a status of the same kind, no self-loops,
    terminal means no way out, and every non-initial status can be reached (an execution
    comes back to `queued` only from `waiting` or `paused`)."""
    assert set(table) == set(kind)
    for current, targets in table.items():
        assert all(isinstance(t, kind) for t in targets) and current not in targets
        assert (not targets) == current.is_terminal
    reached = {t for targets in table.values() for t in targets}
    assert reached - {E.QUEUED} == set(kind) - {E.QUEUED, S.PENDING}
    assert {c for c, targets in table.items() if E.QUEUED in targets} <= {E.WAITING, E.PAUSED}


def test_expected_statuses() -> None:
    assert [s.value for s in E] == [
        "queued", "running", "waiting", "paused", "succeeded", "failed", "cancelled",
        "interrupted",
    ]  # fmt: skip
    assert [s.value for s in S] == [
        "pending", "running", "waiting", "succeeded", "failed", "skipped", "cancelled",
        "interrupted",
    ]  # fmt: skip
    assert {s.value for s in S} == STEP_STATUSES  # the planner knows every step status


@pytest.mark.parametrize("target", [*E, *S])
def test_sources_of_is_the_table_read_backwards(target: ExecutionStatus | StepStatus) -> None:
    allowed = ALLOWED_EXECUTION if isinstance(target, E) else ALLOWED_STEP
    expected = {current for current, to in allowed if to == target}
    assert set(sources_of(target)) == expected
    assert list(sources_of(target)) == [s for s in type(target) if s in expected]


def test_terminal_sets() -> None:
    assert {E.SUCCEEDED, E.FAILED, E.CANCELLED, E.INTERRUPTED} == EXECUTION_TERMINAL
    assert {S.SUCCEEDED, S.FAILED, S.SKIPPED, S.CANCELLED, S.INTERRUPTED} == STEP_TERMINAL
    assert E.INTERRUPTED.is_terminal and not E.RUNNING.is_terminal
    assert not E.WAITING.is_terminal and not E.PAUSED.is_terminal
    assert S.SKIPPED.is_terminal and S.INTERRUPTED.is_terminal and not S.PENDING.is_terminal
    assert not S.WAITING.is_terminal


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
