"""Helpers for the content action tests: connections made through the connection service and
pointing at the stand-ins, articles made through the article service, running a workflow on the
real engine, and checking that no secret was stored."""

from __future__ import annotations

import itertools
import json
from typing import Any

import sqlalchemy as sa

from app.db.engine import get_engine
from app.engine.runner import Engine
from app.services import articles, connections, executions, workflows
from app.services.actor import Actor
from tests.integration.actions.stand_ins import CMS_KEY, GIT_REPO, GIT_TOKEN, N8N_HOOK
from tests.integration.alerts.counterparts import CHAT_ID, SLACK_HOOK, TELEGRAM_TOKEN

BODY = """# Workflow automation for small teams

Flowdeck runs workflows for small teams. It publishes an article, shares it and watches the
numbers. Read [the guide](https://example.com/guide) to start.

## Why automate

Automation saves time. A team that automates the boring steps has more time to write.
"""
SECRETS = (TELEGRAM_TOKEN, SLACK_HOOK.rsplit("/", 1)[-1], CMS_KEY, GIT_TOKEN, N8N_HOOK[9:])
_names = itertools.count(1)


def connect(member: Actor, kind: str, base_url: str, **extra: Any) -> int:
    """A connection of `kind` pointing at a stand-in, made through the service."""
    bodies: dict[str, dict[str, Any]] = {
        "slack": {"name": "team-slack", "platform": "slack", "webhookUrl": base_url + SLACK_HOOK},
        "telegram": {
            "name": "news-telegram",
            "platform": "telegram",
            "credentials": {"botToken": TELEGRAM_TOKEN},
            "config": {"apiBase": base_url, "defaultChatId": CHAT_ID},
        },
        "n8n": {"name": "n8n-flow", "platform": "n8n", "webhookUrl": base_url + N8N_HOOK},
        "cms": {
            "name": "cms",
            "platform": "http",
            "connectionType": "api_key",
            "credentials": {"apiKey": CMS_KEY},
            "config": {"baseUrl": base_url + "/cms"},
        },
        "github": {
            "name": "github",
            "platform": "github",
            "credentials": {"token": GIT_TOKEN},
            "config": {"apiBase": base_url, "repo": GIT_REPO},
        },
    }
    return connections.create_connection(member, {**bodies[kind], **extra})["id"]


def new_article(member: Actor, *, status: str = "ready", **fields: Any) -> dict[str, Any]:
    data = {"title": "Workflow automation for small teams", "body": BODY, **fields}
    return articles.create_article(member, status=status, **data)


def workflow(member: Actor, actions: list[dict], trigger: dict | None = None) -> int:
    data = {
        "name": f"content flow {next(_names)}",
        "trigger": trigger or {"type": "manual"},
        "actions": actions,
    }
    return workflows.create_workflow(member, data).workflow["id"]


async def run(
    member: Actor, engine: Engine, actions: list[dict], payload: dict | None = None
) -> dict[str, Any]:
    """Run a manual workflow of `actions` to the end; the execution with its steps."""
    started = await executions.execute_workflow(member, workflow(member, actions), payload=payload)
    await engine.drain()
    return executions.get_execution(member, started["id"])


def stored_text() -> str:
    """Every stored row of executions, steps, attempts, versions and deliveries, as text."""
    tables = (
        "execution",
        "execution_step",
        "step_attempt",
        "content_version",
        "alert_delivery",
        "audit_event",
    )
    with get_engine().connect() as conn:
        rows = [r for t in tables for r in conn.execute(sa.text(f"SELECT * FROM {t}")).fetchall()]
    return json.dumps([list(map(str, r)) for r in rows])


def assert_no_secrets(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"a secret ({secret[:6]}…) was stored or logged"
