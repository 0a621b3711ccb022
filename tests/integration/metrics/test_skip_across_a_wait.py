"""A monitor that skipped itself lets its dependents run, also when the run waited in between
and went on from the stored step states (a resume rebuilds them from the database)."""

from __future__ import annotations

import httpx

from app.engine.runner import Engine
from tests.integration.engine.wait_helpers import create, start, status_is, steps, until

MONITOR = {"id": "monitor", "type": "monitor", "depends_on": [],
           "config": {"metrics": ["ranking", "traffic", "engagement"]}}  # fmt: skip
PAUSE = {"id": "pause", "type": "wait", "depends_on": [], "config": {"seconds": 1}}
AFTER = {"id": "after", "type": "transform", "depends_on": ["monitor", "pause"],
         "config": {"values": {"ran": True}}}  # fmt: skip


async def test_a_skipped_monitor_does_not_skip_its_dependents_after_a_wait(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    workflow_id = await create(api, "skip then wait", [MONITOR, PAUSE, AFTER])
    execution_id = await start(api, workflow_id, {"article_id": 1})
    waiting = await until(api, execution_id, status_is("waiting"), limit_s=10)
    assert steps(waiting)["monitor"]["status"] == "skipped"
    done = await until(api, execution_id, status_is("succeeded", "failed"), limit_s=15)
    assert steps(done)["after"]["status"] == "succeeded", steps(done)["after"]
    assert done["status"] == "succeeded"
