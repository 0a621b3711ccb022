"""Rollups kept as runs end, on the real engine and a real SQLite file: successes, failures
(with the failed step's error grouped by shape), retries, skipped steps, a cancelled running
run, a cancelled waiting run, a queued run cancelled before it started, and runs interrupted
by a dead process. The rollups written as the runs ended equal what the rows say, and equal a
rebuild from the rows."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
import sqlalchemy as sa

from app.core.statuses import ExecutionStatus
from app.db.engine import get_engine
from app.db.models.analytics import error_group, execution_day, execution_hour, step_day, step_hour
from app.db.types import utcnow
from app.engine import store
from app.engine.runner import Engine
from app.services import executions, rollups, workflows
from app.services.actor import Actor

TABLES = (execution_hour, execution_day, step_hour, step_day, error_group)


def _workflow(member: Actor, name: str, actions: list[dict]) -> int:
    data = {"name": name, "trigger": {"type": "manual"}, "actions": actions}
    return workflows.create_workflow(member, data).workflow["id"]


def snapshot() -> dict[str, list[tuple]]:
    """Every rollup row without its id, floats rounded, in a stable order."""
    out: dict[str, list[tuple]] = {}
    with get_engine().connect() as conn:
        for table in TABLES:
            columns = [c for c in table.c if c.name != "id"]
            rows = conn.execute(sa.select(*columns)).all()
            out[table.name] = sorted(
                tuple(round(v, 3) if isinstance(v, float) else v for v in row) for row in rows
            )
    return out


def _rows(query: str, **params: Any) -> list[Any]:
    with get_engine().connect() as conn:
        return conn.execute(sa.text(query), params).all()


async def _until(member: Actor, execution_id: int, *statuses: str) -> dict:
    for _ in range(500):
        seen = executions.get_execution(member, execution_id)
        if seen["status"] in statuses:
            return seen
        await asyncio.sleep(0.01)
    raise AssertionError(f"execution {execution_id} never became {statuses}: {seen['status']}")


@pytest.fixture
async def ran(engine: Engine, member: Actor, http_server) -> dict[str, int]:
    url, script = http_server
    ok = _workflow(
        member,
        "ok",
        [
            {"id": "first", "type": "transform", "config": {"values": {"n": 1}}},
            {
                "id": "never",
                "type": "transform",
                "condition": "steps.first.output.n > 5",
                "config": {"values": {}},
            },
        ],
    )
    failing = _workflow(
        member,
        "failing",
        [
            {
                "id": "fetch",
                "type": "api_call",
                "config": {"url": f"{url}/items"},
                "retry": {"strategy": "immediate", "max_attempts": 3},
            },
            {"id": "after", "type": "transform", "config": {"values": {}}},
        ],
    )
    slow = _workflow(member, "slow", [{"id": "nap", "type": "delay", "config": {"seconds": 30}}])
    hook = _workflow(member, "hook", [{"id": "cb", "type": "wait", "config": {"webhook": True}}])
    # failing: 404 twice (no retry), then 503, 503, 200 (two retries, success).
    script.answers = [(404, {"e": 1}), (404, {"e": 2}), (503, {}), (503, {}), (200, {"id": 1})]
    for wf, times in ((ok, 3), (failing, 3)):
        for _ in range(times):
            started = await executions.execute_workflow(member, wf)
            await engine.drain()
            await _until(member, started["id"], "succeeded", "failed")
    running = await executions.execute_workflow(member, slow)
    seen = await _until(member, running["id"], "running")
    for _ in range(300):
        if {s["status"] for s in seen["steps"]} == {"running"}:
            break
        await asyncio.sleep(0.01)
        seen = executions.get_execution(member, running["id"])
    await executions.cancel_execution(member, running["id"])
    waiting = await executions.execute_workflow(member, hook)
    await _until(member, waiting["id"], "waiting")
    await executions.cancel_execution(member, waiting["id"])
    await _until(member, running["id"], "cancelled")
    await _until(member, waiting["id"], "cancelled")
    return {"ok": ok, "failing": failing, "slow": slow, "hook": hook}


def _queued_then_cancelled(workflow_id: int) -> int:
    execution_id, _ = store.insert_execution(
        {"workflow_id": workflow_id, "status": "queued", "queued_at": utcnow()}
    )
    assert store.cancel_queued(execution_id)
    assert not store.cancel_queued(execution_id)  # a second cancel counts nothing
    return execution_id


def _left_running(workflow_id: int) -> int:
    """A run a dead process left running, with one step running and one pending."""
    now = utcnow()
    with get_engine().begin() as conn:
        execution_id = conn.execute(
            sa.text(
                "INSERT INTO execution (workflow_id, workflow_version, status, trigger_type,"
                " trigger_payload, priority_rank, queued_at, started_at, steps_completed,"
                " steps_total, depth) VALUES (:w, 1, 'running', 'manual', '{}', 1, :q, :s, 0,"
                " 2, 0) RETURNING id"
            ),
            {"w": workflow_id, "q": now, "s": now},
        ).scalar()
        for position, status in enumerate(("running", "pending")):
            conn.execute(
                sa.text(
                    "INSERT INTO execution_step (execution_id, position, action_id, name, type,"
                    " status, attempts, started_at) VALUES (:e, :p, :a, :a, 'transform', :st,"
                    " 1, :s)"
                ),
                {"e": execution_id, "p": position, "a": f"s{position}", "st": status, "s": now},
            )
    return execution_id


async def test_rollups_follow_the_runs_and_equal_a_rebuild(ran: dict[str, int]) -> None:
    cancelled_queued = _queued_then_cancelled(ran["ok"])
    interrupted = [_left_running(ran["slow"]), _left_running(ran["slow"])]
    assert sorted(store.recover_interrupted()) == interrupted
    assert store.recover_interrupted() == []

    # What the rows say, per workflow.
    by_status = Counter(
        (wf, status) for wf, status in _rows("SELECT workflow_id, status FROM execution")
    )
    totals = {
        wf: row
        for wf, *row in _rows(
            "SELECT workflow_id, sum(runs), sum(succeeded), sum(failed), sum(cancelled),"
            " sum(other), sum(timed), sum(waited) FROM execution_hour GROUP BY workflow_id"
        )
    }
    for name, wf in ran.items():
        expected = [
            sum(n for (w, _), n in by_status.items() if w == wf),
            by_status[wf, "succeeded"],
            by_status[wf, "failed"],
            by_status[wf, "cancelled"],
            by_status[wf, "interrupted"],
            by_status[wf, "succeeded"] + by_status[wf, "failed"],
            sum(
                1
                for (w, s) in _rows("SELECT workflow_id, started_at FROM execution")
                if w == wf and s
            ),
        ]
        assert totals[wf] == expected, name
    assert totals[ran["ok"]][:4] == [4, 3, 0, 1]  # three runs and the cancelled queued one
    assert totals[ran["failing"]][:3] == [3, 1, 2]
    assert totals[ran["slow"]][3:5] == [1, 2]
    assert totals[ran["hook"]][:4] == [1, 0, 0, 1]
    assert cancelled_queued

    steps = {
        (wf, action): row
        for wf, action, *row in _rows(
            "SELECT workflow_id, action_id, sum(runs), sum(failures), sum(skipped), sum(retries),"
            " sum(timed) FROM step_hour GROUP BY workflow_id, action_id"
        )
    }
    assert steps[ran["ok"], "first"] == [3, 0, 0, 0, 3]
    assert steps[ran["ok"], "never"] == [0, 0, 3, 0, 0]
    assert steps[ran["failing"], "fetch"] == [3, 2, 0, 2, 3]
    assert steps[ran["failing"], "after"] == [1, 0, 2, 0, 1]  # skipped: "not run: fetch failed"
    assert steps[ran["slow"], "s0"] == [2, 0, 0, 0, 0]  # interrupted steps ran, untimed
    # Per day equals per hour.
    day_totals = _rows(
        "SELECT sum(runs), sum(d10), sum(q0), sum(duration_ms_sum) FROM execution_day"
    )
    hour_totals = _rows(
        "SELECT sum(runs), sum(d10), sum(q0), sum(duration_ms_sum) FROM execution_hour"
    )
    assert day_totals[0][:3] == hour_totals[0][:3]
    assert day_totals[0][3] == pytest.approx(hour_totals[0][3])
    # Histograms count every timed run.
    hist = " + ".join(f"d{i}" for i in range(92))
    assert _rows(f"SELECT sum({hist}) FROM execution_hour")[0][0] == sum(
        row[5] for row in totals.values()
    )

    groups = _rows(
        "SELECT workflow_id, action_id, shape, count, example_execution_id, example_error"
        " FROM error_group ORDER BY workflow_id, action_id"
    )
    failed_ids = [
        r[0]
        for r in _rows(
            "SELECT id FROM execution WHERE workflow_id = :w AND status = 'failed' ORDER BY id",
            w=ran["failing"],
        )
    ]
    fetch = [g for g in groups if g[0] == ran["failing"]]
    assert len(fetch) == 1 and fetch[0][1] == "fetch" and fetch[0][3] == 2
    assert fetch[0][4] == failed_ids[-1] and "404" in fetch[0][2] and "404" in fetch[0][5]
    slow = [g for g in groups if g[0] == ran["slow"]]
    assert [(g[1], g[3]) for g in slow] == [("", 2)]  # the runs' own "interrupted" error

    live = snapshot()
    assert rollups.rebuild() > 0
    assert snapshot() == live


async def test_a_run_closed_twice_counts_once(ran: dict[str, int]) -> None:
    before = snapshot()
    row = _rows("SELECT id, started_at FROM execution WHERE workflow_id = :w", w=ran["ok"])[0]
    store.finish_execution(
        row[0],
        ran["ok"],
        ExecutionStatus.FAILED,
        started_at=utcnow(),
        steps_completed=0,
        error="again",
        failed_step=None,
    )
    assert snapshot() == before


async def test_a_partial_rebuild_keeps_older_days_and_replaces_the_rest(
    ran: dict[str, int],
) -> None:
    live = snapshot()
    with get_engine().begin() as conn:
        conn.execute(sa.text("UPDATE execution_day SET runs = runs + 100"))
    assert rollups.rebuild(utcnow()) > 0
    assert snapshot() == live
