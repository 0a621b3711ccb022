"""`notify` on the real engine: through an alert's channel (app.alerts) or a connection."""

from __future__ import annotations

import json

import pytest

from app.core.errors import ValidationFailed
from app.engine.runner import Engine
from app.services import alerts, notifications
from app.services.actor import Actor
from tests.integration.actions.action_helpers import (
    assert_no_secrets,
    connect,
    run,
    stored_text,
    workflow,
)
from tests.integration.alerts.counterparts import SLACK_HOOK, Counterparts, slack_error


def _slack_alert(member: Actor, counterparts: Counterparts, **extra: object) -> int:
    body = {"alertType": "slack", "channel": counterparts.base_url + SLACK_HOOK,
            "events": ["workflow_fail"], "severity": "info", **extra}  # fmt: skip
    return alerts.create_alert(member, body)["id"]


def _notify(**config: object) -> list[dict]:
    return [{"id": "tell", "name": "Tell the team", "type": "notify", "config": config}]


async def test_through_a_slack_alert_as_a_recorded_delivery(
    engine: Engine, member: Actor, counterparts: Counterparts
) -> None:
    alert_id = _slack_alert(member, counterparts)
    result = await run(
        member,
        engine,
        _notify(alert=alert_id, message="Release {{ trigger.version }} is out", severity="warning"),
        payload={"version": "2.4"},
    )
    assert result["status"] == "succeeded", result
    output = result["steps"][0]["output"]
    assert output["delivered"] is True and output["channel"] == "slack"
    [posted] = counterparts.slack
    payload = json.loads(posted["body"])
    assert "Release 2.4 is out" in payload["text"] and payload["blocks"][0]["type"] == "header"
    assert "[WARNING]" in payload["text"]
    [delivery] = alerts.list_deliveries(member, alert_id)["items"]
    assert delivery["id"] == output["delivery_id"] and delivery["event"] == "notify"
    assert delivery["status"] == "delivered" and delivery["execution_id"] == result["id"]
    assert alerts.get_alert(member, alert_id)["delivered_count"] == 1
    assert_no_secrets(stored_text(), json.dumps(result))


async def test_in_app_notifications_reach_the_bell(engine: Engine, member: Actor) -> None:
    alert_id = alerts.create_alert(
        member, {"alertType": "in_app", "events": ["workflow_fail"], "severity": "info"}
    )["id"]
    result = await run(member, engine, _notify(alert=alert_id, message="Stats are in"))
    assert result["status"] == "succeeded", result
    [item] = notifications.list_notifications(member)["items"]
    assert item["body"].startswith("Stats are in") and item["execution_id"] == result["id"]


async def test_a_paused_alert_or_a_lower_severity_sends_nothing(
    engine: Engine, member: Actor, counterparts: Counterparts
) -> None:
    strict = _slack_alert(member, counterparts, minSeverity="error")
    paused = _slack_alert(member, counterparts, isActive=False)
    result = await run(
        member,
        engine,
        [*_notify(alert=strict, message="fyi", severity="info"),
         {**_notify(alert=paused, message="fyi")[0], "id": "paused"}],
    )  # fmt: skip
    assert result["status"] == "succeeded"
    quiet, off = (s["output"] for s in result["steps"])
    assert quiet["delivered"] is False and "below the alert's minimum severity" in quiet["skipped"]
    assert off == {"via": "alert", "alert_id": paused, "severity": "info", "delivered": False,
                   "skipped": f"alert {paused} is paused"}  # fmt: skip
    assert counterparts.slack == []


async def test_a_refused_delivery_fails_the_step(
    engine: Engine, member: Actor, counterparts: Counterparts
) -> None:
    alert_id = _slack_alert(member, counterparts)
    counterparts.slack_answers = [slack_error(403, "invalid_token")]
    result = await run(member, engine, _notify(alert=alert_id, message="hello"))
    step = result["steps"][0]
    assert result["status"] == "failed"
    assert step["error"] == (
        f"alert {alert_id} (slack) could not deliver: Slack answered 403: invalid_token"
    )
    assert alerts.list_deliveries(member, alert_id)["items"][0]["status"] == "failed"


async def test_through_a_telegram_connection(
    engine: Engine, member: Actor, counterparts: Counterparts
) -> None:
    connect(member, "telegram", counterparts.base_url)
    result = await run(
        member, engine, _notify(connection="news-telegram", message="Disk full", severity="error")
    )
    assert result["status"] == "succeeded", result
    assert json.loads(counterparts.telegram[0]["body"])["text"] == "[ERROR] Disk full"
    output = result["steps"][0]["output"]
    assert (output["via"], output["platform"], output["delivered"]) == (
        "connection", "telegram", True
    )  # fmt: skip
    assert_no_secrets(stored_text())


def test_alert_or_connection_exactly_one(member: Actor) -> None:
    for config in ({"message": "x"}, {"message": "x", "alert": 1, "connection": "c"}):
        with pytest.raises(ValidationFailed, match="exactly one of alert or connection"):
            workflow(member, _notify(**config))
