"""Graph fields over REST: camelCase accepted, 500 steps allowed, every graph problem a 422
detail with its path."""

from __future__ import annotations

import httpx

BASE = "/api/workflow-orchestration"


def _chain(count: int) -> list[dict]:
    return [{"id": f"s{i}", "type": "transform", "config": {"values": {}}} for i in range(count)]


async def test_graph_fields_in_camel_case_round_trip(api: httpx.AsyncClient) -> None:
    body = {
        "name": "graph",
        "trigger": {"type": "manual"},
        "maxParallel": 3,
        "actions": [
            {"id": "check", "type": "if", "config": {"condition": "trigger.n > 1"}},
            {
                "id": "yes",
                "type": "transform",
                "dependsOn": ["check:true"],
                "config": {"values": {}},
            },
            {
                "id": "no",
                "type": "transform",
                "dependsOn": ["check:false"],
                "config": {"values": {}},
            },
            {
                "id": "join",
                "type": "merge",
                "dependsOn": ["yes", "no"],
                "triggerRule": "none_failed",
                "config": {"mode": "append"},
            },
        ],
    }
    created = await api.post(f"{BASE}/workflows", json=body)
    assert created.status_code == 201, created.text
    workflow = created.json()
    assert workflow["max_parallel"] == 3
    join = workflow["actions"][3]
    assert join["depends_on"] == ["yes", "no"] and join["trigger_rule"] == "none_failed"
    assert "depends_on" not in workflow["actions"][0]  # omitted stays omitted: "after the previous"


async def test_five_hundred_steps_are_allowed_and_501_are_not(api: httpx.AsyncClient) -> None:
    body = {"name": "long", "trigger": {"type": "manual"}, "actions": _chain(500)}
    assert (await api.post(f"{BASE}/workflows", json=body)).status_code == 201
    body["actions"] = _chain(501)
    refused = await api.post(f"{BASE}/workflows", json=body)
    assert refused.status_code == 422
    assert "actions" in {d["path"] for d in refused.json()["error"]["details"]}


async def test_every_graph_problem_is_a_422_detail(api: httpx.AsyncClient) -> None:
    body = {
        "name": "broken",
        "trigger": {"type": "manual"},
        "maxParallel": 0,
        "actions": [
            {"id": "a", "type": "transform", "dependsOn": ["c"], "config": {"values": {}}},
            {"id": "b", "type": "transform", "dependsOn": ["ghost"], "config": {"values": {}}},
            {"id": "c", "type": "transform", "dependsOn": ["a"], "config": {"values": {}}},
        ],
    }
    refused = await api.post(f"{BASE}/workflows", json=body)
    assert refused.status_code == 422
    details = refused.json()["error"]["details"]
    assert {"path": "actions[1].depends_on[0]", "message": 'unknown step "ghost"'} in details
    assert {d["path"] for d in details} >= {"max_parallel", "actions[0].depends_on"}
    assert any(d["message"].startswith("cycle: a → c → a") for d in details)
