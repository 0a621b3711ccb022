"""Retries with backoff, 429 handling, permanent failures, bounded concurrency, and runs
that are never slowed down by their alerts."""

from __future__ import annotations

import asyncio
import socket

from sqlmodel import select

from app.alerts.delivery import AlertDispatcher
from app.db.engine import session_scope
from app.db.models import Alert, AlertDelivery
from app.engine.runner import Engine
from app.services import alerts, connections, executions
from app.services.actor import Actor
from tests.integration.alerts.conftest import Sleeps, failing_workflow, run
from tests.integration.alerts.counterparts import (
    CHAT_ID,
    SLACK_HOOK,
    TELEGRAM_TOKEN,
    Counterparts,
    slack_error,
    slack_rate_limited,
    telegram_error,
    telegram_rate_limited,
)


def _only_delivery(alert_id: int) -> AlertDelivery:
    with session_scope() as session:
        (row,) = session.exec(select(AlertDelivery).where(AlertDelivery.alert_id == alert_id)).all()
        return row


def _counts(alert_id: int) -> tuple[int, int, int]:
    with session_scope() as session:
        row = session.get(Alert, alert_id)
        assert row is not None
        return row.triggered_count, row.delivered_count, row.failed_count


def _slack_alert(member: Actor, url: str, wf: int | None = None) -> int:
    body = {"workflowId": wf, "alertType": "slack", "channel": url,
            "events": ["workflow_fail"], "severity": "error"}  # fmt: skip
    return alerts.create_alert(member, body)["id"]


def _telegram_alert(member: Actor, base_url: str, chat: str = CHAT_ID) -> int:
    conn = connections.create_connection(
        member,
        {"name": "Bot", "platform": "telegram", "credentials": {"botToken": TELEGRAM_TOKEN},
         "config": {"apiBase": base_url}},
    )  # fmt: skip
    body = {"alertType": "telegram", "channel": chat, "connectionId": conn["id"],
            "events": ["workflow_fail"], "severity": "error"}  # fmt: skip
    return alerts.create_alert(member, body)["id"]


async def test_slack_5xx_is_retried_with_exponential_backoff(
    engine: Engine,
    dispatcher: AlertDispatcher,
    member: Actor,
    counterparts: Counterparts,
    sleeps: Sleeps,
) -> None:
    counterparts.slack_answers = [slack_error(500, "rollup_error"), slack_error(503, "")]
    wf = failing_workflow(member, counterparts.base_url)
    alert = _slack_alert(member, counterparts.base_url + SLACK_HOOK, wf)
    await run(member, engine, dispatcher, wf)
    delivery = _only_delivery(alert)
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 3, 200)
    assert delivery.error is None
    assert sleeps.waits == [0.5, 1.0]
    assert len(counterparts.slack) == 3
    assert _counts(alert) == (1, 1, 0)


async def test_slack_429_waits_for_retry_after(
    engine: Engine,
    dispatcher: AlertDispatcher,
    member: Actor,
    counterparts: Counterparts,
    sleeps: Sleeps,
) -> None:
    counterparts.slack_answers = [slack_rate_limited(7)]
    wf = failing_workflow(member, counterparts.base_url)
    alert = _slack_alert(member, counterparts.base_url + SLACK_HOOK, wf)
    await run(member, engine, dispatcher, wf)
    assert sleeps.waits == [7.0]
    assert _only_delivery(alert).attempts == 2 and _only_delivery(alert).status == "delivered"


async def test_telegram_429_waits_for_parameters_retry_after(
    engine: Engine,
    dispatcher: AlertDispatcher,
    member: Actor,
    counterparts: Counterparts,
    sleeps: Sleeps,
) -> None:
    counterparts.telegram_answers = [telegram_rate_limited(5), telegram_error(502, "Bad Gateway")]
    wf = failing_workflow(member, counterparts.base_url)
    alert = _telegram_alert(member, counterparts.base_url)
    await run(member, engine, dispatcher, wf)
    assert sleeps.waits == [5.0, 1.0]
    delivery = _only_delivery(alert)
    assert (delivery.status, delivery.attempts) == ("delivered", 3)
    assert len(counterparts.telegram) == 3


async def test_a_rate_limit_longer_than_flowdeck_waits_fails_at_once(
    engine: Engine,
    dispatcher: AlertDispatcher,
    member: Actor,
    counterparts: Counterparts,
    sleeps: Sleeps,
) -> None:
    counterparts.slack_answers = [slack_rate_limited(3600)]
    wf = failing_workflow(member, counterparts.base_url)
    alert = _slack_alert(member, counterparts.base_url + SLACK_HOOK, wf)
    await run(member, engine, dispatcher, wf)
    delivery = _only_delivery(alert)
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 1, 429)
    assert delivery.error == (
        "Slack answered 429: rate_limited (asked to wait 3600 s; Flowdeck waits at most 300 s)"
    )
    assert sleeps.waits == []


async def test_permanent_errors_are_not_retried(
    engine: Engine,
    dispatcher: AlertDispatcher,
    member: Actor,
    counterparts: Counterparts,
    sleeps: Sleeps,
) -> None:
    wf = failing_workflow(member, counterparts.base_url)
    unknown_hook = _slack_alert(member, counterparts.base_url + "/services/T1/B1/nope", wf)
    unknown_chat = _telegram_alert(member, counterparts.base_url, chat="-100999")
    await run(member, engine, dispatcher, wf)
    slack = _only_delivery(unknown_hook)
    assert (slack.status, slack.attempts, slack.error) == (
        "failed",
        1,
        "Slack answered 404: no_service",
    )
    telegram = _only_delivery(unknown_chat)
    assert (telegram.status, telegram.attempts, telegram.response_code) == ("failed", 1, 400)
    assert telegram.error == "Telegram answered 400: Bad Request: chat not found"
    assert sleeps.waits == []
    assert _counts(unknown_hook) == (1, 0, 1) and _counts(unknown_chat) == (1, 0, 1)


async def test_a_refused_connection_is_retried_then_fails(
    engine: Engine,
    dispatcher: AlertDispatcher,
    member: Actor,
    counterparts: Counterparts,
    sleeps: Sleeps,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    wf = failing_workflow(member, counterparts.base_url)
    alert = alerts.create_alert(
        member,
        {"workflowId": wf, "alertType": "webhook", "channel": f"http://127.0.0.1:{closed}/in",
         "events": ["workflow_fail"], "severity": "error"},
    )["id"]  # fmt: skip
    await run(member, engine, dispatcher, wf)
    delivery = _only_delivery(alert)
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert delivery.error and delivery.error.startswith("connection failed: ConnectError")
    assert delivery.response_code is None
    assert sleeps.waits == [0.5, 1.0]


async def test_a_slow_channel_never_slows_the_run(
    engine: Engine, dispatcher: AlertDispatcher, member: Actor, counterparts: Counterparts
) -> None:
    counterparts.delay_s = 1.0  # Slack takes a second to answer
    wf = failing_workflow(member, counterparts.base_url)
    alert = _slack_alert(member, counterparts.base_url + SLACK_HOOK, wf)
    execution = await executions.execute_workflow(member, wf)
    await engine.drain()
    assert executions.get_execution(member, execution["id"])["status"] == "failed"
    for _ in range(40):  # until Slack has the request (and sits on it)
        if counterparts.slack:
            break
        await asyncio.sleep(0.02)
    assert counterparts.slack and _only_delivery(alert).status == "pending"
    await dispatcher.drain()
    assert _only_delivery(alert).status == "delivered"


async def test_sending_is_bounded(
    engine: Engine, dispatcher: AlertDispatcher, member: Actor, counterparts: Counterparts
) -> None:
    counterparts.delay_s = 0.2
    wf = failing_workflow(member, counterparts.base_url)
    ids = [_slack_alert(member, counterparts.base_url + SLACK_HOOK) for _ in range(10)]
    await run(member, engine, dispatcher, wf)
    assert [_only_delivery(a).status for a in ids] == ["delivered"] * 10
    assert counterparts.max_in_flight == dispatcher.max_concurrent == 4
