"""A run a dead process left `running` (kill -9 between its calls) is ended at start-up.

Real SQLite file, Flowdeck's own start-up (`app.lifespan.startup`). The dead process is played
by writing its rows the way it would have: the run opened, its first call recorded, the second
still pending. Start-up ends it `failed` with the interruption named, its unfinished call
cancelled, counted once; a run opened after start-up is left alone, even by a second sweep.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from app.db.types import utcnow
from app.lifespan import startup
from app.services import orchestration_runs, orchestrations
from app.services.actor import Actor
from app.services.orchestration_recording import INTERRUPTED_ERROR, close_interrupted_runs
from app.services.orchestration_views import get_run

DEFINITION = {
    "name": "two calls",
    "mode": "sequential",
    "calls": [
        {"id": "first", "url": "https://api.example.com/one"},
        {"id": "second", "url": "https://api.example.com/two"},
    ],
}


def _left_running(orchestration_id: int) -> int:
    """What a process killed after the first call leaves behind."""
    run_id, _spec = orchestration_runs.open_run(orchestration_id, {}, trigger="manual")
    orchestration_runs.record_call(
        run_id,
        {
            "id": "first",
            "status": "succeeded",
            "status_code": 200,
            "start_ms": 5.0,
            "duration_ms": 120.0,
        },
    )
    orchestration_runs.record_call(run_id, {"id": "second", "status": "running", "start_ms": 130})
    return run_id


async def test_start_up_ends_a_run_left_running_and_spares_a_new_one(
    db: Path, member: Actor
) -> None:
    oid = (await asyncio.to_thread(orchestrations.create_orchestration, member, DEFINITION))["id"]
    dead = await asyncio.to_thread(_left_running, oid)
    assert (await asyncio.to_thread(get_run, member, dead))["status"] == "running"

    async with startup():
        after_start = utcnow()
        ended = await asyncio.to_thread(get_run, member, dead)
        assert ended["status"] == "failed"
        assert ended["error"] == INTERRUPTED_ERROR
        assert ended["finished_at"] is not None
        calls = {c["id"]: c["status"] for c in ended["calls"]}
        assert calls == {"first": "succeeded", "second": "cancelled"}
        assert ended["duration_ms"] == 130.0  # the last moment its calls show, not the downtime

        fresh, _spec = await asyncio.to_thread(
            orchestration_runs.open_run, oid, {}, trigger="manual"
        )
        # A second sweep (another start-up moment before the new run) changes nothing.
        assert await asyncio.to_thread(close_interrupted_runs, after_start) == []
        assert (await asyncio.to_thread(get_run, member, fresh))["status"] == "running"

    counted = await asyncio.to_thread(orchestrations.get_orchestration, member, oid)
    assert (counted["runs"], counted["failures"], counted["successes"]) == (1, 1, 0)
