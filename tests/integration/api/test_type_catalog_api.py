"""The type lists over REST, and script / database steps saved and run through the API."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest

from app.db.settings import get_settings
from app.engine.runner import Engine
from tests.integration.api.deployed import BASE, problems


@pytest.mark.parametrize("base", [BASE, "/api/automation"])
async def test_action_types_list_every_type_with_its_fields(
    api: httpx.AsyncClient, base: str
) -> None:
    response = await api.get(f"{base}/action-types")
    assert response.status_code == 200, response.text
    types = {t["type"]: t for t in response.json()}
    assert {"script", "database", "send_email", "api_call", "for_each", "if"} <= set(types)
    script = {f["name"]: f for f in types["script"]["fields"]}
    assert types["script"]["admin_only"] is True and types["database"]["admin_only"] is False
    assert script["code"]["required"] and script["code"]["templates"] is False
    assert script["code"]["bounds"] == {"min_length": 1, "max_length": 100_000}
    assert script["memory_mb"]["bounds"] == {"minimum": 64, "maximum": 4096}
    assert script["memory_mb"]["default"] == 256 and not script["memory_mb"]["required"]
    database = {f["name"]: f for f in types["database"]["fields"]}
    assert database["max_rows"]["bounds"] == {"minimum": 1, "maximum": 10_000}
    assert database["query"]["templates"] is False and database["params"]["templates"]
    api_call = {f["name"]: f for f in types["api_call"]["fields"]}
    assert "DELETE" in api_call["method"]["choices"] and "json" in api_call
    assert "Python" in types["script"]["description"]
    assert types["script"]["config_schema"]["properties"]["cpu_s"]["maximum"] == 600


@pytest.mark.parametrize("base", [BASE, "/api/automation"])
async def test_trigger_types(api: httpx.AsyncClient, base: str) -> None:
    response = await api.get(f"{base}/trigger-types")
    assert response.status_code == 200, response.text
    types = {t["type"]: t for t in response.json()}
    assert set(types) >= {"manual", "schedule", "webhook", "event", "publish"}
    schedule = {f["name"]: f for f in types["schedule"]["fields"]}
    assert schedule["misfire"]["choices"] == ["skip", "run_once"]
    assert schedule["interval_seconds"]["bounds"] == {"minimum": 1}
    assert types["schedule"]["description"].startswith("A cron expression")
    email = {f["name"]: f for f in types["email"]["fields"]}
    assert email["connection"]["required"] and email["after"]["choices"] == ["flag", "move"]
    assert email["poll_s"]["bounds"] == {"minimum": 5, "maximum": 3600}
    assert email["mailbox"]["default"] == "INBOX" and "IMAP" in types["email"]["description"]


async def test_an_email_trigger_is_checked_when_a_workflow_is_saved(api: httpx.AsyncClient) -> None:
    def flow(**config: object) -> dict:
        step = {"id": "a", "type": "transform", "config": {"values": {"x": 1}}}
        return {"name": "mail", "trigger": {"type": "email", "config": config}, "actions": [step]}

    bad = await api.post(f"{BASE}/workflows", json=flow(connection="inbox", poll_s=1))
    assert set(problems(bad)) == {"trigger.config.poll_s"}
    moved = await api.post(f"{BASE}/workflows", json=flow(connection="inbox", after="move"))
    assert "after: move" in problems(moved)["trigger.config.move_to"]
    missing = await api.post(f"{BASE}/workflows", json=flow(connection="inbox"))
    assert "create an imap connection" in problems(missing)["trigger.config.connection"]
    body = {"name": "inbox", "platform": "imap", "credentials": {"password": "pw-123456"},
            "config": {"host": "127.0.0.1", "tls": "none", "username": "flow"}}  # fmt: skip
    made = await api.post(f"{BASE}/connections", json=body)
    assert made.status_code == 201, made.text
    assert "pw-123456" not in made.text and made.json()["config"]["port"] == 143
    saved = await api.post(f"{BASE}/workflows", json=flow(connection="inbox"))
    assert saved.status_code == 201, saved.text


async def test_the_lists_need_a_signed_in_caller(api: httpx.AsyncClient) -> None:
    response = await api.get(f"{BASE}/action-types", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


SCRIPT_FLOW = {
    "name": "script over REST",
    "trigger": {"type": "manual"},
    "actions": [{"id": "calc", "type": "script", "config": {
        "code": "import json, sys\nprint(json.dumps({'n': json.load(sys.stdin)['n'] + 1}))",
        "input": {"n": "{{ trigger.n }}"}, "timeout_s": 10}}],
}  # fmt: skip


async def test_members_may_not_save_script_steps_admins_may_and_members_run_them(
    api: httpx.AsyncClient, admin: httpx.AsyncClient, engine: Engine
) -> None:
    refused = await api.post(f"{BASE}/workflows", json=SCRIPT_FLOW)
    assert refused.status_code == 403, refused.text
    assert "only admins may add, change or remove script steps (calc)" in refused.text
    saved = await admin.post(f"{BASE}/workflows", json=SCRIPT_FLOW)
    assert saved.status_code == 201, saved.text
    workflow_id = saved.json()["id"]
    changed = {"actions": [{**SCRIPT_FLOW["actions"][0], "config": {"code": "print(2)"}}]}
    refused = await api.put(f"{BASE}/workflows/{workflow_id}", json=changed)
    assert refused.status_code == 403, refused.text
    started = await api.post(f"{BASE}/workflows/{workflow_id}/execute", json={"payload": {"n": 4}})
    assert started.status_code in (200, 201, 202), started.text
    await engine.drain()
    run = await api.get(f"{BASE}/executions/{started.json()['id']}")
    assert run.json()["status"] == "succeeded", run.text
    assert run.json()["steps"][0]["output"]["result"] == {"n": 5}


async def test_a_database_step_over_rest(
    api: httpx.AsyncClient, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWDECK_SQLITE_ROOTS", str(tmp_path))
    get_settings.cache_clear()
    path = tmp_path / "facts.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE fact (k TEXT, v INTEGER)")
        conn.executemany("INSERT INTO fact VALUES (?, ?)", [("a", 1), ("b", 2)])
    conn.close()
    body = {"name": "facts", "platform": "database", "credentials": {"url": f"sqlite:///{path}"}}
    created = await api.post(f"{BASE}/connections", json=body)
    assert created.status_code == 201, created.text
    assert str(path) not in created.text  # the URL is a secret
    flow = {"name": "facts", "trigger": {"type": "manual"}, "actions": [{"id": "q",
            "type": "database", "config": {"connection": "facts",
            "query": "SELECT k, v FROM fact WHERE v > :min", "params": {"min": 1}}}]}  # fmt: skip
    saved = await api.post(f"{BASE}/workflows", json=flow)
    assert saved.status_code == 201, saved.text
    started = await api.post(f"{BASE}/workflows/{saved.json()['id']}/execute", json={})
    await engine.drain()
    run = (await api.get(f"{BASE}/executions/{started.json()['id']}")).json()
    assert run["steps"][0]["output"]["rows"] == [{"k": "b", "v": 2}], run
    get_settings.cache_clear()
