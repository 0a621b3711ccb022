"""The `orchestration` step inside a workflow run by the engine: its output feeds later steps,
the run is recorded with the execution's id, a failed run fails the step, credentials are
masked in the execution's stored steps."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app.db.engine import get_engine
from app.engine.runner import Engine
from app.services import (  # orchestration_runs: installs the step's runner
    connections,
    executions,
    orchestration_runs,  # noqa: F401
    orchestrations,
    workflows,
)
from app.services.actor import Actor
from app.services.orchestration_views import get_run
from tests.integration.engine.orchestration_server import Answer, Api, serve

TOKEN = "tok-step-4Hn8Kd2Lp6Rt0Wq3Zx"


@pytest.fixture
def api() -> Iterator[Api]:
    with serve() as server:
        yield server


def _orchestration(member: Actor, api: Api, **extra: Any) -> int:
    data = {
        "name": "login then profile",
        "mode": "pipeline",
        "calls": [
            {
                "id": "login",
                "method": "POST",
                "url": f"{api.url}/login",
                "body": {"user": "{{ inputs.user }}"},
                "extract": {"session": "data.session"},
            },
            {
                "id": "profile",
                "url": "/profile",
                "connection": "remote",
                "headers": {"X-Session": "{{ prev.session }}"},
                "extract": {"name": "data.name"},
            },
        ],
        **extra,
    }
    return orchestrations.create_orchestration(member, data)["id"]


def _workflow(member: Actor, orchestration_id: int) -> int:
    actions = [
        {
            "id": "orch",
            "type": "orchestration",
            "config": {
                "orchestration_id": orchestration_id,
                "inputs": {"user": "{{ trigger.who }}"},
            },
        },
        {
            "id": "use",
            "type": "transform",
            "config": {
                "values": {
                    "name": "{{ steps.orch.output.calls.profile.extracted.name }}",
                    "status": "{{ steps.orch.output.status }}",
                    "code": "{{ steps.orch.output.calls.login.status_code }}",
                }
            },
        },
    ]
    data = {"name": "uses an orchestration", "trigger": {"type": "manual"}, "actions": actions}
    return workflows.create_workflow(member, data).workflow["id"]


def _connection(member: Actor, base_url: str) -> None:
    connections.create_connection(
        member,
        {
            "name": "remote",
            "platform": "http",
            "connectionType": "oauth",
            "credentials": {"token": TOKEN},
            "config": {"baseUrl": base_url},
        },
    )


async def _execute(engine: Engine, member: Actor, workflow_id: int) -> dict[str, Any]:
    started = await executions.execute_workflow(member, workflow_id, payload={"who": "ann"})
    await engine.drain()
    return executions.get_execution(member, started["id"])


async def test_the_step_runs_the_orchestration_and_hands_on_its_calls(
    db: Path, engine: Engine, member: Actor, api: Api
) -> None:
    _connection(member, api.url)
    api.script("/login", Answer(body={"data": {"session": "s-42"}}))
    api.script("/profile", Answer(body={"data": {"name": "Ann"}, "echo": f"Bearer {TOKEN}"}))
    orchestration_id = _orchestration(member, api)
    result = await _execute(engine, member, _workflow(member, orchestration_id))

    steps = {s["action_id"]: s for s in result["steps"]}
    assert result["status"] == "succeeded", steps["orch"]["error"]
    output = steps["orch"]["output"]
    assert output["status"] == "succeeded"
    assert set(output["calls"]) == {"login", "profile"}
    assert output["calls"]["login"] == {
        "status": "succeeded",
        "status_code": 200,
        "extracted": {"session": "s-42"},
        "body": {"data": {"session": "s-42"}},
    }
    assert steps["use"]["output"] == {"name": "Ann", "status": "succeeded", "code": 200}
    (login,) = api.seen("/login")
    assert json.loads(login.body) == {"user": "ann"}
    (profile,) = api.seen("/profile")
    assert profile.headers["X-Session"] == "s-42"
    assert profile.headers["Authorization"] == f"Bearer {TOKEN}"

    run = get_run(member, output["run_id"])
    assert run["trigger"] == "workflow" and run["execution_id"] == result["id"]
    assert run["status"] == "succeeded"
    assert [c["id"] for c in run["calls"]] == ["login", "profile"]
    assert run["calls"][1]["request"]["headers"]["Authorization"] == "[redacted]"

    with get_engine().connect() as conn:
        stored = conn.execute(sa.text("SELECT input, output, error FROM execution_step")).all()
        stored_calls = conn.execute(sa.text("SELECT record FROM orchestration_call")).all()
    text = json.dumps([list(map(str, r)) for r in [*stored, *stored_calls]])
    assert "Bearer [redacted]" in text  # the echoed credential, in the step's stored output
    assert TOKEN not in text


async def test_a_failed_run_fails_the_step_and_skips_what_follows(
    db: Path, engine: Engine, member: Actor, api: Api
) -> None:
    _connection(member, api.url)
    api.script("/login", Answer(status=500, body={"error": "down"}))
    orchestration_id = _orchestration(member, api)
    result = await _execute(engine, member, _workflow(member, orchestration_id))

    steps = {s["action_id"]: s for s in result["steps"]}
    assert result["status"] == "failed" and result["failed_step"] == "orch"
    assert steps["orch"]["status"] == "failed"
    run_id = steps["orch"]["output"]["run_id"]
    assert steps["orch"]["error"] == (
        f'orchestration run {run_id} failed: call "login" failed: POST {api.url}/login answered 500'
    )
    assert steps["orch"]["output"]["calls"]["profile"]["status"] == "skipped"
    assert steps["use"]["status"] == "skipped"
    assert get_run(member, run_id)["status"] == "failed"


async def test_a_missing_orchestration_fails_the_step_before_anything_runs(
    db: Path, engine: Engine, member: Actor, api: Api
) -> None:
    result = await _execute(engine, member, _workflow(member, 999))
    steps = {s["action_id"]: s for s in result["steps"]}
    assert steps["orch"]["status"] == "failed"
    assert "999" in steps["orch"]["error"]
    assert api.requests == []
