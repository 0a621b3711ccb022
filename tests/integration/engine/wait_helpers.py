"""Helpers of the wait, sub-workflow and control tests: workflows over the REST API, and
reading an execution until it reaches a state (bounded, never a bare sleep)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx

BASE = "/api/workflow-orchestration"


async def create(api: httpx.AsyncClient, name: str, actions: list[dict], **extra: Any) -> int:
    data = {"name": name, "trigger": {"type": "manual"}, "actions": actions, **extra}
    response = await api.post(f"{BASE}/workflows", json=data)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def start(api: httpx.AsyncClient, workflow_id: int, payload: dict | None = None) -> int:
    body = {"payload": payload} if payload is not None else {}
    response = await api.post(f"{BASE}/workflows/{workflow_id}/execute", json=body)
    assert response.status_code == 202, response.text
    return response.json()["id"]


async def detail(api: httpx.AsyncClient, execution_id: int) -> dict:
    response = await api.get(f"{BASE}/executions/{execution_id}")
    assert response.status_code == 200, response.text
    return response.json()


async def until(
    api: httpx.AsyncClient,
    execution_id: int,
    check: Callable[[dict], bool],
    limit_s: float = 20.0,
) -> dict:
    """The execution's detail once `check` holds; fails with the last detail after `limit_s`."""
    deadline = time.monotonic() + limit_s
    while True:
        seen = await detail(api, execution_id)
        if check(seen):
            return seen
        if time.monotonic() > deadline:
            raise AssertionError(f"execution {execution_id} never got there: {seen}")
        await asyncio.sleep(0.05)


def status_is(*statuses: str) -> Callable[[dict], bool]:
    return lambda seen: seen["status"] in statuses


def steps(seen: dict) -> dict[str, dict]:
    return {step["action_id"]: step for step in seen["steps"]}


def path_of(url: str) -> str:
    return httpx.URL(url).path
