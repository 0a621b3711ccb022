"""Secrets are masked by value wherever a run's data is stored or published: a credential a
server echoes back and a later step copies, a secret FLOWDECK_ENV_* value, the workflow's
webhook secret. The run itself still works with the real values."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.alerts.delivery import AlertDispatcher
from app.db.engine import get_engine
from app.engine.bus import Event, bus
from app.engine.runner import Engine
from app.services import alerts, connections, executions, workflows
from app.services.actor import Actor
from tests.integration.alerts.conftest import FAST

API_KEY = "ak-live-7Hq2Zr81PxWm4Lk9Tb3Vd"  # the connection's credential
ENV_TOKEN = "env-tok-Q8w2E4r6T8y0U2i4"  # FLOWDECK_ENV_SERVICE_TOKEN
HOOK_SECRET = "whsec-M3n5B7v9C1x3Z5l7K9j1"  # the workflow's webhook secret
SECRETS = (API_KEY, ENV_TOKEN, HOOK_SECRET)


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Set before the database fixture, which reloads the settings."""
    monkeypatch.setenv("FLOWDECK_ENV_SERVICE_TOKEN", ENV_TOKEN)
    monkeypatch.setenv("FLOWDECK_ENV_REGION", "eu-west")


@pytest.fixture
def echo_server() -> Iterator[str]:
    """Answers every request by echoing its API key header back, in the body and a header."""

    class Echo(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            key = self.headers.get("X-API-Key") or ""
            body = json.dumps({"seen": f"key={key}", "note": f"you sent {key}"}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("x-echo", key)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
async def dispatcher(engine: Engine) -> Iterator[AlertDispatcher]:
    dispatch = AlertDispatcher(bus, policy=FAST, max_concurrent=2)
    await dispatch.start()
    yield dispatch
    await dispatch.stop()


# What a run stores of its own: not the trigger payload, which is the sender's data as sent.
STORED = (
    "SELECT error FROM execution",
    "SELECT input, output, error FROM execution_step",
    "SELECT error FROM step_attempt",
    "SELECT output, error FROM step_item",
    "SELECT * FROM notification",
    "SELECT * FROM alert_delivery",
)


def _stored() -> str:
    with get_engine().connect() as conn:
        rows = [r for query in STORED for r in conn.execute(sa.text(query)).fetchall()]
    return json.dumps([list(map(str, r)) for r in rows])


def _echo_connection(member: Actor, echo_server: str) -> None:
    """An http connection to the echo server whose API key is the secret to mask."""
    connections.create_connection(
        member,
        {
            "name": "echo",
            "platform": "http",
            "connectionType": "api_key",
            "credentials": {"apiKey": API_KEY},
            "config": {"baseUrl": echo_server},
        },
    )


def _actions() -> list[dict]:
    return [
        {"id": "call", "type": "api_call", "config": {"connection": "echo", "url": "/whoami"}},
        {
            "id": "echoed",
            "type": "transform",
            "config": {
                "values": {
                    "copied": "{{ steps.call.output.body.seen }}",
                    "header": "{{ steps.call.output.headers['x-echo'] }}",
                    "env": "{{ env.SERVICE_TOKEN }}",
                    "hook": "{{ trigger.hook }}",
                    "region": "{{ env.REGION }}",
                }
            },
        },
        {
            "id": "check",  # in memory, the real values are still there
            "type": "transform",
            "config": {
                "values": {
                    "key": "{{ steps.echoed.output.copied|length }}",
                    "key_end": "{{ steps.echoed.output.copied[-2:] }}",
                    "env": "{{ steps.echoed.output.env|length }}",
                }
            },
        },
        {
            "id": "boom",  # an error message that quotes the secret
            "type": "transform",
            "config": {"values": {"x": "{{ steps.echoed.output[steps.echoed.output.copied] }}"}},
        },
    ]


async def test_secrets_are_masked_by_value_in_everything_stored_and_published(
    secret_env: None,
    engine: Engine,
    dispatcher: AlertDispatcher,
    member: Actor,
    echo_server: str,
    db: Path,
) -> None:
    _echo_connection(member, echo_server)
    data = {
        "name": "echo run",
        "trigger": {"type": "webhook", "config": {"secret": HOOK_SECRET}},
        "actions": _actions(),
    }
    wf = workflows.create_workflow(member, data).workflow["id"]
    alerts.create_alert(member, {"alertType": "in_app", "events": ["workflow_fail", "step_fail"]})
    events: list[Event] = []
    bus.subscribe("", events.append)
    try:
        started = await executions.execute_workflow(member, wf, payload={"hook": HOOK_SECRET})
        await engine.drain()
        await dispatcher.drain()
    finally:
        bus.unsubscribe(events.append)

    result = executions.get_execution(member, started["id"])
    steps = {s["action_id"]: s for s in result["steps"]}
    assert steps["call"]["status"] == "succeeded", steps["call"]["error"]
    assert steps["echoed"]["output"]["region"] == "eu-west"  # ordinary env values stay
    assert steps["echoed"]["output"]["copied"] == "key=[redacted]"
    assert steps["echoed"]["output"]["env"] == "[redacted]"
    assert steps["echoed"]["output"]["hook"] == "[redacted]"
    assert steps["check"]["output"] == {
        "key": len("key=" + API_KEY),
        "key_end": API_KEY[-2:],
        "env": len(ENV_TOKEN),
    }
    assert result["status"] == "failed" and result["failed_step"] == "boom"
    assert "[redacted]" in steps["boom"]["error"] and "[redacted]" in result["error"]

    stored = _stored()
    assert "[redacted]" in stored
    for secret in SECRETS:
        assert secret not in stored, f"{secret[:7]}… was stored"
    published = json.dumps([e.data for e in events], default=str)
    for secret in SECRETS:
        assert secret not in published, f"{secret[:7]}… was published on the bus"
    assert any(e.name == "notification.created" for e in events)  # the alert did go out


async def test_data_stored_before_a_credential_was_loaded_is_masked_at_the_end(
    engine: Engine, member: Actor, echo_server: str
) -> None:
    """Step 1 meets the key before step 2 loads the connection that holds it."""
    _echo_connection(member, echo_server)
    actions = [
        {
            "id": "early",
            "type": "api_call",
            "config": {"url": f"{echo_server}/x", "headers": {"X-API-Key": "{{ trigger.k }}"}},
        },
        {"id": "late", "type": "api_call", "config": {"connection": "echo", "url": "/whoami"}},
    ]
    data = {"name": "late secret", "trigger": {"type": "manual"}, "actions": actions}
    wf = workflows.create_workflow(member, data).workflow["id"]
    started = await executions.execute_workflow(member, wf, payload={"k": API_KEY})
    await engine.drain()
    result = executions.get_execution(member, started["id"])
    assert result["status"] == "succeeded", result["error"]
    early = result["steps"][0]["output"]
    assert early["body"]["seen"] == "key=[redacted]" and early["headers"]["x-echo"] == "[redacted]"
    assert API_KEY not in _stored()


async def test_for_each_items_stored_before_a_credential_was_loaded_are_masked_at_the_end(
    engine: Engine, member: Actor, echo_server: str
) -> None:
    _echo_connection(member, echo_server)
    inner = {
        "type": "api_call",
        "config": {
            "url": f"{echo_server}/i{{{{ index }}}}",
            "headers": {"X-API-Key": "{{ item }}"},
        },
    }
    actions = [
        {
            "id": "each",
            "type": "for_each",
            "config": {"items": "{{ trigger.tokens }}", "step": inner},
        },
        {"id": "late", "type": "api_call", "config": {"connection": "echo", "url": "/whoami"}},
    ]
    data = {"name": "late secret items", "trigger": {"type": "manual"}, "actions": actions}
    wf = workflows.create_workflow(member, data).workflow["id"]
    started = await executions.execute_workflow(member, wf, payload={"tokens": [API_KEY, API_KEY]})
    await engine.drain()
    result = executions.get_execution(member, started["id"])
    assert result["status"] == "succeeded", result["error"]
    with get_engine().connect() as conn:
        items = conn.execute(sa.text("SELECT output FROM step_item")).scalars().all()
    assert len(items) == 2 and all("[redacted]" in item for item in items)
    assert API_KEY not in _stored()
