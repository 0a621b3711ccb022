"""Alerts that send through a connection: a Slack connection's webhook, a Telegram
connection's default chat, an http connection's base URL and API key for a webhook."""

from __future__ import annotations

import json

import pytest

from app.alerts.delivery import AlertDispatcher
from app.alerts.records import load_target
from app.core.errors import ValidationFailed
from app.engine.runner import Engine
from app.services import alerts, connections
from app.services.actor import Actor
from tests.integration.alerts.conftest import failing_workflow, run
from tests.integration.alerts.counterparts import (
    CHAT_ID,
    SLACK_HOOK,
    TELEGRAM_TOKEN,
    WEBHOOK_PATH,
    WEBHOOK_SECRET,
    Counterparts,
)

API_KEY = "sk-alerts-3f9a2c7e1b5d"


async def test_alerts_use_their_connections(
    engine: Engine, dispatcher: AlertDispatcher, member: Actor, counterparts: Counterparts
) -> None:
    base = counterparts.base_url
    slack = connections.create_connection(
        member, {"name": "Team Slack", "platform": "slack", "webhookUrl": base + SLACK_HOOK}
    )
    bot = connections.create_connection(
        member,
        {"name": "Bot", "platform": "telegram", "credentials": {"botToken": TELEGRAM_TOKEN},
         "config": {"apiBase": base, "defaultChatId": CHAT_ID}},
    )  # fmt: skip
    http = connections.create_connection(
        member,
        {"name": "Receiver", "platform": "http", "connectionType": "api_key",
         "credentials": {"apiKey": API_KEY}, "config": {"baseUrl": base + "/hooks"}},
    )  # fmt: skip
    wf = failing_workflow(member, base)
    common = {"workflowId": wf, "events": ["workflow_fail"], "severity": "error"}
    made = [
        alerts.create_alert(member, {**common, "alertType": "slack", "connectionId": slack["id"]}),
        alerts.create_alert(member, {**common, "alertType": "telegram", "connectionId": bot["id"]}),
        alerts.create_alert(
            member,
            {
                **common,
                "alertType": "webhook",
                "connectionId": http["id"],
                "channel": WEBHOOK_PATH.removeprefix("/hooks"),
                "config": {"secret": WEBHOOK_SECRET},
            },
        ),  # fmt: skip
    ]
    assert [a["channel"] for a in made] == ["", "", "/flowdeck-alerts-7Tq2"]
    await run(member, engine, dispatcher, wf)

    assert [alerts.get_alert(member, a["id"])["delivered_count"] for a in made] == [1, 1, 1]
    assert json.loads(counterparts.slack[0]["body"])["text"].startswith("[ERROR] Workflow failed")
    assert json.loads(counterparts.telegram[0]["body"])["chat_id"] == CHAT_ID
    (hook,) = counterparts.webhook
    assert hook["path"] == WEBHOOK_PATH and hook["headers"]["x-api-key"] == API_KEY
    usage = [connections.get_connection(member, c["id"])["usage_count"] for c in (slack, bot, http)]
    assert usage == [1, 1, 1]


@pytest.mark.parametrize(
    ("platform", "alert_type", "path", "message"),
    [
        ("slack", "telegram", "connection_id", "is a slack connection; Telegram needs telegram"),
        ("slack", "email", "connection_id", "is a slack connection; Email needs smtp"),
        ("telegram", "telegram", "channel", "required: a chat id (the connection has none)"),
    ],
)
def test_a_connection_must_fit_the_channel(
    member: Actor, platform: str, alert_type: str, path: str, message: str
) -> None:
    body = (
        {"webhookUrl": "https://hooks.slack.com/services/T1/B1/abcdefghijkl"}
        if platform == "slack"
        else {"credentials": {"botToken": TELEGRAM_TOKEN}}
    )
    conn = connections.create_connection(member, {"name": "c", "platform": platform, **body})
    channel = "ops@example.com" if alert_type == "email" else ""
    with pytest.raises(ValidationFailed) as caught:
        alerts.create_alert(
            member,
            {"alertType": alert_type, "connectionId": conn["id"], "channel": channel,
             "events": ["workflow_fail"]},
        )  # fmt: skip
    assert caught.value.for_path(path) == message


def test_unknown_workflow_connection_and_recipients_are_reported_together(member: Actor) -> None:
    with pytest.raises(ValidationFailed) as caught:
        alerts.create_alert(
            member,
            {"alertType": "telegram", "workflowId": 404, "connectionId": 405, "channel": CHAT_ID,
             "events": ["workflow_fail"]},
        )  # fmt: skip
    assert caught.value.for_path("workflow_id") == "workflow 404 does not exist"
    assert caught.value.for_path("connection_id") == "connection 405 does not exist"
    with pytest.raises(ValidationFailed) as caught:
        alerts.create_alert(
            member,
            {"alertType": "in_app", "events": ["workflow_fail"],
             "config": {"recipients": [member.user_id, 77]}},
        )  # fmt: skip
    assert caught.value.for_path("config.recipients") == "no such user: [77]"


def test_updates_move_between_a_url_a_connection_and_another_type(member: Actor) -> None:
    url = "https://hooks.slack.com/services/T9/B9/moveMoveMove1234"
    alert = alerts.create_alert(
        member, {"alertType": "slack", "channel": url, "events": ["workflow_fail"]}
    )
    conn = connections.create_connection(
        member, {"name": "s", "platform": "slack", "webhookUrl": url + "x"}
    )
    moved = alerts.update_alert(member, alert["id"], {"connectionId": conn["id"]})
    assert (moved["channel"], moved["channel_is_secret"]) == ("", False)
    assert load_target(alert["id"]).connection is not None
    retyped = alerts.update_alert(member, alert["id"], {"alertType": "in_app"})
    assert (retyped["alert_type"], retyped["channel"], retyped["connection_id"]) == (
        "in_app",
        "",
        None,
    )
    assert retyped["events"] == ["workflow_fail"]  # what the type does not decide is kept
    unchanged = alerts.update_alert(member, alert["id"], {"events": ["workflow_fail"]})
    assert unchanged["updated_at"] == retyped["updated_at"]
