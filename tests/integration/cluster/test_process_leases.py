"""Process leases (#17) with real processes on one SQLite file: a process starting never
interrupts a living peer's run; once a process is killed (`kill -9`) and its lease has run
out, a peer interrupts what it left running. And in one process: runs from before leases are
recovered only when no other process is alive."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from app.db.engine import get_engine
from app.db.models import Execution, WorkerLease
from app.db.types import utcnow
from app.engine import leases, runtime
from app.engine.runner import Engine
from app.services import executions, workflows
from app.services.actor import Actor
from tests.integration.cluster.processes import (
    HEARTBEAT_S,
    TTL_S,
    Proc,
    cluster_env,
    read,
    start_worker,
    wait_for,
)

NAP = [{"id": "nap", "type": "delay", "config": {"seconds": 600}}]


def _url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'flowdeck.db'}"


def _queue_run(member: Actor, name: str = "long nap") -> int:
    """A queued run of a workflow that sleeps for ten minutes (no engine runs here)."""
    wf = workflows.create_workflow(
        member, {"name": name, "trigger": {"type": "manual"}, "actions": NAP}
    ).workflow["id"]
    runtime.install(Engine())  # not started: a run is only written, queued, for the workers
    try:
        return asyncio.run(executions.execute_workflow(member, wf))["id"]
    finally:
        runtime.install(None)


def _run_state(url: str, run_id: int) -> tuple[str, str | None]:
    row = read(url, "SELECT status, lease_id FROM execution WHERE id = :i", i=run_id)[0]
    return row[0], row[1]


def _step_states(url: str, run_id: int) -> list[tuple[str, str | None]]:
    query = "SELECT status, lease_id FROM execution_step WHERE execution_id = :i"
    return [(r[0], r[1]) for r in read(url, query, i=run_id)]


def _lease_ids(url: str) -> list[str]:
    return [r[0] for r in read(url, "SELECT id FROM worker_lease")]


def _a_runs_it_then_b_starts(
    member: Actor, db: Path, tmp_path: Path, **env_extra: str
) -> tuple[int, str, Proc, Proc, list[Proc]]:
    """A queued ten-minute run; worker A runs it; worker B starts and is ready."""
    run_id = _queue_run(member)
    url, env = _url(db), cluster_env(db, **env_extra)
    a = start_worker("a", env, tmp_path)
    procs = [a]
    wait_for("A to run it", lambda: _run_state(url, run_id)[0] == "running", 90, procs)
    wait_for("its step", lambda: _step_states(url, run_id)[0][0] == "running", 30, procs)
    lease_a = _run_state(url, run_id)[1]
    assert lease_a is not None and _step_states(url, run_id) == [("running", lease_a)]
    b = start_worker("b", env, tmp_path)
    procs.append(b)
    wait_for("B ready", lambda: "worker ready" in b.output(), 90, procs)
    assert len(_lease_ids(url)) == 2
    return run_id, lease_a, a, b, procs


def test_a_starting_peer_leaves_a_run_alone_and_a_hung_ones_is_taken_back_after_its_lease(
    db: Path, member: Actor, tmp_path: Path
) -> None:
    url = _url(db)
    run_id, lease_a, a, b, procs = _a_runs_it_then_b_starts(member, db, tmp_path)
    try:
        time.sleep(TTL_S + 1)  # B has recovered on several heartbeats by now
        assert _run_state(url, run_id) == ("running", lease_a), "B took a living peer's run"

        os.kill(a.popen.pid, signal.SIGSTOP)  # A hangs: its pid lives, its lease is not renewed
        hung = time.monotonic()
        wait_for("B to take A's run back", lambda: _run_state(url, run_id)[0] == "interrupted",
                 60, procs)  # fmt: skip
        waited = time.monotonic() - hung
        assert waited >= TTL_S - HEARTBEAT_S - 0.5, f"taken {waited:.1f} s after A hung"
        assert [s for s, _ in _step_states(url, run_id)] == ["interrupted"]
        assert b.alive
        wait_for("A's lease to go", lambda: lease_a not in _lease_ids(url), 30, procs)
        a.kill9()
        assert b.stop() == 0
        assert _lease_ids(url) == []  # B released its lease on the way out
    finally:
        for proc in procs:
            proc.stop()


def test_a_killed_peers_runs_are_taken_back_at_once_on_the_same_machine(
    db: Path, member: Actor, tmp_path: Path
) -> None:
    url = _url(db)
    long_lease = {"FLOWDECK_LEASE_TTL_S": "60"}  # a lease that would outlive the test
    run_id, lease_a, a, b, procs = _a_runs_it_then_b_starts(member, db, tmp_path, **long_lease)
    try:
        a.kill9()
        killed = time.monotonic()
        wait_for("B to take A's run back", lambda: _run_state(url, run_id)[0] == "interrupted",
                 60, procs)  # fmt: skip
        # A's pid is gone: B ends A's lease at its next heartbeat, not after the lease time
        assert time.monotonic() - killed < 20, b.output()[-2000:]
        assert _run_state(url, run_id)[1] == lease_a  # it still says who ran it
        assert b.alive and b.stop() == 0
    finally:
        for proc in procs:
            proc.stop()


def test_a_second_worker_picks_up_queued_runs(db: Path, member: Actor, tmp_path: Path) -> None:
    url, env = _url(db), cluster_env(db)
    a = start_worker("a", env, tmp_path)
    try:
        wait_for("A ready", lambda: "worker ready" in a.output(), 90, [a])
        run_id = _queue_run(member)  # queued by another process (this one)
        wait_for(
            "A to pick it up",
            lambda: (
                read(url, "SELECT status FROM execution WHERE id = :i", i=run_id)[0][0] == "running"
            ),
            30,
            [a],
        )
        assert a.stop() == 0
        state = read(url, "SELECT status, error FROM execution WHERE id = :i", i=run_id)[0]
        assert state[0] == "interrupted" and "stopped" in state[1]  # a clean stop ends it
    finally:
        a.stop()


EX, LE = Execution.__table__, WorkerLease.__table__


async def test_runs_from_before_leases_wait_while_another_process_lives(
    db: Path, member: Actor
) -> None:
    run_id = await asyncio.to_thread(_queue_run, member, "legacy")
    now = utcnow()
    with get_engine().begin() as conn:  # as a process before 0011 left it: running, no lease
        conn.execute(EX.update().where(EX.c.id == run_id).values(status="running", started_at=now))
        conn.execute(
            LE.insert(),
            {"id": "peer", "host": "elsewhere", "pid": 1, "role": "app", "started_at": now,
             "heartbeat_at": now, "expires_at": now + timedelta(seconds=30)},
        )  # fmt: skip
    engine = Engine()
    runtime.install(engine)
    try:
        assert await engine.start() == []  # a peer is alive: it may be running this one
        with get_engine().begin() as conn:  # the peer stops renewing; its lease runs out
            conn.execute(LE.update().values(expires_at=now - timedelta(seconds=1)))
        assert await engine.recover() == [run_id]
        assert await engine.recover() == []  # once
        assert leases.reap() == 1
    finally:
        await engine.stop()
        runtime.install(None)
    with get_engine().connect() as conn:
        status = conn.execute(sa.select(EX.c.status).where(EX.c.id == run_id)).scalar()
    assert status == "interrupted"
