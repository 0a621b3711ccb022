"""Retention: which finished executions a prune removes, and whose step data it empties.

Settings live at two levels. The global policy (`app_setting` "retention") says, for every
workflow, how long to keep finished executions (`keep_days`), how many of the newest to keep
whatever their age (`keep_last`) and how long to keep their step inputs and outputs
(`keep_data_days`, shorter than the rows). A workflow may override each value; `None` at the
workflow level means "use the global value", `None` globally means "keep forever".

The rules, decided here and nowhere else:
- Only finished executions (a status in `EXECUTION_TERMINAL`) are ever touched: queued,
  running, waiting and paused ones are never pruned, whatever their age.
- An execution linked to an unfinished one is kept too: the parent of an open child run (the
  parent's wait needs the child), the child of an open parent (the parent reads its result)
  and the run an open retry reuses outputs from (`retry_of`).
- Its age is counted from when it finished (else started, else was queued).
- `keep_days` and `keep_last` together: an execution goes when it is older than `keep_days`
  AND is not one of the `keep_last` newest of its workflow (by start), so a rarely run
  workflow keeps its last runs while a busy one stays bounded by age. Either alone decides
  on its own; neither set keeps everything.
- `keep_data_days`: the step inputs/outputs (step input and output, for_each item outputs,
  wait outputs and the trigger payload) of a finished execution older than that are emptied
  and `data_pruned_at` is set. Errors (step, attempt, item and the execution's) are kept:
  they are short, capped, and what error statistics and "example execution" links show.
- Rollups (`execution_hour`, `step_hour`, `error_group`) are never touched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.core.errors import Problem, ValidationFailed
from app.core.statuses import EXECUTION_TERMINAL

#: Bounds of each setting (None is always allowed: global "forever", workflow "use global").
MAX_DAYS = 3650
MAX_KEEP_LAST = 1_000_000
FIELDS = ("keep_days", "keep_last", "keep_data_days")
_LIMITS = {"keep_days": MAX_DAYS, "keep_last": MAX_KEEP_LAST, "keep_data_days": MAX_DAYS}
_WHAT = {
    "keep_days": "days to keep finished executions",
    "keep_last": "newest executions to keep per workflow",
    "keep_data_days": "days to keep step inputs and outputs",
}
FINAL_STATUSES: frozenset[str] = frozenset(str(s) for s in EXECUTION_TERMINAL)


@dataclass(frozen=True)
class Policy:
    """One level of settings; each value None or a positive whole number."""

    keep_days: int | None = None
    keep_last: int | None = None
    keep_data_days: int | None = None

    def as_dict(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in FIELDS}

    @property
    def prunes_rows(self) -> bool:
        return self.keep_days is not None or self.keep_last is not None


def _whole(value: Any) -> int | None | str:
    """The value as an int, None for blank, or an error message."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return "must be a whole number"
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return "must be a whole number"


def parse_policy(data: Mapping[str, Any], *, prefix: str = "", blank: str = "") -> Policy:
    """A checked `Policy` from user input (ints, numeric strings, None or "" for blank).

    Every problem at once, each at its field's path (`prefix` + name). `blank` names what a
    blank value means, for the messages. Unknown keys are ignored (the caller picks them).
    """
    problems: list[Problem] = []
    values: dict[str, int | None] = {}
    for name in FIELDS:
        value = _whole(data.get(name))
        if isinstance(value, str):
            problems.append(Problem(prefix + name, f"{value} of {_WHAT[name]}{blank}"))
            continue
        if value is not None and not 1 <= value <= _LIMITS[name]:
            problems.append(
                Problem(prefix + name, f"must be between 1 and {_LIMITS[name]:,} (got {value})")
            )
            continue
        values[name] = value
    days, data_days = values.get("keep_days"), values.get("keep_data_days")
    if days is not None and data_days is not None and data_days > days:
        problems.append(
            Problem(
                prefix + "keep_data_days",
                f"must be at most keep_days ({days}): step data cannot outlive its execution",
            )
        )
    if problems:
        raise ValidationFailed(problems)
    return Policy(**values)


def effective(global_policy: Policy, workflow: Policy) -> Policy:
    """The policy a workflow runs under: each of its own values, else the global one."""
    return Policy(
        **{
            name: getattr(workflow, name)
            if getattr(workflow, name) is not None
            else getattr(global_policy, name)
            for name in FIELDS
        }
    )


@dataclass(frozen=True)
class Cutoffs:
    """A policy turned into instants for one prune at `now`.

    `rows_before`: finished before this instant counts as old for `keep_days` (None: the age
    rule is off). `data_before`: step data of executions finished before it is emptied.
    """

    rows_before: datetime | None
    keep_last: int | None
    data_before: datetime | None

    @property
    def prunes_rows(self) -> bool:
        return self.rows_before is not None or self.keep_last is not None


def cutoffs(policy: Policy, now: datetime) -> Cutoffs:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    rows = now - timedelta(days=policy.keep_days) if policy.keep_days is not None else None
    data = (
        now - timedelta(days=policy.keep_data_days) if policy.keep_data_days is not None else None
    )
    return Cutoffs(rows_before=rows, keep_last=policy.keep_last, data_before=data)


@dataclass(frozen=True)
class ExecutionFacts:
    """What the decision needs to know about one execution.

    `newer_in_workflow`: how many executions of its workflow started after it (0: the newest).
    `linked_open`: an unfinished execution is its child, parent, or a retry of it.
    """

    status: str
    finished_at: datetime | None
    started_at: datetime | None
    queued_at: datetime
    newer_in_workflow: int
    linked_open: bool = False
    data_pruned: bool = False

    @property
    def age_from(self) -> datetime:
        return self.finished_at or self.started_at or self.queued_at


def may_touch(facts: ExecutionFacts) -> bool:
    """Whether pruning may touch this execution at all (finished, nothing open linked)."""
    return facts.status in FINAL_STATUSES and not facts.linked_open


def removes_row(facts: ExecutionFacts, cut: Cutoffs) -> bool:
    """Whether the prune deletes this execution (with its steps, attempts, waits, items)."""
    if not cut.prunes_rows or not may_touch(facts):
        return False
    if cut.rows_before is not None and facts.age_from >= cut.rows_before:
        return False
    return not (cut.keep_last is not None and facts.newer_in_workflow < cut.keep_last)


def removes_data(facts: ExecutionFacts, cut: Cutoffs) -> bool:
    """Whether the prune empties this execution's step data (it stays, as a row)."""
    if cut.data_before is None or facts.data_pruned or not may_touch(facts):
        return False
    return facts.age_from < cut.data_before and not removes_row(facts, cut)


def next_batch_size(current: int, elapsed_s: float, *, target_s: float, low: int, high: int) -> int:
    """The next batch's size so that it takes about `target_s` (the last took `elapsed_s`).

    Grows at most twice, shrinks as much as needed: one slow batch (a busy disk) must make the
    next one short at once, while growth is cautious.
    """
    if elapsed_s <= 0:
        return min(high, current * 2)
    scaled = int(current * target_s / elapsed_s)
    return max(low, min(high, current * 2, scaled))


def batch_may_continue(
    elapsed_s: float,
    chunks_done: int,
    last_chunk_s: float,
    *,
    budget_s: float,
    commit_s: float = 0.0,
) -> bool:
    """Whether a write transaction may run one more chunk and still commit within `budget_s`.

    The next chunk is guessed to take as long as the slower of the last one and the average
    so far (a chunk that hit a cold page or a busy CPU makes the guess cautious at once), and
    the commit as long as `commit_s` (what commits have taken lately: it writes the changed
    pages out while the lock is still held). The first chunk always runs: a transaction that
    does nothing is no progress.
    """
    if chunks_done <= 0:
        return True
    guess = max(last_chunk_s, elapsed_s / chunks_done)
    return elapsed_s + guess + commit_s <= budget_s


def commit_estimate(previous_s: float, last_s: float) -> float:
    """What the next commit is guessed to take: a slow one is believed at once, a fast one
    lowers the guess by half at a time (one quick commit after a slow disk is not the norm)."""
    return max(last_s, previous_s / 2)


#: SQLite's default busy handler (what `sqlite3_busy_timeout` installs, and so every Python
#: connection with a `timeout`): how long a writer that found the lock taken sleeps before
#: each next try (ms); past the table, 100 ms each.
BUSY_SLEEPS_MS = (1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100)


def busy_sleep(waited_s: float) -> float:
    """The sleep (s) a writer that has waited `waited_s` for the lock is in the middle of."""
    elapsed_ms = waited_s * 1000
    total = 0
    for sleep in BUSY_SLEEPS_MS:
        total += sleep
        if elapsed_ms < total:
            return sleep / 1000
    return BUSY_SLEEPS_MS[-1] / 1000


def pause_after(held_s: float, *, floor_s: float, ceiling_s: float, margin: float = 1.5) -> float:
    """How long the prune leaves the write lock free after holding it for `held_s`.

    A writer that found the lock taken sleeps between its tries (`BUSY_SLEEPS_MS`); one that
    came during this hold has waited at most `held_s`, so it is in a sleep no longer than
    `busy_sleep(held_s)`. The gap is that sleep with a `margin` (a sleep overshoots on a busy
    machine), so its next try lands in the gap and it gets the lock; with gaps shorter than
    its sleep the prune took the lock back before each try, and one writer waited 197 ms
    behind transactions of at most 140 ms. Also at least as long as the hold (the app has the
    lock to itself at least half the time), at least `floor_s`, at most `ceiling_s`.
    """
    return min(ceiling_s, max(floor_s, held_s, busy_sleep(held_s) * margin))


def chunk_by_weight(weights: list[int], per_chunk: int) -> list[int]:
    """Split a batch into consecutive chunks of about `per_chunk` rows: the chunks' lengths.

    `weights` are the rows each execution's delete touches (the execution, its steps,
    attempts and items). A chunk closes once it reaches `per_chunk`; an execution heavier than
    that is a chunk of its own (an execution is deleted whole or not at all).
    """
    lengths: list[int] = []
    count = total = 0
    for weight in (max(1, w) for w in weights):
        if count and total + weight > per_chunk:
            lengths.append(count)
            count = total = 0
        count += 1
        total += weight
    if count:
        lengths.append(count)
    return lengths


def take_by_weight(weights: list[int], budget: int) -> int:
    """How many of the queued executions (in order) the next batch takes: as many as fit
    within `budget` rows, at least one."""
    total = 0
    for n, weight in enumerate(weights):
        total += max(1, weight)
        if total > budget:
            return max(1, n)
    return len(weights)
