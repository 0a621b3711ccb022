"""`for_each` on the real engine, a real SQLite file and a loopback HTTP server.

Concurrency is read from the server's own clock (when each request arrived and was answered),
never from sleeps in the test.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from app.db.engine import get_engine
from app.db.models import StepItem
from app.engine.runner import Engine
from app.services import executions, workflows
from app.services.actor import Actor

SI = StepItem.__table__  # type: ignore[attr-defined]


def _workflow(member: Actor, actions: list[dict]) -> int:
    data = {"name": "loop", "trigger": {"type": "manual"}, "actions": actions}
    return workflows.create_workflow(member, data).workflow["id"]


async def _run(member: Actor, engine: Engine, wf: int, payload: dict | None = None) -> dict:
    started = await executions.execute_workflow(member, wf, payload=payload)
    await engine.drain()
    return executions.get_execution(member, started["id"])


def _step(result: dict, action_id: str) -> dict:
    return next(step for step in result["steps"] if step["action_id"] == action_id)


def _items(step_id: int) -> list[dict]:
    with get_engine().connect() as conn:
        rows = conn.execute(sa.select(SI).where(SI.c.step_id == step_id).order_by(SI.c.position))
        return [dict(row._mapping) for row in rows]


def _loop(items, step: dict, **config) -> dict:
    return {"id": "loop", "type": "for_each", "config": {"items": items, "step": step, **config}}


async def test_items_run_in_order_with_item_and_index(engine: Engine, member: Actor) -> None:
    inner = {
        "type": "transform",
        "config": {"values": {"n": "{{ item.n * 10 }}", "at": "{{ index }}"}},
    }
    wf = _workflow(member, [_loop("{{ trigger.rows }}", inner)])
    rows = [{"n": n} for n in (3, 1, 2)]
    result = await _run(member, engine, wf, {"rows": rows})
    assert result["status"] == "succeeded", result["error"]
    loop = _step(result, "loop")
    assert loop["output"] == [{"n": 30, "at": 0}, {"n": 10, "at": 1}, {"n": 20, "at": 2}]
    items = _items(loop["id"])
    assert [(i["position"], i["status"], i["attempts"]) for i in items] == [
        (0, "succeeded", 1),
        (1, "succeeded", 1),
        (2, "succeeded", 1),
    ]
    assert items[1]["output"] == {"n": 10, "at": 1}
    assert all(i["started_at"] is not None and i["duration_ms"] >= 0 for i in items)
