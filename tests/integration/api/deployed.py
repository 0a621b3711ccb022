"""Helpers of the API tests: the API as the running app serves it (Reflex mounts its web app
at "" inside the API app), an admin's client, and reading a 422."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
from fastapi import FastAPI

from app.api import create_api
from app.services import api_keys, users
from app.services.actor import SYSTEM

BASE = "/api/workflow-orchestration"
#: The smallest valid workflow.
FLOW = {
    "name": "wf",
    "trigger": {"type": "manual"},
    "actions": [{"id": "calc", "type": "transform", "config": {"values": {"n": 1}}}],
}


async def _web_app(scope: dict, receive: object, send: Any) -> None:
    """Stands in for the Reflex web app: any path outside the API's routes lands here."""
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"<html></html>"})


def deployed_api() -> FastAPI:
    """`create_api()` with the web-app mount `rx.App(api_transformer=...)` adds."""
    api = create_api()
    api.mount("", _web_app)
    return api


async def admin_client() -> AsyncIterator[httpx.AsyncClient]:
    """A client of the deployed API with a new admin's key (needs the `db` fixture first)."""
    user = users.create_user(SYSTEM, email="root@example.com", role="admin", password="p" * 12)
    key, _ = api_keys.create_api_key(SYSTEM, user_id=user.id, name="tests")
    transport = httpx.ASGITransport(app=deployed_api())
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers=headers
    ) as client:
        yield client


def problems(response: httpx.Response) -> dict[str, str]:
    """{path: message} of a 422 in the API's error format."""
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    return {d["path"]: d["message"] for d in error["details"]}
