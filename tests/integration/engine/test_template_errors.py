"""A run whose template reads a key that is not there fails with an error that names the step,
the field, the missing key and the keys that exist (never their values)."""

from __future__ import annotations

from app.engine.runner import Engine
from app.services import executions, workflows
from app.services.actor import Actor


async def test_a_missing_key_is_explained(engine: Engine, member: Actor, http_server) -> None:
    url, script = http_server
    script.answers = [(200, {"city": "Oslo", "token": "do-not-show-me"})]
    actions = [
        {"id": "fetch", "type": "api_call", "config": {"url": f"{url}/weather"}},
        {
            "id": "report",
            "type": "transform",
            "config": {"values": {"total": "{{ steps.fetch.output.city }}"}},
        },
    ]
    data = {"name": "wf", "trigger": {"type": "manual"}, "actions": actions}
    wf = workflows.create_workflow(member, data).workflow["id"]
    started = await executions.execute_workflow(member, wf, payload={"n": 1})
    await engine.drain()
    run = executions.get_execution(member, started["id"])
    assert run["status"] == "failed"
    step = {s["action_id"]: s for s in run["steps"]}["report"]
    error = step["error"]
    assert "undefined 'city' in config.values.total of step 'report'" in error, error
    assert "steps.fetch.output has no 'city'" in error
    assert "'status', 'headers', 'body'" in error
    assert "did you mean steps.fetch.output.body.city?" in error
    assert "do-not-show-me" not in error and "Oslo" not in error
