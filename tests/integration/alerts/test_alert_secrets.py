"""Secrets of alerts — Slack URL, bot token, SMTP password, webhook URL and signing secret —
never appear in API answers, audit rows, delivery rows, notifications or logs."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
import sqlalchemy as sa

from app.alerts.delivery import AlertDispatcher
from app.db.engine import get_engine
from app.engine.runner import Engine
from app.services import connections
from app.services.actor import Actor
from tests.integration.alerts.conftest import SMTP_PASSWORD, SMTP_USER, failing_workflow, run
from tests.integration.alerts.counterparts import (
    CHAT_ID,
    SLACK_HOOK,
    TELEGRAM_TOKEN,
    WEBHOOK_SECRET,
    Counterparts,
    slack_error,
    telegram_error,
)

BASE = "/api/workflow-orchestration"
# a path the receiver does not know: it answers 404 and echoes the path back
SECRET_WEBHOOK_PATH = "/hooks/unknown-Zr81-q9PxWm4Lk"


def _everything_stored() -> str:
    """Every row of every table that alerts write to or read from, as text."""
    with get_engine().connect() as conn:
        rows = []
        for table in ("alert", "alert_delivery", "audit_event", "notification", "connection"):
            rows += [list(map(str, r)) for r in conn.execute(sa.text(f"SELECT * FROM {table}"))]
    return json.dumps(rows)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
async def test_secrets_stay_secret_everywhere(
    api: httpx.AsyncClient,
    engine: Engine,
    dispatcher: AlertDispatcher,
    member: Actor,
    counterparts: Counterparts,
    mail_server,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    mail = mail_server()
    base = counterparts.base_url
    slack_url, webhook_url = base + SLACK_HOOK, base + SECRET_WEBHOOK_PATH
    secrets = [slack_url, SLACK_HOOK, TELEGRAM_TOKEN, SMTP_PASSWORD, webhook_url,
               SECRET_WEBHOOK_PATH, WEBHOOK_SECRET]  # fmt: skip
    bot = connections.create_connection(
        member,
        {"name": "Bot", "platform": "telegram", "credentials": {"botToken": TELEGRAM_TOKEN},
         "config": {"apiBase": base}},
    )  # fmt: skip
    smtp = connections.create_connection(
        member,
        {"name": "Mail", "platform": "smtp",
         "credentials": {"username": SMTP_USER, "password": SMTP_PASSWORD},
         "config": {"host": mail.host, "port": mail.port, "security": "none",
                    "fromAddress": "flowdeck@example.com"}},
    )  # fmt: skip
    wf = failing_workflow(member, base)
    common = {"workflowId": wf, "events": ["workflow_fail"], "severity": "error"}
    bodies = [
        {"alertType": "slack", "channel": slack_url},
        {"alertType": "telegram", "channel": CHAT_ID, "connectionId": bot["id"]},
        {"alertType": "email", "channel": "ops@example.com", "connectionId": smtp["id"]},
        {"alertType": "webhook", "channel": webhook_url, "config": {"secret": WEBHOOK_SECRET}},
    ]
    answers = [await api.post(f"{BASE}/alerts", json={**common, **b}) for b in bodies]
    assert [a.status_code for a in answers] == [201] * 4
    ids = [a.json()["id"] for a in answers]

    await run(member, engine, dispatcher, wf)  # delivered, except the webhook (404)
    counterparts.slack_answers = [slack_error(500, "rollup_error")]
    counterparts.telegram_answers = [telegram_error(400, "Bad Request: chat not found")]
    answers += [await api.post(f"{BASE}/alerts/{i}/test") for i in ids]
    answers += [await api.put(f"{BASE}/alerts/{i}", json={"severity": "critical"}) for i in ids]
    answers += [await api.get(f"{BASE}/alerts")]
    answers += [await api.get(f"{BASE}/alerts/{i}") for i in ids]
    answers += [await api.get(f"{BASE}/alerts/{i}/deliveries") for i in ids]

    webhook_errors = answers[-1].json()["items"]
    assert webhook_errors[0]["status"] == "failed"
    assert "[redacted]" in webhook_errors[0]["error"]  # the receiver echoed the secret path
    assert len(mail.messages) == 2 and len(counterparts.slack) == 2

    api_text = "\n".join(a.text for a in answers)
    stored = _everything_stored()
    # the SMTP server's own debug log shows the AUTH exchange; it is the counterpart, not us
    logs = "\n".join(r.getMessage() for r in caplog.records if r.name != "mail.log")
    assert "alert" in logs and "delivery" in logs  # the log did record the deliveries
    for secret in secrets:
        assert secret not in api_text, secret
        assert secret not in stored, secret
        assert secret not in logs, secret
