"""`/api/health` reports this process's role, who leads the scheduler, the live processes by
role and the queue depth (#17), from Flowdeck's own start-up on a real SQLite file."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx

from app.api import create_api
from app.db.engine import get_engine
from app.db.models import Execution, LeaderLease, WorkerLease
from app.db.types import utcnow
from app.engine import health, leases
from app.lifespan import startup
from app.services import workflows
from app.services.actor import Actor


async def _health() -> dict:
    transport = httpx.ASGITransport(app=create_api())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/api/health")
    assert response.status_code == 200, response.text
    return response.json()


async def test_health_tells_role_leader_processes_and_queue(db: Path, member: Actor) -> None:
    wf = workflows.create_workflow(
        member, {"name": "w", "trigger": {"type": "manual"}, "actions": [], "is_active": False}
    ).workflow["id"]
    try:
        async with startup():
            body = await _health()
            assert body["status"] == "ok" and body["scheduler"] == "running"
            assert (body["role"], body["leader"]) == ("app", "this process")
            assert body["processes"] == {"app": 1} and body["queue_depth"] == 0
            own = leases.current_id()
            assert own is not None and own not in str(body)  # ids, hosts, pids stay inside
            now = utcnow()
            with get_engine().begin() as conn:
                conn.execute(
                    WorkerLease.__table__.insert(),
                    {"id": "w1", "host": "other", "pid": 7, "role": "worker", "started_at": now,
                     "heartbeat_at": now, "expires_at": now + timedelta(seconds=30)},
                )  # fmt: skip
                conn.execute(
                    Execution.__table__.insert(),
                    {"workflow_id": wf, "status": "paused", "queued_at": now},
                )
                conn.execute(  # as if the worker had taken the leadership over
                    LeaderLease.__table__.update().values(holder="w1")
                )
            body = await _health()
            assert body["processes"] == {"app": 1, "worker": 1}
            assert body["leader"] == "another" and body["queue_depth"] == 0
        assert leases.current_id() is None
        with get_engine().begin() as conn:  # nobody runs it now: it waits
            conn.execute(
                Execution.__table__.insert(),
                {"workflow_id": wf, "status": "queued", "queued_at": utcnow()},
            )
        body = await _health()  # stopped: its lease released, the leadership handed over
        assert body["processes"] == {"worker": 1} and body["queue_depth"] == 1
    finally:
        health.set_role("none")
