"""A run whose steps render ahead (templates reading only the trigger, execution, workflow, env
and the run's `now`) ends exactly as if each had rendered at its turn: branches, skips, a
later step reading an earlier one, and a runaway template failing its own step at its turn."""

from __future__ import annotations

from app.engine.runner import Engine
from app.services import executions, workflows
from app.services.actor import Actor

SLOW = {f"v{i}": "{% for i in range(1000) %}{{ i|string|upper }}{% endfor %}" for i in range(999)}


def _values(values: dict, **extra) -> dict:
    return {"type": "transform", "config": {"values": values}, **extra}


ACTIONS = [
    {"id": "first", **_values({"n": "{{ trigger.n * 2 }}", "run": "{{ execution.id }}"})},
    {"id": "check", "type": "if", "config": {"condition": "trigger.n > 1"}},
    {"id": "big", **_values({"label": "big {{ trigger.n }}"}, depends_on=["check:true"])},
    {"id": "small", **_values({"label": "small {{ trigger.n }}"}, depends_on=["check:false"])},
    {"id": "uses", **_values({"copy": "{{ steps.big.output.label }}"}, depends_on=["big"])},
    {"id": "runaway", **_values(SLOW, timeout_s=0.3, depends_on=["uses"])},
    {
        "id": "finally",
        **_values({"at": "{{ now }}", "wf": "{{ workflow.name }}"}),
        "depends_on": ["runaway", "small"],
        "trigger_rule": "all_done",
    },
]


async def test_a_run_rendered_ahead_ends_as_rendered_at_each_turn(
    engine: Engine, member: Actor
) -> None:
    wf = workflows.create_workflow(
        member, {"name": "ahead", "trigger": {"type": "manual"}, "actions": ACTIONS}
    ).workflow["id"]
    started = await executions.execute_workflow(member, wf, payload={"n": 3})
    await engine.drain()
    detail = executions.get_execution(member, started["id"])
    steps = {step["action_id"]: step for step in detail["steps"]}
    assert {k: s["status"] for k, s in steps.items()} == {
        "first": "succeeded",
        "check": "succeeded",
        "big": "succeeded",
        "small": "skipped",
        "uses": "succeeded",
        "runaway": "failed",
        "finally": "succeeded",
    }
    assert steps["first"]["output"] == {"n": 6, "run": started["id"]}
    assert steps["big"]["output"] == {"label": "big 3"}
    assert steps["uses"]["output"] == {"copy": "big 3"}
    assert steps["small"]["skip_reason"].startswith('branch "false" of "check" was not taken')
    assert steps["runaway"]["error"] == "timed out after 0.3 s (rendering the config)"
    assert steps["finally"]["output"]["wf"] == "ahead"
    assert detail["status"] == "failed" and detail["failed_step"] == "runaway"
