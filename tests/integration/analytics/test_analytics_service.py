"""Analytics on seeded runs with known answers: totals, every bucket of a period (gaps are
zeros), busiest/slowest/most failing, per-step numbers, error groups, an action's recent
failures, a workflow without runs, custom ranges, roles, unknown workflows and bad input."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.core import analytics as core
from app.core.errors import NotFound, ValidationFailed
from app.core.statuses import Role
from app.db.engine import session_scope
from app.db.models import Execution, ExecutionStep
from app.db.types import utcnow
from app.services import analytics, rollups, workflows
from app.services.actor import Actor

ERROR = "GET https://api.example.com/v1/items/{} answered 500"


def _workflow(member: Actor, name: str) -> int:
    data = {"name": name, "trigger": {"type": "manual"},
            "actions": [{"id": "t", "type": "transform", "config": {"values": {}}}]}  # fmt: skip
    return workflows.create_workflow(member, data).workflow["id"]


def _run(wf: int, started: datetime, status: str, ms: float, steps: list[tuple]) -> int:
    with session_scope() as session:
        run = Execution(
            workflow_id=wf,
            status=status,
            queued_at=started - timedelta(seconds=1),
            started_at=started,
            finished_at=started + timedelta(milliseconds=ms),
            duration_ms=ms,
            error="step failed" if status == "failed" else None,
        )
        session.add(run)
        session.flush()
        for position, (action, step_status, step_ms, error) in enumerate(steps):
            step = ExecutionStep(
                execution_id=run.id or 0,
                position=position,
                action_id=action,
                type="transform",
                status=step_status,
                attempts=1,
                started_at=started,
                finished_at=started + timedelta(milliseconds=step_ms),
                duration_ms=step_ms,
                error=error,
            )
            session.add(step)
        return run.id or 0


@pytest.fixture
def seeded(db, member: Actor) -> dict:
    now = utcnow()
    busy, failing, idle = (_workflow(member, n) for n in ("busy", "failing", "idle"))
    early, late = now - timedelta(hours=3), now - timedelta(minutes=30)
    for ms in (100, 200, 300, 400):
        _run(busy, early, "succeeded", ms, [("t", "succeeded", ms - 10, None)])
    failed = [
        _run(failing, late + timedelta(seconds=i), "failed", 1000,
             [("prep", "succeeded", 10, None), ("call", "failed", 900, ERROR.format(i))])
        for i in (1, 2)
    ]  # fmt: skip
    _run(
        failing,
        late,
        "succeeded",
        50,
        [("prep", "succeeded", 10, None), ("call", "succeeded", 30, None)],
    )
    rollups.rebuild()
    return {"now": now, "busy": busy, "failing": failing, "idle": idle, "early": early,
            "late": late, "failed": failed}  # fmt: skip


def _close(value: float | None, exact: float) -> bool:
    return value is not None and abs(value - exact) / exact <= core.PERCENTILE_MAX_RELATIVE_ERROR


def test_overview_of_a_day(seeded: dict, member: Actor) -> None:
    got = analytics.overview(member, days=1)
    assert got["period"]["granularity"] == "hour"
    assert len(got["series"]) == 25
    totals = got["totals"]
    assert (totals["executions"], totals["succeeded"], totals["failed"]) == (7, 5, 2)
    assert totals["success_rate"] == round(5 / 7, 4)
    assert _close(totals["p50_ms"], 300) and _close(totals["p99_ms"], 1000)
    assert _close(totals["queue_wait_p50_ms"], 1000)
    by_t = {p["t"]: p for p in got["series"]}
    early = by_t[core.floor_hour(seeded["early"]).isoformat()]
    late = by_t[core.floor_hour(seeded["late"]).isoformat()]
    assert (early["succeeded"], early["failed"], early["success_rate"]) == (4, 0, 1.0)
    assert _close(early["p50_ms"], 200) and early["queue_wait_avg_ms"] == 1000.0
    assert (late["succeeded"], late["failed"]) == (1, 2)
    gaps = [p for p in got["series"] if p is not early and p is not late]
    assert len(gaps) == 23
    assert all(p["executions"] == 0 and p["success_rate"] is None and p["p95_ms"] is None
               for p in gaps)  # fmt: skip
    assert [(b["name"], b["executions"]) for b in got["busiest"]] == [("busy", 4), ("failing", 3)]
    assert got["slowest"][0]["name"] == "failing" and _close(got["slowest"][0]["p95_ms"], 1000)
    [failing] = got["most_failing"]
    assert failing["workflow_id"] == seeded["failing"] and failing["failures"] == 2
    assert failing["failure_rate"] == 0.6667 and failing["top_action_id"] == "call"
    assert failing["first_failure_at"] <= failing["last_failure_at"]
    assert datetime.fromisoformat(failing["last_failure_at"]) >= seeded["late"]


def test_a_week_is_daily_and_a_custom_range_can_miss_everything(
    seeded: dict, member: Actor
) -> None:
    week = analytics.overview(member, days=7)
    assert week["period"]["granularity"] == "day" and len(week["series"]) == 8
    assert sum(p["executions"] for p in week["series"]) == 7
    start = seeded["now"] - timedelta(days=40)
    empty = analytics.overview(member, start=start, end=start + timedelta(days=10))
    assert empty["totals"]["executions"] == 0 and empty["totals"]["p95_ms"] is None
    assert len(empty["series"]) == 11 and empty["busiest"] == [] and empty["most_failing"] == []


def test_workflow_performance_steps_and_errors(seeded: dict, member: Actor) -> None:
    got = analytics.workflow_performance(member, seeded["failing"], days=7)
    assert got["workflow"] == {"id": seeded["failing"], "name": "failing"}
    assert got["totals"]["executions"] == 3 and got["totals"]["failed"] == 2
    steps = got["steps"]
    assert [s["action_id"] for s in steps] == ["call", "prep"]  # the bottleneck first
    call = steps[0]
    assert (call["runs"], call["failures"], call["failure_rate"]) == (3, 2, 0.6667)
    assert call["avg_ms"] == 610.0 and _close(call["p95_ms"], 900)
    [error] = got["errors"]
    assert error["action_id"] == "call" and error["count"] == 2
    assert error["shape"] == "GET <url> answered 500"
    assert error["example_execution_id"] == seeded["failed"][-1] and error["example_exists"]
    assert error["example_error"] == ERROR.format(2)


def test_a_workflow_without_runs(seeded: dict, member: Actor) -> None:
    got = analytics.workflow_performance(member, seeded["idle"], days=30)
    assert got["totals"]["executions"] == 0 and got["totals"]["success_rate"] is None
    assert len(got["series"]) == 31 and all(p["executions"] == 0 for p in got["series"])
    assert got["steps"] == [] and got["errors"] == []
    stats = analytics.error_stats(member, seeded["idle"], days=30)
    assert stats["total_executions"] == 0 and stats["failure_rate"] is None
    assert stats["first_failure_at"] is None and stats["by_action"] == []


def test_error_stats_and_action_errors(seeded: dict, member: Actor) -> None:
    stats = analytics.error_stats(member, seeded["failing"], days=7)
    assert (stats["total_executions"], stats["total_failures"]) == (3, 2)
    assert stats["failure_rate"] == 0.6667
    assert [(a["action_id"], a["failures"]) for a in stats["by_action"]] == [
        ("call", 2),
        ("prep", 0),
    ]
    assert stats["top_errors"][0]["count"] == 2
    detail = analytics.action_errors(member, seeded["failing"], "call", days=7)
    assert (detail["runs"], detail["failures"]) == (3, 2)
    assert [r["execution_id"] for r in detail["recent"]] == seeded["failed"][::-1]
    assert detail["recent"][0]["error"] == ERROR.format(2)
    none = analytics.action_errors(member, seeded["failing"], "gone", days=7)
    assert none["runs"] == 0 and none["groups"] == [] and none["recent"] == []


def test_a_pruned_example_is_reported(seeded: dict, member: Actor) -> None:
    with session_scope() as session:
        session.delete(session.get(Execution, seeded["failed"][-1]))
    [error] = analytics.workflow_performance(member, seeded["failing"])["errors"]
    assert error["count"] == 2 and error["example_exists"] is False


def test_roles_unknown_workflows_and_bad_input(seeded: dict, member: Actor) -> None:
    viewer = Actor(kind="user", user_id=None, email="v@x.io", role=Role.VIEWER)
    assert analytics.overview(viewer, days=1)["totals"]["executions"] == 7
    for wf in (0, 10**6, 2**63):
        with pytest.raises(NotFound):
            analytics.workflow_performance(member, wf)
        with pytest.raises(NotFound):
            analytics.error_stats(member, wf)
    with pytest.raises(ValidationFailed):
        analytics.overview(member, days=0)
    with pytest.raises(ValidationFailed):
        analytics.action_errors(member, seeded["failing"], "x" * 65)
    now = seeded["now"]
    with pytest.raises(ValidationFailed):
        analytics.overview(member, start=now - timedelta(days=400), end=now)
