"""002's "Creating a Simple Workflow" (Customer Onboarding) sent byte for byte to
`POST /workflows`, then run by calling its webhook with a new customer: the welcome email
reaches a real SMTP server (aiosmtpd) and the customer's data reaches a loopback HTTP server
as the JSON body of `POST /api/customers`, the path called on the HTTP API connection `api`.

Before the connections exist the workflow is saved with warnings saying what to add, and each
run's step fails saying the same (never a silent success)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.engine.runner import Engine
from tests.integration.api import original_requests as doc
from tests.integration.api.test_original_examples import BASE, send
from tests.integration.conftest import Script
from tests.integration.smtp_servers import MailServer, SmtpServers, self_signed_cert

CUSTOMER = {
    "customer_email": "ada@example.com",
    "customer_data": {"name": "Ada Lovelace", "plan": "pro", "seats": 3},
}
SMTP_PASSWORD = "onboarding-Smtp-Pa55-9k2"


@pytest.fixture
def mail(tmp_path: Path) -> Iterator[MailServer]:
    servers = SmtpServers(self_signed_cert(tmp_path, "onboarding"), "mailer", SMTP_PASSWORD)
    yield servers.start(login=True, login_required=True)
    servers.stop_all()


async def _run(api: httpx.AsyncClient, engine: Engine, hook: str) -> dict[str, Any]:
    started = await api.post(f"/api/hooks/{hook}", json=CUSTOMER)
    assert started.status_code == 202, started.text
    await engine.drain()
    run = await api.get(f"{BASE}/executions/{started.json()['execution_id']}")
    return {s["action_id"]: s for s in run.json()["steps"]} | {"": run.json()}


async def test_customer_onboarding_as_written_sends_the_email_and_calls_the_api(
    api: httpx.AsyncClient,
    engine: Engine,
    mail: MailServer,
    http_server: tuple[str, Script],
) -> None:
    base_url, script = http_server
    response = await send(api, "POST", "/workflows", doc.fill(doc.CUSTOMER_ONBOARDING))
    assert response.status_code == 201, response.text
    workflow = response.json()
    assert workflow["is_active"] is True and workflow["trigger"]["type"] == "webhook"
    email, call = workflow["actions"]
    assert (email["id"], email["type"]) == ("send_welcome_email", "send_email")
    assert email["config"] == {"template": "welcome_email", "to": "{{trigger.body.customer_email}}"}
    assert (call["id"], call["type"], call["depends_on"]) == (
        "create_customer_account",
        "api_call",
        ["send_welcome_email"],
    )
    assert call["config"]["json"] == "{{trigger.body.customer_data}}"
    assert call["config"]["connection"] == "api"
    warnings = {w["path"]: w["message"] for w in workflow["warnings"]}
    assert set(warnings) == {
        "workspace_id",
        "actions[0].config.connection",
        "actions[1].config.connection",
    }
    assert "no workspaces" in warnings["workspace_id"]
    assert warnings["actions[0].config.connection"] == (
        "no SMTP connection: add one under Connections"
    )
    assert "HTTP API connection 'api'" in warnings["actions[1].config.connection"]
    hook = workflow["webhook_url"].rsplit("/", 1)[1]

    # 1. No connection at all: the email step fails saying what to add.
    steps = await _run(api, engine, hook)
    assert steps[""]["status"] == "failed"
    assert steps["send_welcome_email"]["status"] == "failed"
    assert steps["send_welcome_email"]["error"] == "no SMTP connection: add one under Connections"
    assert steps["create_customer_account"]["status"] != "succeeded"
    assert mail.messages == [] and script.requests == []

    # 2. With the SMTP connection: the email goes out, the API call fails naming `api`.
    smtp = {"name": "Onboarding mail", "platform": "smtp",
            "credentials": {"username": "mailer", "password": SMTP_PASSWORD},
            "config": {"host": mail.host, "port": mail.port, "security": "none",
                       "fromAddress": "welcome@example.com"}}  # fmt: skip
    assert (await api.post(f"{BASE}/connections", json=smtp)).status_code == 201
    steps = await _run(api, engine, hook)
    assert steps["send_welcome_email"]["status"] == "succeeded"
    assert steps["create_customer_account"]["status"] == "failed"
    error = steps["create_customer_account"]["error"]
    assert error == (
        "connection 'api' does not exist: add an HTTP API connection named 'api' under "
        "Connections (/api/customers is called on its base URL)"
    )
    assert script.requests == []

    # 3. With the HTTP API connection `api`: both steps do what 002 says.
    crm = {"name": "api", "platform": "http", "connectionType": "api_key",
           "credentials": {"apiKey": "crm-key-0123456789"},
           "config": {"baseUrl": base_url}}  # fmt: skip
    assert (await api.post(f"{BASE}/connections", json=crm)).status_code == 201
    steps = await _run(api, engine, hook)
    assert steps[""]["status"] == "succeeded", steps
    [request] = script.requests
    assert (request["method"], request["path"]) == ("POST", "/api/customers")
    assert json.loads(request["body"]) == CUSTOMER["customer_data"]
    assert request["headers"]["X-API-Key"] == "crm-key-0123456789"
    assert "crm-key-0123456789" not in json.dumps(steps["create_customer_account"])

    assert len(mail.messages) == 2 and set(mail.logins) == {"mailer"}
    envelope = mail.messages[-1]
    assert envelope.rcpt_tos == ["ada@example.com"]
    message = message_from_bytes(envelope.content, policy=default)
    assert message["Subject"] == "Welcome, Ada Lovelace!"
    assert message["From"] == "welcome@example.com"
    text = message.get_body(("plain",)).get_content()
    assert "Hello Ada Lovelace," in text and "Customer Onboarding" in text
    output = steps["send_welcome_email"]["output"]
    assert output["to"] == ["ada@example.com"] and output["template"] == "welcome_email"
    assert SMTP_PASSWORD not in json.dumps(steps)


async def test_a_002_body_with_problems_names_002s_paths(api: httpx.AsyncClient) -> None:
    body = json.loads(doc.fill(doc.CUSTOMER_ONBOARDING))
    body["steps"][1]["step_type"] = "RUN_SCRIPT"
    body["triggers"].append({"name": "Second", "trigger_type": "WEBHOOK"})
    response = await api.post(f"{BASE}/workflows", json=body)
    assert response.status_code == 422, response.text
    problems = {p["path"]: p["message"] for p in response.json()["error"]["details"]}
    assert set(problems) == {"steps[1].step_type", "triggers"}
    assert "SEND_EMAIL, CALL_API" in problems["steps[1].step_type"]
    assert (await api.get(f"{BASE}/workflows")).json()["total"] == 0
