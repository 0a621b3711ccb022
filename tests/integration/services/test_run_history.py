"""Run-history strips over a real SQLite file: each workflow's newest runs, in one statement,
bounded, for members and admins only; runs the real engine made come out as the strip shows
them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.errors import InvalidInput, PermissionDenied
from app.core.statuses import Role
from app.db.engine import get_engine
from app.db.models import Execution
from app.db.types import utcnow
from app.engine.runner import Engine
from app.services import executions, workflows
from app.services.actor import Actor
from app.services.run_history import MAX_RUNS, MAX_WORKFLOWS, run_strips

OK = [{"id": "ok", "type": "transform", "config": {"values": {"a": 1}}}]
FAILS = [{"id": "boom", "type": "transform", "config": {"values": {"b": "{{ 1 / 0 }}"}}}]


def _workflow(actor: Actor, name: str) -> int:
    spec = {"name": name, "trigger": {"type": "manual"}, "actions": OK}
    return workflows.create_workflow(actor, spec).workflow["id"]


def _runs(workflow_id: int, count: int, status: str = "succeeded") -> None:
    """`count` finished runs of `workflow_id`, the newest last, run i lasting i * 10 ms."""
    start = utcnow() - timedelta(hours=1)
    rows = [
        {
            "workflow_id": workflow_id,
            "status": status,
            "queued_at": start + timedelta(seconds=i),
            "started_at": start + timedelta(seconds=i),
            "duration_ms": float(i * 10),
        }
        for i in range(1, count + 1)
    ]
    with get_engine().begin() as conn:
        conn.execute(Execution.__table__.insert(), rows)  # type: ignore[attr-defined]


@contextmanager
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        seen.append(statement)

    sa.event.listen(get_engine(), "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(get_engine(), "before_cursor_execute", record)


def test_each_workflow_gets_its_newest_runs_oldest_first_in_one_statement(member: Actor) -> None:
    busy, quiet, idle = (_workflow(member, n) for n in ("busy", "quiet", "idle"))
    _runs(busy, 45)
    _runs(quiet, 3, "failed")
    with get_engine().connect() as conn:
        busy_ids = [
            r.id
            for r in conn.execute(
                sa.text("SELECT id FROM execution WHERE workflow_id = :w ORDER BY id"),
                {"w": busy},
            )
        ]
    with statements() as seen:
        strips = run_strips(member, [busy, quiet, idle, 99_999])
    assert len(seen) == 1, seen
    assert [b.id for b in strips[busy]] == busy_ids[-30:]
    assert strips[busy][-1].height == 100 and strips[busy][0].height < 100
    assert [b.status for b in strips[quiet]] == ["failed"] * 3
    assert strips[quiet][-1].duration_ms == 30.0
    assert strips[idle] == [] and strips[99_999] == []


def test_a_smaller_strip_and_no_workflows(member: Actor) -> None:
    wf = _workflow(member, "w")
    _runs(wf, 12)
    assert len(run_strips(member, [wf], limit=5)[wf]) == 5
    with statements() as seen:
        assert run_strips(member, []) == {}
    assert seen == []


def test_bounds_are_refused(member: Actor) -> None:
    with pytest.raises(InvalidInput, match="at most 100 workflows"):
        run_strips(member, range(1, MAX_WORKFLOWS + 2))
    for limit in (0, MAX_RUNS + 1):
        with pytest.raises(InvalidInput, match="limit"):
            run_strips(member, [1], limit=limit)


def test_viewers_get_no_strips(member: Actor) -> None:
    viewer = Actor(kind="user", user_id=None, email="v@example.com", role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        run_strips(viewer, [_workflow(member, "w")])


async def test_runs_the_engine_made_show_as_they_ended(member: Actor, engine: Engine) -> None:
    good = _workflow(member, "good")
    bad = workflows.create_workflow(
        member, {"name": "bad", "trigger": {"type": "manual"}, "actions": FAILS}
    ).workflow["id"]
    made = [(await executions.execute_workflow(member, wf))["id"] for wf in (good, bad, good)]
    await engine.drain()
    strips = run_strips(member, [good, bad])
    assert [(b.id, b.status) for b in strips[good]] == [
        (made[0], "succeeded"),
        (made[2], "succeeded"),
    ]
    assert [(b.id, b.status) for b in strips[bad]] == [(made[1], "failed")]
    assert all(b.at is not None and b.duration_ms is not None for b in strips[good])
