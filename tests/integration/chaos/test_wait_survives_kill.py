"""A waiting execution survives `kill -9` of the app and goes on after the restart.

Two runs wait when the whole process group is killed: one on a timer (due while the app is
dead), one on its webhook resume URL. After the restart the timer's run finishes by itself
(the wait clock reads the persisted time) and the other finishes once its URL is called.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from bench import appserver
from tests.integration.chaos.chaos_support import AppProcess, flowdeck_cli, integrity

API = "/api/workflow-orchestration"
TIMER_S = 3.0


def _workflows() -> dict[str, dict]:
    first = {"id": "first", "type": "transform", "config": {"values": {"n": 7}}}
    last = {
        "id": "last",
        "type": "transform",
        "config": {"values": {"n": "{{ steps.first.output.n }}"}},
    }
    return {
        "timer": {
            "name": "wait on a timer",
            "trigger": {"type": "manual"},
            "actions": [first, {"id": "nap", "type": "wait", "config": {"seconds": TIMER_S}}, last],
        },
        "hook": {
            "name": "wait for a call",
            "trigger": {"type": "manual"},
            "actions": [first, {"id": "call", "type": "wait", "config": {"webhook": True}}, last],
        },
    }


def _status(client: httpx.Client, execution_id: int, *wanted: str, limit_s: float) -> dict:
    deadline = time.monotonic() + limit_s
    while True:
        detail = client.get(f"{API}/executions/{execution_id}").json()
        if detail.get("status") in wanted:
            return detail
        assert time.monotonic() < deadline, f"{execution_id} is {detail.get('status')}"
        time.sleep(0.2)


def _steps(detail: dict) -> dict[str, dict]:
    return {step["action_id"]: step for step in detail["steps"]}


def _scenario(app: AppProcess, key: str) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=app.base, headers=headers, timeout=30) as client:
        runs = {}
        for name, body in _workflows().items():
            made = client.post(f"{API}/workflows", json=body)
            assert made.status_code == 201, made.text
            started = client.post(f"{API}/workflows/{made.json()['id']}/execute", json={})
            assert started.status_code == 202, started.text
            runs[name] = started.json()["id"]
        for execution_id in runs.values():
            _status(client, execution_id, "waiting", limit_s=20)
        hook_wait = _status(client, runs["hook"], "waiting", limit_s=1)["waits"][0]
        resume_path = "/api/" + hook_wait["resume_url"].split("/api/", 1)[1]

    app.kill9()
    time.sleep(TIMER_S)  # the timer falls due while nothing runs
    app.start()

    with httpx.Client(base_url=app.base, headers=headers, timeout=30) as client:
        timer = _status(client, runs["timer"], "succeeded", "failed", limit_s=30)
        assert timer["status"] == "succeeded", timer.get("error")
        assert _steps(timer)["last"]["output"] == {"n": 7}
        assert _steps(timer)["nap"]["output"]["waited_s"] >= TIMER_S

        assert _status(client, runs["hook"], "waiting", limit_s=1)
        resumed = httpx.post(f"{app.base}{resume_path}", json={"answer": 42}, timeout=30)
        assert resumed.status_code in (200, 202), resumed.text
        hook = _status(client, runs["hook"], "succeeded", "failed", limit_s=30)
        assert hook["status"] == "succeeded", hook.get("error")
        assert _steps(hook)["call"]["output"] == {"answer": 42}
        again = httpx.post(f"{app.base}{resume_path}", json={"answer": 43}, timeout=30)
        assert again.status_code == 409, again.text


async def test_waiting_runs_survive_kill_9(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {
        **appserver.app_env(data_dir, appserver.free_port()),
        "REFLEX_WEB_WORKDIR": str(tmp_path / "web"),
        "REFLEX_STATES_WORKDIR": str(tmp_path / "states"),
    }
    flowdeck_cli(env, "db-upgrade")
    flowdeck_cli(
        env,
        "create-user",
        "--email",
        "waits@example.com",
        "--role",
        "admin",
        "--password-stdin",
        stdin="waits-password-1\n",
    )
    key = flowdeck_cli(env, "create-api-key", "--email", "waits@example.com", "--name", "waits")
    app = AppProcess(env=env, log_dir=tmp_path)
    try:
        await asyncio.to_thread(app.start)
        await asyncio.to_thread(_scenario, app, key.strip())
        app.stop()
    finally:
        app.kill_if_running()
    assert integrity(data_dir / "flowdeck.db") == "ok"
