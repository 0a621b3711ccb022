"""An execution's detail links both ways along its retries: a run, its retry, the retry's
retry (real SQLite, the real engine), over the service and over REST."""

from __future__ import annotations

import httpx
import sqlalchemy as sa

from app.db.engine import get_engine
from app.engine.runner import Engine
from app.services import execution_links, executions, workflows
from app.services.actor import Actor

FAILING = [{"id": "divide", "type": "transform", "config": {"values": {"q": "{{ 1 / 0 }}"}}}]


async def _chain(member: Actor, engine: Engine) -> tuple[int, int, int]:
    saved = workflows.create_workflow(
        member, {"name": "always fails", "trigger": {"type": "manual"}, "actions": FAILING}
    )
    first = await executions.execute_workflow(member, saved.workflow["id"], payload={})
    await engine.drain()
    second = executions.retry_execution(member, first["id"])
    await engine.drain()
    third = executions.retry_execution(member, second["id"])
    await engine.drain()
    return first["id"], second["id"], third["id"]


async def test_a_run_its_retry_and_the_retrys_retry_link_both_ways(
    engine: Engine, member: Actor
) -> None:
    first, second, third = await _chain(member, engine)
    one, two, three = (executions.get_execution(member, i) for i in (first, second, third))
    assert one["retry_of"] is None and one["retries"] == [{"id": second, "status": "failed"}]
    assert two["retry_of"] == first and two["retries"] == [{"id": third, "status": "failed"}]
    assert three["retry_of"] == second and three["retries"] == []


async def test_a_run_retried_again_after_its_retry_failed_lists_both_oldest_first(
    engine: Engine, member: Actor
) -> None:
    first, second, _ = await _chain(member, engine)
    again = executions.retry_execution(member, first)
    await engine.drain()
    retries = executions.get_execution(member, first)["retries"]
    assert [r["id"] for r in retries] == [second, again["id"]]


async def test_the_list_of_retries_is_bounded(engine: Engine, member: Actor) -> None:
    first, second, _ = await _chain(member, engine)
    with get_engine().begin() as conn:
        row = conn.execute(sa.text("SELECT * FROM execution WHERE id = :id"), {"id": second})
        copy = {k: v for k, v in row.mappings().one().items() if k not in ("id", "dedupe_key")}
        for _ in range(execution_links.RETRIES_SHOWN + 5):
            conn.execute(sa.table("execution", *map(sa.column, copy)).insert(), copy)
    with get_engine().connect() as conn:
        shown = execution_links.retries_of(conn, first)
    assert len(shown) == execution_links.RETRIES_SHOWN and shown[0]["id"] == second


async def test_the_rest_detail_carries_the_retries(
    engine: Engine, member: Actor, api: httpx.AsyncClient
) -> None:
    first, second, _ = await _chain(member, engine)
    got = await api.get(f"/api/workflow-orchestration/executions/{first}")
    assert got.status_code == 200, got.text
    assert got.json()["retries"] == [{"id": second, "status": "failed"}]
