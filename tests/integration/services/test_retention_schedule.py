"""The scheduler runs the prune on a thread of its own, while the event loop keeps answering."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

from app.engine.scheduler import ScheduleClock
from app.services import retention, retention_prune
from app.services.actor import SYSTEM
from tests.integration.services.retention_data import add_execution, count, make_workflow


async def test_clock_prunes_off_the_loop(db: Path) -> None:
    wf = make_workflow("rt-scheduled")
    for _ in range(30):
        add_execution(wf, age_days=40)
    retention.update_settings(SYSTEM, {"keep_days": 30})
    threads: list[str] = []

    def job() -> None:
        threads.append(threading.current_thread().name)
        time.sleep(0.3)  # a prune that takes a while must not hold up the loop
        retention_prune.prune_scheduled()

    clock = ScheduleClock()
    clock.start()
    try:
        clock.every("retention", 0.2, job)
        longest_tick = 0.0
        deadline = time.monotonic() + 10
        while not _audited() and time.monotonic() < deadline:
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            longest_tick = max(longest_tick, time.perf_counter() - before)
    finally:
        await clock.stop()
    assert _audited() and count("execution") == 0
    assert threads and threading.main_thread().name not in threads
    assert longest_tick < 0.25  # the loop kept running while the job slept and pruned


def _audited() -> bool:
    return count("audit_event", "action = 'retention.pruned' AND details LIKE '%schedule%'") > 0
