"""One scheduler leader at a time (#17). On one SQLite file: the leadership row is taken,
renewed, refused to others and handed over; with two real `flowdeck worker` processes and a
schedule every second, each slot fires once, and after `kill -9` of the leader the other
process takes over and fires on, doubling no slot."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from pathlib import Path

from app.db.engine import get_engine
from app.db.models import WorkerLease
from app.db.types import utcnow
from app.engine import leadership
from app.engine.leadership import SCHEDULER, leader_of, step_down, take_or_renew
from app.services import workflows
from app.services.actor import Actor
from tests.integration.cluster.processes import Proc, cluster_env, read, start_worker, wait_for

LE = WorkerLease.__table__
GAINED = "leads the scheduler"


def _lease(lease_id: str, seconds: float) -> None:
    now = utcnow()
    with get_engine().begin() as conn:
        conn.execute(
            LE.insert(),
            {"id": lease_id, "host": "h", "pid": 1, "role": "app", "started_at": now,
             "heartbeat_at": now, "expires_at": now + timedelta(seconds=seconds)},
        )  # fmt: skip


def test_the_leadership_row_is_taken_renewed_refused_and_handed_over(db: Path) -> None:
    _lease("a", 30)
    _lease("b", 30)
    now = utcnow()
    assert take_or_renew(SCHEDULER, "a", 10, now)  # nobody led: taken
    assert not take_or_renew(SCHEDULER, "b", 10, now)  # a leads
    assert take_or_renew(SCHEDULER, "a", 10, now + timedelta(seconds=5))  # renewed
    assert not take_or_renew(SCHEDULER, "b", 10, now + timedelta(seconds=14))
    assert take_or_renew(SCHEDULER, "b", 10, now + timedelta(seconds=15))  # a's time ran out
    assert leader_of(SCHEDULER, now + timedelta(seconds=16)) == "b"
    assert not take_or_renew(SCHEDULER, "a", 10, now + timedelta(seconds=16))  # a came back late
    step_down(SCHEDULER, "b")  # a clean stop
    assert take_or_renew(SCHEDULER, "a", 10)
    with get_engine().begin() as conn:  # a's process is gone: its lease ended
        conn.execute(LE.update().where(LE.c.id == "a").values(expires_at=utcnow()))
    assert take_or_renew(SCHEDULER, "b", 10)  # no need to wait for the leadership's time
    assert leader_of(SCHEDULER) == "b"


async def test_only_one_of_two_bidders_leads(db: Path) -> None:
    _lease("a", 30)
    _lease("b", 30)
    gained: list[str] = []

    def bidder(name: str) -> leadership.Leadership:
        async def gain() -> None:
            gained.append(name)

        async def lose() -> None:
            gained.remove(name)

        return leadership.Leadership(SCHEDULER, name, 10, on_gain=gain, on_lose=lose)

    a, b = bidder("a"), bidder("b")
    results = await asyncio.gather(a.check(), b.check(), a.check(), b.check())
    assert sorted(results) == [False, False, True, True] and len(gained) == 1
    leader, other = (a, b) if gained == ["a"] else (b, a)
    await leader.stop()  # hands over at once
    assert gained == [] and await other.check() and gained == [other.lease_id]
    await other.stop()


def _slots(url: str, workflow_id: int) -> list[datetime]:
    rows = read(
        url,
        "SELECT scheduled_for FROM execution WHERE workflow_id = :w ORDER BY scheduled_for",
        w=workflow_id,
    )
    return [r[0] if isinstance(r[0], datetime) else datetime.fromisoformat(r[0]) for r in rows]


def _leaders(procs: list[Proc]) -> list[str]:
    return [p.name for p in procs if GAINED in p.output()]


def test_two_processes_fire_each_slot_once_and_the_survivor_takes_over(
    db: Path, member: Actor, tmp_path: Path
) -> None:
    url = f"sqlite:///{db / 'flowdeck.db'}"
    env = cluster_env(db, FLOWDECK_LEASE_TTL_S="60")  # a lease that outlives the test
    a = start_worker("a", env, tmp_path)
    procs = [a]
    try:
        wait_for("A ready", lambda: "worker ready" in a.output(), 90, procs)
        b = start_worker("b", env, tmp_path)
        procs.append(b)
        wait_for("B ready", lambda: "worker ready" in b.output(), 90, procs)
        trigger = {"type": "schedule", "config": {"interval_seconds": 1, "misfire": "run_once"}}
        actions = [{"id": "tick", "type": "transform", "config": {"values": {"n": 1}}}]
        wf = workflows.create_workflow(
            member, {"name": "every second", "trigger": trigger, "actions": actions}
        ).workflow["id"]
        # The leader learns of the new schedule at its next heartbeat (it was made here).
        wait_for("the first fire", lambda: _slots(url, wf), 30, procs)
        time.sleep(10)
        assert len(_leaders(procs)) == 1, [p.output()[-1500:] for p in procs]
        (leader,) = [p for p in procs if GAINED in p.output()]
        (survivor,) = [p for p in procs if p is not leader]
        before = _slots(url, wf)
        gaps = [(b - a).total_seconds() for a, b in zip(before, before[1:], strict=False)]
        assert len(before) >= 8 and set(gaps) == {1.0}, gaps  # one run per slot, none missed

        leader.kill9()
        wait_for("the survivor to lead", lambda: GAINED in survivor.output(), 30, procs)
        count = len(_slots(url, wf))
        wait_for("fires after the take-over", lambda: len(_slots(url, wf)) >= count + 3, 30, procs)
        after = _slots(url, wf)
        assert len(after) == len(set(after))  # no slot twice (the unique key is the last guard)
        gaps = [(b - a).total_seconds() for a, b in zip(after, after[1:], strict=False)]
        assert all(g >= 1.0 for g in gaps), gaps
        assert "not fired twice" not in survivor.output() + leader.output()
        runs = read(url, "SELECT count(*) FROM execution WHERE workflow_id = :w", w=wf)[0][0]
        assert runs == len(after)
        assert survivor.stop() == 0
    finally:
        for proc in procs:
            proc.stop()
