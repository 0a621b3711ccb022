"""Helpers of the built-in template tests: the catalog on disk, making a workflow from a
template the way a person does, loopback connections, and driving a run through the REST API
(start it, approve, call a resume URL, wait for an outcome, bounded)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from app.core.workflow_templates import TemplateDocument, parse_template
from app.engine.runner import Engine
from app.services import connections, templates
from app.services.actor import Actor
from app.services.workflows import Saved
from tests.integration.alerts.counterparts import SLACK_HOOK, Counterparts
from tests.integration.templates.remote import Remote

BASE = "/api/workflow-orchestration"
CATALOG = Path(__file__).resolve().parents[3] / "app" / "catalog" / "templates"
TEMPLATE_IDS = sorted(path.stem for path in CATALOG.glob("*.json"))
API_KEY = "tpl-test-key-8f3Kq2Lm"


def load(template_id: str) -> TemplateDocument:
    return parse_template(json.loads((CATALOG / f"{template_id}.json").read_text()))


def from_template(actor: Actor, template_id: str, values: dict[str, Any]) -> Saved:
    """The workflow a person gets from `template_id` with `values` ("Use template": the
    template service, which saves it through the workflow service like POST /workflows)."""
    return templates.create_from_template(actor, template_id, values)


def slack(actor: Actor, counterparts: Counterparts, name: str = "team-slack") -> str:
    connections.create_connection(
        actor, {"name": name, "platform": "slack", "webhookUrl": counterparts.base_url + SLACK_HOOK}
    )
    return name


def http_api(actor: Actor, remote: Remote, name: str, prefix: str) -> str:
    """An `http` connection with an API key, based at `remote`'s `prefix`."""
    connections.create_connection(
        actor,
        {"name": name, "platform": "http", "connectionType": "api_key",
         "credentials": {"apiKey": API_KEY}, "config": {"baseUrl": remote.base_url + prefix}},
    )  # fmt: skip
    return name


@dataclass
class Run:
    engine: Engine
    member: Actor
    api: httpx.AsyncClient
    caller: httpx.AsyncClient
    counterparts: Counterparts
    remote: Remote
    tmp_path: Path

    def slack_texts(self) -> list[str]:
        return [json.loads(r["body"])["text"] for r in self.counterparts.slack]

    async def start(self, workflow_id: int, payload: dict | None = None) -> int:
        body = {"payload": payload} if payload is not None else {}
        response = await self.api.post(f"{BASE}/workflows/{workflow_id}/execute", json=body)
        assert response.status_code == 202, response.text
        return response.json()["id"]

    async def webhook(self, saved: Saved, body: dict, headers: dict | None = None) -> int:
        """Call the workflow's webhook as the outside system would; the execution id."""
        path = httpx.URL(saved.workflow["webhook_url"]).path
        data = json.dumps(body).encode()
        sent = {"content-type": "application/json", **(headers or {})}
        response = await self.caller.post(path, content=data, headers=sent)
        assert response.status_code in (200, 202), response.text
        return response.json()["execution_id"]

    async def detail(self, execution_id: int) -> dict:
        response = await self.api.get(f"{BASE}/executions/{execution_id}")
        assert response.status_code == 200, response.text
        return response.json()

    async def until(
        self, execution_id: int, check: Callable[[dict], bool], limit_s: float = 20.0
    ) -> dict:
        deadline = time.monotonic() + limit_s
        while True:
            seen = await self.detail(execution_id)
            if check(seen):
                return seen
            if time.monotonic() > deadline:
                raise AssertionError(f"execution {execution_id} never got there: {seen}")
            await asyncio.sleep(0.05)

    async def finished(self, execution_id: int, limit_s: float = 20.0) -> dict:
        """The detail once the run ended; it must have succeeded."""
        done = await self.until(execution_id, lambda s: s["status"] in ENDED, limit_s)
        assert done["status"] == "succeeded", done
        return done

    async def waiting(self, execution_id: int) -> dict:
        return await self.until(execution_id, lambda s: s["status"] == "waiting")

    async def approve(
        self, execution_id: int, decision: str = "approve", comment: str = ""
    ) -> None:
        """Decide the run's pending approval as the member, through REST."""
        await self.waiting(execution_id)
        page = (await self.api.get(f"{BASE}/approvals", params={"status": "pending"})).json()
        [item] = [i for i in page["items"] if i["execution_id"] == execution_id]
        done = await self.api.post(
            f"{BASE}/approvals/{item['id']}/{decision}", json={"comment": comment}
        )
        assert done.status_code == 200, done.text

    async def call_back(self, execution_id: int, body: dict) -> None:
        """POST `body` to the waiting step's resume URL, as the remote system would."""
        seen = await self.waiting(execution_id)
        [wait] = [w for w in seen["waits"] if w["status"] == "pending"]
        resumed = await self.caller.post(httpx.URL(wait["resume_url"]).path, json=body)
        assert resumed.status_code == 200, resumed.text


ENDED = ("succeeded", "failed", "cancelled", "interrupted")
Scenario = Callable[[Run], Awaitable[None]]
SCENARIOS: dict[str, Scenario] = {}


def scenario(template_id: str) -> Callable[[Scenario], Scenario]:
    """Register the end-to-end run of one built-in template."""

    def register(func: Scenario) -> Scenario:
        SCENARIOS[template_id] = func
        return func

    return register


def steps(seen: dict) -> dict[str, dict]:
    return {step["action_id"]: step for step in seen["steps"]}


def statuses(seen: dict) -> dict[str, str]:
    return {step["action_id"]: step["status"] for step in seen["steps"]}
