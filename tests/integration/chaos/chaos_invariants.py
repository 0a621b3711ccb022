"""The invariants the chaos test holds Flowdeck to, read from the SQLite file in one read-only
snapshot. Each check returns the problems it found, as sentences; none means it holds.

What the counters count (`store.finish_execution`): every execution that started and then
ended — succeeded, failed, cancelled or interrupted — adds one to `workflow.runs`; succeeded
ones also to `successes`, failed ones to `failures`. A run that never started (cancelled while
queued) counts nowhere. So, from the rows:
    runs      = executions with a start time and a terminal status
    successes = executions `succeeded`
    failures  = executions `failed`
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.integration.chaos.chaos_support import UNFINISHED, read_only

TERMINAL = "('succeeded', 'failed', 'cancelled', 'interrupted')"  # as SQL


@dataclass
class Expected:
    """What the test knows was accepted, to hold the database to."""

    runs_workflow: int
    hooks_workflow: int
    schedule_workflow: int
    last_id: int  # executions up to this id must have finished
    runs_accepted: set[int] = field(default_factory=set)  # execution ids answered 202
    deliveries: Mapping[str, int | None] = field(default_factory=dict)  # id → answered exec id


def unfinished(conn: sqlite3.Connection, last_id: int) -> list[str]:
    rows = conn.execute(
        "SELECT id, workflow_id, status FROM execution WHERE id <= ? AND status IN (?, ?)",
        (last_id, *UNFINISHED),
    ).fetchall()
    return [f"execution {i} (workflow {w}) is still {s}" for i, w, s in rows]


def unfinished_steps(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT s.execution_id, s.action_id, s.status, e.status FROM execution_step s "
        "JOIN execution e ON e.id = s.execution_id "
        f"WHERE s.status IN ('pending', 'running', 'waiting') AND e.status IN {TERMINAL}"
    ).fetchall()
    return [f"execution {e} is {es} but its step {a} is {s}" for e, a, s, es in rows]


def deliveries(conn: sqlite3.Connection, expected: Expected) -> list[str]:
    """Every delivery the test sent (and, when unanswered, sent again) has exactly one
    execution, and it is the one the app answered with."""
    rows = conn.execute(
        "SELECT dedupe_key, count(*), min(id) FROM execution "
        "WHERE workflow_id = ? AND dedupe_key IS NOT NULL GROUP BY dedupe_key",
        (expected.hooks_workflow,),
    ).fetchall()
    found = {key: (count, first) for key, count, first in rows}
    problems = []
    for delivery, answered in expected.deliveries.items():
        count, first = found.get(f"webhook:{delivery}", (0, None))
        if count != 1:
            problems.append(f"delivery {delivery} has {count} executions")
        elif answered is not None and first != answered:
            problems.append(f"delivery {delivery} was answered {answered} but ran as {first}")
    return problems


def accepted_runs(conn: sqlite3.Connection, expected: Expected) -> list[str]:
    ids = sorted(expected.runs_accepted)
    present: set[int] = set()
    for chunk in _chunks(ids, 500):
        marks = ",".join("?" * len(chunk))
        present.update(
            row[0]
            for row in conn.execute(
                f"SELECT id FROM execution WHERE workflow_id = ? AND id IN ({marks})",
                (expected.runs_workflow, *chunk),
            )
        )
    return [f"run {i} was accepted (202) but has no execution row" for i in ids if i not in present]


def schedule_slots(conn: sqlite3.Connection, workflow_id: int) -> list[str]:
    rows = conn.execute(
        "SELECT workflow_id, scheduled_for, count(*) FROM execution "
        "WHERE scheduled_for IS NOT NULL GROUP BY workflow_id, scheduled_for HAVING count(*) > 1"
    ).fetchall()
    problems = [f"workflow {w} slot {t} has {n} executions" for w, t, n in rows]
    fired = conn.execute(
        "SELECT count(*) FROM execution WHERE workflow_id = ? AND scheduled_for IS NOT NULL",
        (workflow_id,),
    ).fetchone()[0]
    if not fired:
        problems.append(f"the every-second schedule (workflow {workflow_id}) never fired")
    return problems


def counters(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT w.id, w.runs, w.successes, w.failures, "
        f" (SELECT count(*) FROM execution e WHERE e.workflow_id = w.id "
        f"   AND e.started_at IS NOT NULL AND e.status IN {TERMINAL}), "
        " (SELECT count(*) FROM execution e WHERE e.workflow_id = w.id AND e.status = 'succeeded'),"
        " (SELECT count(*) FROM execution e WHERE e.workflow_id = w.id AND e.status = 'failed'),"
        " (SELECT count(*) FROM execution e WHERE e.workflow_id = w.id "
        "   AND e.status = 'interrupted') "
        "FROM workflow w ORDER BY w.id"
    ).fetchall()
    problems = []
    for wid, runs, successes, failures, ended, succeeded, failed, interrupted in rows:
        if (runs, successes, failures) != (ended, succeeded, failed):
            problems.append(
                f"workflow {wid} counters runs/successes/failures = {runs}/{successes}/{failures}"
                f" but its rows say {ended}/{succeeded}/{failed}"
                f" ({interrupted} interrupted)"
            )
    return problems


def check(db_file: Path, expected: Expected) -> list[str]:
    """Every invariant, in one snapshot of the database, plus `PRAGMA integrity_check`."""
    conn = read_only(db_file)
    try:
        conn.execute("BEGIN")
        problems = [
            *unfinished(conn, expected.last_id),
            *unfinished_steps(conn),
            *deliveries(conn, expected),
            *accepted_runs(conn, expected),
            *schedule_slots(conn, expected.schedule_workflow),
            *counters(conn),
        ]
        conn.execute("COMMIT")
        verdict = "; ".join(str(r[0]) for r in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()
    if verdict != "ok":
        problems.append(f"PRAGMA integrity_check: {verdict}")
    return problems


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
