"""Orchestrations over REST in process: the engine on the serving loop, a real SQLite file and a
loopback server playing the remote API. Create (no longer a 405), list, get, change, versions,
rollback, delete; run with and without `wait`; runs paged and read live; bad input is a 422
naming every problem's path; viewers are refused, as for workflows."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from app.api import create_api
from app.engine.runner import Engine
from app.services import api_keys, users
from app.services.actor import SYSTEM
from tests.integration.api.deployed import problems
from tests.integration.engine.orchestration_server import Answer, Api, serve

BASE = "/api/workflow-orchestration"


@pytest.fixture
def remote() -> Iterator[Api]:
    with serve() as server:
        yield server


@pytest.fixture
async def viewer(engine: Engine) -> AsyncIterator[httpx.AsyncClient]:
    user = users.create_user(SYSTEM, email="viewer@example.com", role="viewer", password="v" * 12)
    key, _ = api_keys.create_api_key(SYSTEM, user_id=user.id, name="viewer")
    transport = httpx.ASGITransport(app=create_api())
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers=headers
    ) as client:
        yield client


def _two_calls(url: str, mode: str = "pipeline") -> dict[str, Any]:
    return {
        "name": "sign in, then list",
        "mode": mode,
        "timeoutS": 30,
        "calls": [
            {
                "id": "login",
                "method": "POST",
                "url": f"{url}/login",
                "body": {"user": "{{ inputs.user }}"},
                "extract": {"sid": "sid"},
            },
            {"id": "items", "url": f"{url}/items", "query": {"sid": "{{ prev.sid }}"}},
        ],
    }


async def _create(api: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await api.post(f"{BASE}/orchestrations", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def test_create_list_get_change_roll_back_and_delete(
    api: httpx.AsyncClient, remote: Api
) -> None:
    allowed = await api.options(f"{BASE}/orchestrations")
    assert allowed.status_code == 204 and "POST" in allowed.headers["allow"]  # not a 405 now
    created = await _create(api, _two_calls(remote.url))
    oid = created["id"]
    assert created["version"] == 1 and created["call_count"] == 2
    assert created["timeout_s"] == 30 and created["calls"][0]["extract"] == {"sid": "sid"}

    listed = (await api.get(f"{BASE}/orchestrations", params={"sort": "-runs"})).json()
    assert listed["total"] == 1
    row = listed["items"][0]
    assert (row["mode"], row["call_count"], row["success_rate"], row["p95_ms"]) == (
        "pipeline",
        2,
        None,
        None,
    )

    changed = await api.put(
        f"{BASE}/orchestrations/{oid}", json={"mode": "sequential", "changeDescription": "plain"}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2 and changed.json()["name"] == "sign in, then list"
    versions = (await api.get(f"{BASE}/orchestrations/{oid}/versions")).json()
    assert [v["version_number"] for v in versions["items"]] == [2, 1]
    assert versions["items"][0]["change_summary"] == ["mode pipeline → sequential"]
    one = await api.get(f"{BASE}/orchestrations/{oid}/versions/1")
    assert one.json()["definition"]["mode"] == "pipeline"

    rolled = await api.post(
        f"{BASE}/orchestrations/{oid}/rollback", json={"versionNumber": 1, "reason": "prev"}
    )
    assert rolled.status_code == 200, rolled.text
    assert rolled.json()["orchestration"]["mode"] == "pipeline"
    assert rolled.json()["version"]["restored_from"] == 1
    again = await api.post(
        f"{BASE}/orchestrations/{oid}/rollback", json={"versionNumber": 1, "reason": "prev"}
    )
    assert again.status_code == 409
    no_reason = await api.post(f"{BASE}/orchestrations/{oid}/rollback", json={"versionNumber": 1})
    assert "reason" in problems(no_reason)

    assert (await api.delete(f"{BASE}/orchestrations/{oid}")).status_code == 204
    gone = await api.get(f"{BASE}/orchestrations/{oid}")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"
    assert (await api.get(f"{BASE}/orchestrations/{oid}/runs")).status_code == 404


async def test_bad_input_is_a_422_naming_every_problem(api: httpx.AsyncClient) -> None:
    bad = {
        "name": "bad",
        "mode": "parallel",
        "calls": [
            {"id": "a", "url": "ftp://nowhere", "dependsOn": ["missing"]},
            {"id": "b", "url": "https://x.example/{{ inputs.", "method": "FETCH"},
            {"id": "c", "url": "https://x.example", "headers": {"Authorization": "Bearer s3cr3t"}},
        ],
    }
    found = problems(await api.post(f"{BASE}/orchestrations", json=bad))
    assert {"calls[0].url", "calls[1].url", "calls[1].method"} <= set(found)
    assert any(path.startswith("calls[0].depends_on") for path in found), found

    secret = {**bad, "mode": "sequential", "calls": bad["calls"][2:]}
    assert "calls[0].headers.Authorization" in problems(
        await api.post(f"{BASE}/orchestrations", json=secret)
    )
    typed = {"name": 5, "calls": [{"id": "a", "url": "https://x.example", "timeoutS": "slow"}]}
    assert {"name", "calls[0].timeout_s"} <= set(
        problems(await api.post(f"{BASE}/orchestrations", json=typed))
    )
    assert "calls" in problems(await api.post(f"{BASE}/orchestrations", json={"name": "x"}))
    assert (await api.get(f"{BASE}/orchestrations/{2**63}")).status_code == 422
    assert (await api.get(f"{BASE}/orchestrations", params={"limit": 501})).status_code == 422
    assert (await api.get(f"{BASE}/orchestrations/999")).status_code == 404
    assert (await api.get(f"{BASE}/orchestration-runs/999")).status_code == 404


async def test_execute_waits_for_the_run_and_records_each_call(
    api: httpx.AsyncClient, remote: Api
) -> None:
    remote.script("/login", Answer(body={"sid": "s-9"}))
    oid = (await _create(api, _two_calls(remote.url)))["id"]

    done = await api.post(
        f"{BASE}/orchestrations/{oid}/execute",
        params={"wait": "true", "timeout": 20},
        json={"inputs": {"user": "ada"}},
    )

    assert done.status_code == 200, done.text
    run = done.json()
    assert run["status"] == "succeeded" and run["trigger"] == "api"
    assert [(c["id"], c["status_code"]) for c in run["calls"]] == [("login", 200), ("items", 200)]
    assert run["calls"][1]["response"]["body"]["query"] == {"sid": "s-9"}
    assert run["inputs"] == {"user": "ada"}
    shown = (await api.get(f"{BASE}/orchestrations/{oid}")).json()
    assert (shown["runs"], shown["success_rate"], shown["last_run_id"]) == (1, 1.0, run["id"])
    assert shown["avg_ms"] > 0 and shown["p95_ms"] > 0


async def test_execute_answers_202_and_the_run_is_read_live(
    api: httpx.AsyncClient, remote: Api
) -> None:
    remote.script("/items", Answer(delay_s=0.5))
    oid = (await _create(api, _two_calls(remote.url)))["id"]

    started = await api.post(f"{BASE}/orchestrations/{oid}/execute", json={"inputs": {"user": 1}})
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]
    seen = set()
    async with asyncio.timeout(10):
        while True:
            run = (await api.get(f"{BASE}/orchestration-runs/{run_id}")).json()
            seen |= {(c["id"], c["status"]) for c in run["calls"]}
            if run["status"] != "running":
                break
            await asyncio.sleep(0.02)
    assert ("items", "running") in seen and run["status"] == "succeeded"

    second = await api.post(
        f"{BASE}/orchestrations/{oid}/execute", params={"wait": "true"}, json={"inputs": {}}
    )
    assert second.json()["status"] == "failed"  # `inputs.user` is undefined
    page = (await api.get(f"{BASE}/orchestrations/{oid}/runs", params={"limit": 1})).json()
    assert [r["id"] for r in page["items"]] == [second.json()["id"]]
    rest = await api.get(
        f"{BASE}/orchestrations/{oid}/runs", params={"cursor": page["next_cursor"]}
    )
    assert [r["id"] for r in rest.json()["items"]] == [run_id]
    failed = await api.get(f"{BASE}/orchestrations/{oid}/runs", params={"status": "failed"})
    assert [r["id"] for r in failed.json()["items"]] == [second.json()["id"]]
    bad_cursor = await api.get(f"{BASE}/orchestrations/{oid}/runs", params={"cursor": "zz"})
    assert bad_cursor.status_code == 400


async def test_execute_refuses_bad_inputs_and_inactive_orchestrations(
    api: httpx.AsyncClient, remote: Api
) -> None:
    oid = (await _create(api, {**_two_calls(remote.url), "isActive": False}))["id"]
    bad = await api.post(f"{BASE}/orchestrations/{oid}/execute", json={"inputs": [1]})
    assert "inputs" in problems(bad)
    inactive = await api.post(f"{BASE}/orchestrations/{oid}/execute", json={"inputs": {}})
    assert inactive.status_code == 409 and "inactive" in inactive.json()["error"]["message"]
    assert (await api.post(f"{BASE}/orchestrations/999/execute")).status_code == 404
    assert remote.requests == []


async def test_viewers_neither_read_nor_change_nor_run(
    api: httpx.AsyncClient, viewer: httpx.AsyncClient, remote: Api
) -> None:
    """As for workflows: definitions hold URLs and call shapes, members and admins only."""
    oid = (await _create(api, _two_calls(remote.url)))["id"]
    for response in (
        await viewer.get(f"{BASE}/orchestrations"),
        await viewer.get(f"{BASE}/orchestrations/{oid}"),
        await viewer.get(f"{BASE}/orchestrations/{oid}/versions"),
        await viewer.get(f"{BASE}/orchestrations/{oid}/runs"),
        await viewer.post(f"{BASE}/orchestrations", json=_two_calls(remote.url)),
        await viewer.put(f"{BASE}/orchestrations/{oid}", json={"name": "x"}),
        await viewer.delete(f"{BASE}/orchestrations/{oid}"),
        await viewer.post(f"{BASE}/orchestrations/{oid}/execute", json={"inputs": {}}),
    ):
        assert response.status_code == 403, response.text
