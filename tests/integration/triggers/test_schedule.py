"""The schedule trigger: a real clock firing into the real engine on a real SQLite file."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import sqlalchemy as sa

from app.core.cron import next_fire_times
from app.db.engine import get_engine
from app.db.models import Execution, Workflow
from app.engine.runner import Engine
from app.engine.scheduler import ScheduleClock
from app.engine.triggers.schedule import plan_schedule
from app.services import workflows
from app.services.actor import Actor
from tests.integration.triggers.conftest import eventually

ACTIONS = [{"id": "tick", "type": "transform", "config": {"values": {"at": "{{ now }}"}}}]


def _schedule(member: Actor, config: dict[str, Any], **extra: Any) -> int:
    data = {
        "name": "tick",
        "trigger": {"type": "schedule", "config": config},
        "actions": ACTIONS,
        **extra,
    }
    return workflows.create_workflow(member, data).workflow["id"]


def _runs(workflow_id: int) -> list[dict[str, Any]]:
    ex = Execution.__table__
    with get_engine().connect() as conn:
        rows = (
            conn.execute(
                sa.select(ex.c.id, ex.c.status, ex.c.trigger_type, ex.c.scheduled_for)
                .where(ex.c.workflow_id == workflow_id)
                .order_by(ex.c.id)
            )
            .mappings()
            .all()
        )
    return [dict(r) for r in rows]


def _next_run_at(workflow_id: int) -> datetime | None:
    wf = Workflow.__table__
    with get_engine().connect() as conn:
        return conn.execute(sa.select(wf.c.next_run_at).where(wf.c.id == workflow_id)).scalar()


def _set_next_run_at(workflow_id: int, when: datetime) -> None:
    with get_engine().begin() as conn:
        conn.execute(
            Workflow.__table__.update()
            .where(Workflow.__table__.c.id == workflow_id)
            .values(next_run_at=when)
        )


async def test_every_second_schedule_fires(
    clock: ScheduleClock, engine: Engine, member: Actor
) -> None:
    wf = _schedule(member, {"interval_seconds": 1})
    await clock.settle()
    assert clock.next_fire_time(wf) == _next_run_at(wf)
    await eventually(lambda: len(_runs(wf)) >= 2, within=3.5)
    await engine.drain()
    runs = _runs(wf)
    fired = [r["scheduled_for"] for r in runs]
    assert len(set(fired)) == len(fired) >= 2
    assert all(r["trigger_type"] == "schedule" and r["status"] == "succeeded" for r in runs)
    assert all(t.microsecond == 0 for t in fired)  # on the whole-second grid of the interval
    assert fired[1] - fired[0] == timedelta(seconds=1)
    assert _next_run_at(wf) > fired[-1]


async def test_pausing_stops_firing_and_resuming_restarts(
    clock: ScheduleClock, member: Actor
) -> None:
    wf = _schedule(member, {"interval_seconds": 1})
    await eventually(lambda: len(_runs(wf)) >= 1, within=2.5)
    workflows.set_active(member, wf, False)
    await clock.settle()
    assert clock.next_fire_time(wf) is None and _next_run_at(wf) is None
    count = len(_runs(wf))
    await asyncio.sleep(1.5)
    assert len(_runs(wf)) == count
    workflows.set_active(member, wf, True)
    await clock.settle()
    assert clock.next_fire_time(wf) is not None
    await eventually(lambda: len(_runs(wf)) > count, within=2.5)


async def test_deleting_removes_the_job(clock: ScheduleClock, member: Actor) -> None:
    wf = _schedule(member, {"cron": "*/5 * * * *"})
    await clock.settle()
    assert clock.next_fire_time(wf) is not None
    workflows.delete_workflow(member, wf)
    await clock.settle()
    assert clock.next_fire_time(wf) is None


async def test_edits_resync_and_other_triggers_have_no_job(
    clock: ScheduleClock, member: Actor
) -> None:
    wf = _schedule(member, {"cron": "0 9 * * *", "timezone": "UTC"})
    await clock.settle()
    assert clock.next_fire_time(wf).hour == 9
    workflows.update_workflow(
        member, wf, {"trigger": {"type": "schedule", "config": {"cron": "0 17 * * *"}}}
    )
    await clock.settle()
    assert clock.next_fire_time(wf).hour == 17 and _next_run_at(wf).hour == 17
    workflows.update_workflow(member, wf, {"trigger": {"type": "manual"}})
    await clock.settle()
    assert clock.next_fire_time(wf) is None and _next_run_at(wf) is None


async def test_change_from_a_worker_thread_is_applied(clock: ScheduleClock, member: Actor) -> None:
    wf = _schedule(member, {"cron": "0 9 * * *"})
    await asyncio.to_thread(workflows.set_active, member, wf, False)
    await eventually(lambda: clock.next_fire_time(wf) is None, within=3)
    await clock.settle()
    assert _next_run_at(wf) is None


@pytest.mark.parametrize(("policy", "catch_up_runs"), [("run_once", 1), ("skip", 0)])
async def test_fires_missed_while_down(
    start_clock: Callable[[], ScheduleClock],
    engine: Engine,
    member: Actor,
    policy: str,
    catch_up_runs: int,
) -> None:
    wf = _schedule(member, {"cron": "*/5 * * * *", "misfire": policy})
    missed = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=42)
    _set_next_run_at(wf, missed)  # as if Flowdeck had been down for 42 minutes (8 fires)
    start_clock()
    runs = _runs(wf)
    assert len(runs) == catch_up_runs
    assert all(r["scheduled_for"] == missed and r["trigger_type"] == "schedule" for r in runs)
    assert _next_run_at(wf) > datetime.now(UTC)
    # A second start-up that sees the same missed fire (crash before next_run_at was stored)
    # starts nothing new: (workflow, scheduled_for) is unique.
    _set_next_run_at(wf, missed)
    start_clock()
    await engine.drain()
    assert len(_runs(wf)) == catch_up_runs


async def test_paused_workflow_never_fires_after_downtime(
    start_clock: Callable[[], ScheduleClock], member: Actor
) -> None:
    wf = _schedule(member, {"interval_seconds": 60, "misfire": "run_once"}, is_active=False)
    _set_next_run_at(wf, datetime.now(UTC) - timedelta(hours=1))
    clock = start_clock()
    assert _runs(wf) == [] and clock.next_fire_time(wf) is None and _next_run_at(wf) is None


async def test_berlin_0230_is_stored_in_utc(clock: ScheduleClock, db: Path, member: Actor) -> None:
    now = datetime.now(UTC)
    wf = _schedule(member, {"cron": "30 2 * * *", "timezone": "Europe/Berlin"})
    with sqlite3.connect(db / "flowdeck.db") as conn:
        (raw,) = conn.execute("SELECT next_run_at FROM workflow WHERE id = ?", (wf,)).fetchone()
    expected = next_fire_times("30 2 * * *", "Europe/Berlin", now)[0]
    stored = datetime.fromisoformat(raw)
    assert stored.tzinfo is None  # naive in the file, and it is UTC:
    assert stored == expected.astimezone(UTC).replace(tzinfo=None)
    assert stored.hour in (0, 1) and stored.minute == 30  # 02:30 CEST or CET
    local = stored.replace(tzinfo=UTC).astimezone(ZoneInfo("Europe/Berlin"))
    assert (local.hour, local.minute) in ((2, 30), (3, 30))  # 03:30 only on spring-forward day
    assert timedelta(0) < stored.replace(tzinfo=UTC) - now <= timedelta(hours=25)


async def test_health_shows_the_scheduler(
    start_clock: Callable[[], ScheduleClock], client: httpx.AsyncClient
) -> None:
    clock = start_clock()
    assert (await client.get("/api/health")).json()["scheduler"] == "running"
    await clock.stop()
    response = await client.get("/api/health")
    assert response.status_code == 503 and response.json()["scheduler"] == "stopped"


T0 = datetime(2025, 3, 10, 12, 0, 7, 250_000, tzinfo=UTC)
EVERY_MINUTE = {"cron": "* * * * *", "misfire": "run_once"}


@pytest.mark.parametrize(
    ("config", "stored", "recovering", "fired", "next_run_at", "catch_up"),
    [
        # fresh schedule: the next minute
        (EVERY_MINUTE, None, True, None, datetime(2025, 3, 10, 12, 1, tzinfo=UTC), None),
        # downtime with run_once: one run for the first missed fire
        (
            EVERY_MINUTE,
            T0 - timedelta(hours=2),
            True,
            None,
            datetime(2025, 3, 10, 12, 1, tzinfo=UTC),
            T0 - timedelta(hours=2),
        ),
        # downtime with skip: nothing to catch up
        (
            {**EVERY_MINUTE, "misfire": "skip"},
            T0 - timedelta(hours=2),
            True,
            None,
            datetime(2025, 3, 10, 12, 1, tzinfo=UTC),
            None,
        ),
        # not recovering: a past stored time is the fire being handled, not a miss
        (
            EVERY_MINUTE,
            T0 - timedelta(seconds=7),
            False,
            None,
            datetime(2025, 3, 10, 12, 1, tzinfo=UTC),
            None,
        ),
        # the clock woke a hair early: the next fire is still after the one that ran
        (
            EVERY_MINUTE,
            None,
            False,
            datetime(2025, 3, 10, 12, 1, tzinfo=UTC),
            datetime(2025, 3, 10, 12, 2, tzinfo=UTC),
            None,
        ),
        # an interval lies on a whole-second grid from the workflow's creation
        (
            {"interval_seconds": 10},
            None,
            False,
            None,
            datetime(2025, 3, 10, 12, 0, 13, tzinfo=UTC),
            None,
        ),
        # Berlin 02:30 in winter is 01:30 UTC
        (
            {"cron": "30 2 * * *", "timezone": "Europe/Berlin"},
            None,
            True,
            None,
            datetime(2025, 3, 11, 1, 30, tzinfo=UTC),
            None,
        ),
    ],
)
def test_plan_schedule(
    config: dict[str, Any],
    stored: datetime | None,
    recovering: bool,
    fired: datetime | None,
    next_run_at: datetime,
    catch_up: datetime | None,
) -> None:
    anchor = datetime(2025, 1, 1, 0, 0, 3, 900_000, tzinfo=UTC)
    plan = plan_schedule(
        config, anchor=anchor, stored=stored, now=T0, recovering=recovering, fired=fired
    )
    assert (plan.next_run_at, plan.catch_up) == (next_run_at, catch_up)


async def test_a_fire_waiting_for_the_write_lock_leaves_the_loop_free(
    clock: ScheduleClock, engine: Engine, member: Actor, db: Path
) -> None:
    """The clock's fire and sync write to the database: on the clock's worker thread, so a
    held SQLite write lock delays the fire, not the app."""
    wf = _schedule(member, {"interval_seconds": 1})
    await clock.settle()
    lock = sqlite3.connect(db / "flowdeck.db", isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    lags: list[float] = []
    try:
        for _ in range(250):  # 2.5 s: at least two fires meet the held lock
            started = asyncio.get_running_loop().time()
            await asyncio.sleep(0.01)
            lags.append(asyncio.get_running_loop().time() - started - 0.01)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    await eventually(lambda: len(_runs(wf)) >= 2, within=5)
    assert max(lags) < 0.5, max(lags)
