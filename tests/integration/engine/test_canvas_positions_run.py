"""Canvas positions never change what runs: the same workflow with and without `ui` hints."""

from __future__ import annotations

from app.core import canvas
from app.engine.runner import Engine
from app.services import executions, workflows
from app.services.actor import Actor

STEPS = [
    {"id": "fetch", "type": "transform", "config": {"values": {"n": "{{ trigger.n }}"}}},
    {"id": "check", "type": "if", "config": {"condition": "trigger.n > 1"}},
    {"id": "big", "type": "transform", "config": {"values": {}}, "depends_on": ["check:true"]},
    {"id": "small", "type": "transform", "config": {"values": {}}, "depends_on": ["check:false"]},
    {
        "id": "join",
        "type": "merge",
        "config": {"mode": "object"},
        "depends_on": ["big", "small"],
        "trigger_rule": "none_failed",
    },
]


async def _outcome(member: Actor, engine: Engine, actions: list[dict], n: int) -> dict:
    data = {"name": "positions", "trigger": {"type": "manual"}, "actions": actions}
    workflow_id = workflows.create_workflow(member, data).workflow["id"]
    started = await executions.execute_workflow(member, workflow_id, payload={"n": n})
    await engine.drain()
    result = executions.get_execution(member, started["id"])
    steps = {s["action_id"]: (s["status"], s["output"]) for s in result["steps"]}
    return {"status": result["status"], "steps": steps}


async def test_positions_change_nothing_that_runs(engine: Engine, member: Actor) -> None:
    pinned = canvas.move(canvas.tidy(STEPS), "join", -900, 12345.5)
    assert all("ui" in step for step in pinned)
    for n in (5, 0):
        plain = await _outcome(member, engine, STEPS, n)
        placed = await _outcome(member, engine, pinned, n)
        assert placed == plain and plain["status"] == "succeeded"
        taken, skipped = ("big", "small") if n else ("small", "big")
        assert plain["steps"][taken][0] == "succeeded" and plain["steps"][skipped][0] == "skipped"
