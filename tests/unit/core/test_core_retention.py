"""What a prune removes: table tests of app.core.retention (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.core.errors import ValidationFailed
from app.core.retention import (
    BUSY_SLEEPS_MS,
    Cutoffs,
    ExecutionFacts,
    Policy,
    batch_may_continue,
    busy_sleep,
    chunk_by_weight,
    commit_estimate,
    cutoffs,
    effective,
    next_batch_size,
    parse_policy,
    pause_after,
    removes_data,
    removes_row,
    take_by_weight,
)

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def _facts(
    status: str = "succeeded",
    days_ago: float | None = 40,
    newer: int = 100,
    linked_open: bool = False,
    data_pruned: bool = False,
    started_days_ago: float | None = None,
) -> ExecutionFacts:
    finished = NOW - timedelta(days=days_ago) if days_ago is not None else None
    started_ago = started_days_ago if started_days_ago is not None else (days_ago or 50) + 0.01
    return ExecutionFacts(
        status=status,
        finished_at=finished,
        started_at=NOW - timedelta(days=started_ago),
        queued_at=NOW - timedelta(days=started_ago + 0.01),
        newer_in_workflow=newer,
        linked_open=linked_open,
        data_pruned=data_pruned,
    )


@pytest.mark.parametrize(
    ("policy", "facts", "expected"),
    [
        # age alone
        (Policy(keep_days=30), _facts(days_ago=40), True),
        (Policy(keep_days=30), _facts(days_ago=20), False),
        (Policy(keep_days=30), _facts(days_ago=30.0001), True),
        # count alone
        (Policy(keep_last=10), _facts(days_ago=1, newer=10), True),
        (Policy(keep_last=10), _facts(days_ago=400, newer=9), False),
        # both: old AND beyond the newest N
        (Policy(keep_days=30, keep_last=10), _facts(days_ago=40, newer=10), True),
        (Policy(keep_days=30, keep_last=10), _facts(days_ago=40, newer=3), False),
        (Policy(keep_days=30, keep_last=10), _facts(days_ago=5, newer=500), False),
        # nothing set keeps everything
        (Policy(), _facts(days_ago=4000, newer=10**6), False),
        (Policy(keep_data_days=1), _facts(days_ago=4000), False),
        # never an unfinished run, whatever its age
        (Policy(keep_days=1), _facts(status="queued", days_ago=None, started_days_ago=90), False),
        (Policy(keep_days=1), _facts(status="running", days_ago=None, started_days_ago=90), False),
        (Policy(keep_days=1), _facts(status="waiting", days_ago=None, started_days_ago=90), False),
        (Policy(keep_days=1), _facts(status="paused", days_ago=None, started_days_ago=90), False),
        (Policy(keep_last=1), _facts(status="waiting", days_ago=None, newer=50), False),
        # every final status goes
        (Policy(keep_days=1), _facts(status="failed"), True),
        (Policy(keep_days=1), _facts(status="cancelled"), True),
        (Policy(keep_days=1), _facts(status="interrupted"), True),
        # linked to an open run (parent of an open child, child of an open parent, retried)
        (Policy(keep_days=1), _facts(linked_open=True), False),
        # age counts from the finish: started long ago, finished yesterday (a long wait)
        (Policy(keep_days=30), _facts(days_ago=1, started_days_ago=60), False),
    ],
)
def test_removes_row(policy: Policy, facts: ExecutionFacts, expected: bool) -> None:
    assert removes_row(facts, cutoffs(policy, NOW)) is expected


def test_age_of_a_run_that_never_started_is_its_queue_time() -> None:
    facts = ExecutionFacts(
        status="cancelled",
        finished_at=None,
        started_at=None,
        queued_at=NOW - timedelta(days=10),
        newer_in_workflow=5,
    )
    assert removes_row(facts, cutoffs(Policy(keep_days=9), NOW))
    assert not removes_row(facts, cutoffs(Policy(keep_days=11), NOW))


@pytest.mark.parametrize(
    ("policy", "facts", "expected"),
    [
        (Policy(keep_days=90, keep_data_days=7), _facts(days_ago=10), True),
        (Policy(keep_days=90, keep_data_days=7), _facts(days_ago=3), False),
        (Policy(keep_data_days=7), _facts(days_ago=10), True),
        # already pruned: nothing to do
        (Policy(keep_data_days=7), _facts(days_ago=10, data_pruned=True), False),
        # the whole row goes: not counted as a data prune
        (Policy(keep_days=9, keep_data_days=7), _facts(days_ago=10), False),
        # a row kept by keep_last still loses its old data
        (Policy(keep_days=9, keep_last=5, keep_data_days=7), _facts(days_ago=10, newer=1), True),
        (Policy(keep_data_days=7), _facts(status="running", days_ago=None), False),
        (Policy(keep_data_days=7), _facts(status="waiting", days_ago=None), False),
        (Policy(keep_data_days=7), _facts(days_ago=10, linked_open=True), False),
        (Policy(keep_days=7), _facts(days_ago=3), False),
    ],
)
def test_removes_data(policy: Policy, facts: ExecutionFacts, expected: bool) -> None:
    assert removes_data(facts, cutoffs(policy, NOW)) is expected


@pytest.mark.parametrize(
    ("global_policy", "workflow", "expected"),
    [
        (Policy(30, 100, 7), Policy(), Policy(30, 100, 7)),
        (Policy(30, 100, 7), Policy(keep_days=365), Policy(365, 100, 7)),
        (Policy(), Policy(keep_last=5), Policy(None, 5, None)),
        (Policy(30, None, 7), Policy(2, 3, 1), Policy(2, 3, 1)),
    ],
)
def test_effective(global_policy: Policy, workflow: Policy, expected: Policy) -> None:
    assert effective(global_policy, workflow) == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, Policy()),
        ({"keep_days": 30, "keep_last": "100", "keep_data_days": " 7 "}, Policy(30, 100, 7)),
        ({"keep_days": "", "keep_last": None}, Policy()),
        ({"keep_days": 30.0}, Policy(keep_days=30)),
        ({"keep_days": 7, "keep_data_days": 7}, Policy(7, None, 7)),
    ],
)
def test_parse_policy_accepts(data: dict, expected: Policy) -> None:
    assert parse_policy(data) == expected


@pytest.mark.parametrize(
    ("data", "path", "words"),
    [
        ({"keep_days": 0}, "keep_days", "between 1 and 3,650"),
        ({"keep_days": -5}, "keep_days", "between 1 and"),
        ({"keep_days": 3651}, "keep_days", "between 1 and 3,650"),
        ({"keep_last": "ten"}, "keep_last", "whole number"),
        ({"keep_last": True}, "keep_last", "whole number"),
        ({"keep_last": 2.5}, "keep_last", "whole number"),
        ({"keep_last": 1_000_001}, "keep_last", "1,000,000"),
        ({"keep_data_days": [1]}, "keep_data_days", "whole number"),
        ({"keep_days": 7, "keep_data_days": 8}, "keep_data_days", "at most keep_days (7)"),
    ],
)
def test_parse_policy_refuses_each_field(data: dict, path: str, words: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_policy(data, prefix="retention.")
    assert info.value.problems[0].path == f"retention.{path}"
    assert words in info.value.problems[0].message


def test_parse_policy_reports_every_problem_at_once() -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_policy({"keep_days": "x", "keep_last": 0, "keep_data_days": -1})
    assert [p.path for p in info.value.problems] == ["keep_days", "keep_last", "keep_data_days"]


def test_cutoffs_need_an_aware_now() -> None:
    with pytest.raises(ValueError):
        cutoffs(Policy(keep_days=1), datetime(2026, 1, 1))  # noqa: DTZ001
    cut = cutoffs(Policy(keep_days=2, keep_data_days=1), NOW)
    assert cut == Cutoffs(NOW - timedelta(days=2), None, NOW - timedelta(days=1))


@pytest.mark.parametrize(
    ("current", "elapsed", "expected"),
    [
        (100, 0.010, 200),  # fast: at most doubles
        (100, 0.025, 100),  # on target
        (100, 0.100, 25),  # slow: shrinks at once
        (100, 5.0, 10),  # never below low
        (4000, 0.001, 5000),  # never above high
        (100, 0.0, 200),
    ],
)
def test_next_batch_size(current: int, elapsed: float, expected: int) -> None:
    assert next_batch_size(current, elapsed, target_s=0.025, low=10, high=5000) == expected


@pytest.mark.parametrize(
    ("elapsed", "done", "last", "expected"),
    [
        (0.0, 0, 0.0, True),  # the first chunk always runs
        (0.5, 0, 0.5, True),  # whatever the clock says
        (0.010, 2, 0.005, True),  # 10 ms + 5 ms guessed <= 40 ms
        (0.030, 3, 0.010, True),  # 30 + 10 = 40: just fits
        (0.031, 3, 0.010, False),  # 31 + 10.3 > 40
        (0.020, 4, 0.025, False),  # the last chunk was slow: 20 + 25 > 40
        (0.036, 9, 0.004, True),  # many fast chunks: 36 + 4 = 40
        (0.045, 1, 0.045, False),  # already over the budget
    ],
)
def test_batch_may_continue(elapsed: float, done: int, last: float, expected: bool) -> None:
    assert batch_may_continue(elapsed, done, last, budget_s=0.040) is expected


@pytest.mark.parametrize(
    ("elapsed", "done", "last", "commit", "expected"),
    [
        (0.0, 0, 0.0, 0.5, True),  # the first chunk runs whatever the commit costs
        (0.020, 2, 0.010, 0.0, True),  # 20 + 10 = 30 <= 40
        (0.020, 2, 0.010, 0.010, True),  # 20 + 10 + 10 = 40: just fits
        (0.020, 2, 0.010, 0.011, False),  # a slow commit lately: no room for another chunk
        (0.010, 5, 0.002, 0.030, False),  # 10 + 2 + 30 > 40
    ],
)
def test_batch_may_continue_counts_the_commit(
    elapsed: float, done: int, last: float, commit: float, expected: bool
) -> None:
    assert batch_may_continue(elapsed, done, last, budget_s=0.040, commit_s=commit) is expected


@pytest.mark.parametrize(
    ("previous", "last", "expected"),
    [
        (0.0, 0.001, 0.001),  # the first commit is believed
        (0.001, 0.030, 0.030),  # a slow one at once
        (0.030, 0.001, 0.015),  # a fast one halves the guess
        (0.015, 0.001, 0.0075),
        (0.002, 0.0015, 0.0015),  # down to what commits take
    ],
)
def test_commit_estimate(previous: float, last: float, expected: float) -> None:
    assert commit_estimate(previous, last) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("waited", "expected"),
    [
        (0.0, 0.001),  # the first sleep
        (0.0009, 0.001),
        (0.001, 0.002),  # 1 ms waited: in the 2 ms sleep (tries at 1, 3, 8, 18, 33 ms ...)
        (0.005, 0.005),
        (0.010, 0.010),
        (0.020, 0.015),
        (0.040, 0.020),
        (0.060, 0.025),
        (0.150, 0.050),
        (5.0, 0.100),  # past the table: 100 ms each
    ],
)
def test_busy_sleep_follows_sqlites_busy_handler(waited: float, expected: float) -> None:
    assert busy_sleep(waited) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("held", "expected"),
    [
        (0.001, 0.005),  # a short hold: the floor (the writer sleeps 2 ms)
        (0.007, 0.0075),  # 7 ms held: a writer that came meanwhile sleeps 5 ms; 1.5 x
        (0.010, 0.015),  # 10 ms: it sleeps 10 ms
        (0.020, 0.0225),  # 20 ms: 15 ms sleeps
        (0.030, 0.030),  # the hold itself is longer: the app gets at least half the time
        (0.040, 0.040),
        (0.500, 0.100),  # at most the ceiling
        (0.0, 0.005),
    ],
)
def test_pause_after(held: float, expected: float) -> None:
    assert pause_after(held, floor_s=0.005, ceiling_s=0.100) == pytest.approx(expected)


def test_every_gap_outlasts_the_sleep_of_a_writer_that_waited_through_the_hold() -> None:
    """The point of the gap: for any hold up to 100 ms and any moment a writer came during
    it, that writer's next try falls inside the gap (so it gets the lock then)."""
    tries_ms = [sum(BUSY_SLEEPS_MS[:n]) for n in range(len(BUSY_SLEEPS_MS) + 1)]
    for held_ms in range(0, 100):
        gap_ms = pause_after(held_ms / 1000, floor_s=0.005, ceiling_s=0.100) * 1000
        for came_ms in range(0, held_ms + 1):
            waited = held_ms - came_ms
            next_try = min(t for t in tries_ms if t >= waited)
            assert next_try - waited <= gap_ms, (held_ms, came_ms, gap_ms)


@pytest.mark.parametrize(
    ("weights", "per_chunk", "expected"),
    [
        ([11] * 8, 22, [2, 2, 2, 2]),  # even executions: even chunks
        ([11] * 8, 30, [2, 2, 2, 2]),  # a third would pass 30
        ([11] * 3, 1000, [3]),  # all in one
        ([11, 5000, 11, 11], 50, [1, 1, 2]),  # a heavy run is a chunk of its own
        ([5000, 11], 50, [1, 1]),
        ([0, 0, 0], 2, [2, 1]),  # a weight counts as at least 1
        ([], 10, []),
    ],
)
def test_chunk_by_weight(weights: list[int], per_chunk: int, expected: list[int]) -> None:
    assert chunk_by_weight(weights, per_chunk) == expected
    assert sum(expected) == len(weights)


@pytest.mark.parametrize(
    ("weights", "budget", "expected"),
    [
        ([11] * 10, 55, 5),  # exactly five fit
        ([11] * 10, 60, 5),
        ([11] * 10, 1000, 10),  # all of them
        ([5000, 11], 100, 1),  # a heavy first one still goes (alone)
        ([11, 5000, 11], 100, 1),  # stops before the heavy one
        ([], 10, 0),
    ],
)
def test_take_by_weight(weights: list[int], budget: int, expected: int) -> None:
    assert take_by_weight(weights, budget) == expected
