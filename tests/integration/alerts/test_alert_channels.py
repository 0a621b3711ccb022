"""A failing workflow run through the real engine alerts on every channel, for real.

Slack and Telegram stand-ins check the payload as their APIs do; the webhook receiver checks
the signature; aiosmtpd receives the email; in-app alerts write one row per recipient.
"""

from __future__ import annotations

import email
import json
from email.message import Message

import pytest
from sqlmodel import select

from app.alerts.delivery import AlertDispatcher
from app.db.engine import session_scope
from app.db.models import Alert, AlertDelivery, Notification
from app.engine.bus import bus
from app.engine.runner import Engine
from app.services import alerts, connections
from app.services.actor import SYSTEM, Actor
from app.services.users import create_user, set_active
from tests.integration.alerts.conftest import (
    SMTP_PASSWORD,
    SMTP_USER,
    MailServer,
    failing_workflow,
    passing_workflow,
    run,
)
from tests.integration.alerts.counterparts import (
    CHAT_ID,
    SLACK_HOOK,
    TELEGRAM_TOKEN,
    WEBHOOK_PATH,
    WEBHOOK_SECRET,
    Counterparts,
    slack_compatible_accepted,
)


def _deliveries(alert_id: int) -> list[AlertDelivery]:
    with session_scope() as session:
        return list(
            session.exec(
                select(AlertDelivery)
                .where(AlertDelivery.alert_id == alert_id)
                .order_by(AlertDelivery.id)
            ).all()
        )


def _alert(alert_id: int) -> Alert:
    with session_scope() as session:
        row = session.get(Alert, alert_id)
        assert row is not None
        return row


def _delivered_once(alert_id: int, execution_id: int) -> AlertDelivery:
    (delivery,) = _deliveries(alert_id)
    assert delivery.status == "delivered", delivery.error
    assert delivery.execution_id == execution_id and delivery.event == "workflow_fail"
    assert delivery.attempts == 1 and delivery.error is None and delivery.latency_ms is not None
    assert delivery.delivered_at is not None
    row = _alert(alert_id)
    assert (row.triggered_count, row.delivered_count, row.failed_count) == (1, 1, 0)
    assert row.last_triggered_at is not None
    return delivery


def _telegram_connection(member: Actor, base_url: str) -> int:
    return connections.create_connection(
        member,
        {"name": "Bot", "platform": "telegram", "credentials": {"botToken": TELEGRAM_TOKEN},
         "config": {"apiBase": base_url}},
    )["id"]  # fmt: skip


def _smtp_connection(member: Actor, mail: MailServer, security: str = "none", ca: str = "") -> int:
    config = {"host": mail.host, "port": mail.port, "security": security,
              "fromAddress": "flowdeck@example.com"}  # fmt: skip
    if ca:
        config["caPem"] = ca
    return connections.create_connection(
        member,
        {"name": f"Mail {security}", "platform": "smtp", "config": config,
         "credentials": {"username": SMTP_USER, "password": SMTP_PASSWORD}},
    )["id"]  # fmt: skip


async def test_slack_gets_text_and_blocks_that_say_what_failed(
    engine: Engine, dispatcher: AlertDispatcher, member: Actor, counterparts: Counterparts
) -> None:
    wf = failing_workflow(member, counterparts.base_url)
    alert = alerts.create_alert(
        member,
        {"workflowId": wf, "alertType": "slack", "channel": counterparts.base_url + SLACK_HOOK,
         "events": ["workflow_complete", "workflow_fail"], "severity": "error"},
    )  # fmt: skip
    (execution_id,) = await run(member, engine, dispatcher, wf)

    (request,) = counterparts.slack
    payload = json.loads(request["body"])
    assert payload["text"].startswith("[ERROR] Workflow failed: Nightly import")
    assert "failed at step “Fetch orders (fetch)”" in payload["text"]
    assert f"GET {counterparts.base_url}/api/fail answered 500" in payload["text"]
    link = f"http://localhost:3000/admin/executions/{execution_id}"
    assert link in payload["text"]
    header, section, error, context = payload["blocks"]
    assert header["text"]["text"] == "Workflow failed: Nightly import"
    assert any(f["text"] == "*Step*\nFetch orders (fetch)" for f in section["fields"])
    assert "answered 500" in error["text"]["text"]
    assert f"<{link}|View execution>" in context["elements"][0]["text"]
    delivery = _delivered_once(alert["id"], execution_id)
    assert delivery.response_code == 200 and delivery.message == payload["text"]


async def test_a_slack_compatible_server_that_answers_otherwise_is_delivered(
    engine: Engine, dispatcher: AlertDispatcher, member: Actor, counterparts: Counterparts
) -> None:
    counterparts.slack_answers.append(slack_compatible_accepted())
    wf = failing_workflow(member, counterparts.base_url)
    alert = alerts.create_alert(
        member,
        {"workflowId": wf, "alertType": "slack", "channel": counterparts.base_url + SLACK_HOOK,
         "events": ["workflow_fail"], "severity": "error"},
    )  # fmt: skip
    (execution_id,) = await run(member, engine, dispatcher, wf)
    assert len(counterparts.slack) == 1  # delivered at once, not retried
    assert _delivered_once(alert["id"], execution_id).response_code == 200


async def test_telegram_gets_html_through_the_bot_api(
    engine: Engine, dispatcher: AlertDispatcher, member: Actor, counterparts: Counterparts
) -> None:
    wf = failing_workflow(member, counterparts.base_url, name="Orders <EU> & UK")
    alert = alerts.create_alert(
        member,
        {"workflowId": wf, "alertType": "telegram", "channel": CHAT_ID,
         "connectionId": _telegram_connection(member, counterparts.base_url),
         "events": ["workflow_fail"], "severity": "warning",
         "config": {"disableNotification": True}},
    )  # fmt: skip
    (execution_id,) = await run(member, engine, dispatcher, wf)

    (request,) = counterparts.telegram
    assert request["path"] == f"/bot{TELEGRAM_TOKEN}/sendMessage"
    body = json.loads(request["body"])
    assert body["chat_id"] == CHAT_ID and body["parse_mode"] == "HTML"
    assert body["disable_notification"] is True
    assert "<b>Workflow failed: Orders &lt;EU&gt; &amp; UK</b>" in body["text"]
    assert f'href="http://localhost:3000/admin/executions/{execution_id}"' in body["text"]
    _delivered_once(alert["id"], execution_id)
    assert connections.get_connection(member, alert["connection_id"])["usage_count"] == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
@pytest.mark.parametrize("security", ["none", "starttls"])
async def test_email_is_sent_as_text_and_html_through_the_smtp_connection(
    engine: Engine,
    dispatcher: AlertDispatcher,
    member: Actor,
    counterparts: Counterparts,
    mail_server,
    alerts_cert,
    security: str,
) -> None:
    mail = mail_server(tls=security)
    conn = _smtp_connection(member, mail, security, alerts_cert.pem if security != "none" else "")
    wf = failing_workflow(member, counterparts.base_url)
    alert = alerts.create_alert(
        member,
        {"workflowId": wf, "alertType": "email", "channel": "ops@example.com, oncall@example.com",
         "connectionId": conn, "events": ["workflow_fail"], "severity": "error",
         "config": {"subject": "{{ severity | upper }} {{ workflow }} #{{ execution_id }}"}},
    )  # fmt: skip
    (execution_id,) = await run(member, engine, dispatcher, wf)

    (envelope,) = mail.messages
    assert mail.logins == [SMTP_USER]
    assert envelope.mail_from == "flowdeck@example.com"
    assert envelope.rcpt_tos == ["ops@example.com", "oncall@example.com"]
    parsed: Message = email.message_from_bytes(envelope.original_content or b"")
    assert parsed["Subject"] == f"ERROR Nightly import #{execution_id}"
    assert parsed.get_content_type() == "multipart/alternative"
    text, html = (part.get_payload(decode=True).decode() for part in parsed.get_payload())
    assert "Step: Fetch orders (fetch)" in text and "answered 500" in text
    assert f"/admin/executions/{execution_id}" in html and "<h2>" in html
    assert _delivered_once(alert["id"], execution_id).response_code == 250


async def test_webhook_is_signed_so_the_receiver_can_verify_it(
    engine: Engine, dispatcher: AlertDispatcher, member: Actor, counterparts: Counterparts
) -> None:
    wf = failing_workflow(member, counterparts.base_url)
    alert = alerts.create_alert(
        member,
        {"workflowId": wf, "alertType": "webhook", "channel": counterparts.base_url + WEBHOOK_PATH,
         "events": ["workflow_fail"], "severity": "error", "config": {"secret": WEBHOOK_SECRET}},
    )  # fmt: skip
    assert "signing_secret" not in alert  # given, so not echoed
    (execution_id,) = await run(member, engine, dispatcher, wf)

    (request,) = counterparts.webhook
    delivery = _delivered_once(alert["id"], execution_id)  # the receiver verified: 200
    payload = json.loads(request["body"])
    assert payload["event"] == "workflow_fail" and payload["severity"] == "error"
    assert payload["workflow"] == {"id": wf, "name": "Nightly import"}
    assert payload["execution"]["id"] == execution_id and payload["step"] == "fetch"
    assert "answered 500" in payload["error"]
    assert request["headers"]["x-flowdeck-delivery"] == str(delivery.id)


async def test_a_webhook_with_a_wrong_secret_is_refused_by_the_receiver(
    engine: Engine, dispatcher: AlertDispatcher, member: Actor, counterparts: Counterparts
) -> None:
    wf = failing_workflow(member, counterparts.base_url)
    alert = alerts.create_alert(
        member,
        {"workflowId": wf, "alertType": "webhook", "channel": counterparts.base_url + WEBHOOK_PATH,
         "events": ["workflow_fail"], "severity": "error"},
    )  # fmt: skip
    assert len(alert["signing_secret"]) >= 32  # generated, shown this once
    await run(member, engine, dispatcher, wf)
    (delivery,) = _deliveries(alert["id"])
    assert delivery.status == "failed" and delivery.response_code == 401
    assert delivery.attempts == 1  # a 4xx is not retried


async def test_in_app_writes_one_notification_per_active_admin_and_member(
    engine: Engine,
    dispatcher: AlertDispatcher,
    member: Actor,
    admin: Actor,
    counterparts: Counterparts,
) -> None:
    create_user(SYSTEM, email="viewer@example.com", role="viewer", password="viewer-password")
    gone = create_user(SYSTEM, email="gone@example.com", role="member", password="gone-password")
    set_active(SYSTEM, gone.id, False)
    wf = failing_workflow(member, counterparts.base_url)
    alert = alerts.create_alert(
        member, {"workflowId": wf, "alertType": "in_app", "events": ["workflow_fail", "step_fail"]}
    )
    published: list = []
    bus.subscribe("notification.", published.append)
    try:
        (execution_id,) = await run(member, engine, dispatcher, wf)
    finally:
        bus.unsubscribe(published.append)

    with session_scope() as session:
        rows = session.exec(select(Notification).order_by(Notification.id)).all()
    assert sorted({r.user_id for r in rows}) == sorted([member.user_id, admin.user_id])
    assert len(rows) == 4  # step_fail and workflow_fail, for each of the two
    titles = {r.title for r in rows}
    assert titles == {"Workflow failed: Nightly import", "Step failed: Fetch orders (fetch) in "
                      "Nightly import"}  # fmt: skip
    assert {r.link for r in rows} == {f"/admin/executions/{execution_id}"}
    assert {r.severity for r in rows} == {"error", "warning"}
    assert sorted(e.data["user_id"] for e in published) == sorted(r.user_id for r in rows)
    assert {e.data["notification_id"] for e in published} == {r.id for r in rows}
    assert len(_deliveries(alert["id"])) == 2


async def test_in_app_recipients_can_be_chosen(
    engine: Engine,
    dispatcher: AlertDispatcher,
    member: Actor,
    admin: Actor,
    counterparts: Counterparts,
) -> None:
    wf = failing_workflow(member, counterparts.base_url)
    alerts.create_alert(
        member,
        {"alertType": "in_app", "events": ["workflow_fail"], "severity": "error",
         "config": {"recipients": [admin.user_id]}},
    )  # fmt: skip
    await run(member, engine, dispatcher, wf)
    with session_scope() as session:
        owners = [r.user_id for r in session.exec(select(Notification)).all()]
    assert owners == [admin.user_id]


async def test_alerts_fire_for_their_workflow_and_events_whatever_their_label(
    engine: Engine, dispatcher: AlertDispatcher, member: Actor, counterparts: Counterparts
) -> None:
    failing = failing_workflow(member, counterparts.base_url)
    passing = passing_workflow(member)
    url = counterparts.base_url + SLACK_HOOK

    def slack(**body) -> int:
        return alerts.create_alert(member, {"alertType": "slack", "channel": url, **body})["id"]

    everything = slack(events=["workflow_start", "workflow_complete", "workflow_fail",
                               "step_fail"])  # fmt: skip
    other_workflow = slack(workflowId=passing, events=["workflow_fail"])
    critical = slack(workflowId=failing, events=["workflow_fail"], severity="critical")
    steps_only = slack(workflowId=failing, events=["step_fail"], severity="warning")
    paused = slack(events=["workflow_fail"])
    alerts.update_alert(member, paused, {"isActive": False})

    await run(member, engine, dispatcher, failing)
    await run(member, engine, dispatcher, passing)

    events = {a: [d.event for d in _deliveries(a)] for a in (everything, other_workflow,
              critical, steps_only, paused)}  # fmt: skip
    assert sorted(events[everything]) == sorted(
        ["workflow_start", "step_fail", "workflow_fail", "workflow_start", "workflow_complete"]
    )
    assert events[other_workflow] == [] and events[paused] == []
    assert events[steps_only] == ["step_fail"]
    # severity is the label, not a filter: the critical alert reports the failure as critical
    assert events[critical] == ["workflow_fail"] and _alert(critical).triggered_count == 1
    assert _deliveries(critical)[0].message.startswith("[CRITICAL]")


async def test_an_interrupted_run_found_at_start_up_alerts_with_its_workflow(
    engine: Engine, dispatcher: AlertDispatcher, member: Actor, counterparts: Counterparts
) -> None:
    wf = failing_workflow(member, counterparts.base_url, name="Crashy")
    (execution_id,) = await run(member, engine, dispatcher, wf)
    alert = alerts.create_alert(
        member,
        {"workflowId": wf, "alertType": "slack", "channel": counterparts.base_url + SLACK_HOOK,
         "events": ["workflow_fail"], "severity": "error"},
    )  # fmt: skip
    # what Engine.start publishes for runs a dead process left `running`: the id and status
    bus.publish_nowait("execution.finished", execution_id=execution_id, status="interrupted")
    await dispatcher.drain()
    (request,) = counterparts.slack
    text = json.loads(request["body"])["text"]
    assert text.startswith("[ERROR] Workflow interrupted: Crashy")
    assert f"/admin/executions/{execution_id}" in text
    assert _deliveries(alert["id"])[0].status == "delivered"


async def test_an_alert_with_its_own_message_template(
    engine: Engine, dispatcher: AlertDispatcher, member: Actor, counterparts: Counterparts
) -> None:
    wf = failing_workflow(member, counterparts.base_url)
    alert = alerts.create_alert(
        member,
        {"workflowId": wf, "alertType": "slack", "channel": counterparts.base_url + SLACK_HOOK,
         "events": ["workflow_fail"], "severity": "error",
         "config": {"message": "Ops: {{ workflow }} stopped at {{ step }} ({{ severity }})"}},
    )  # fmt: skip
    assert alert["config"] == {
        "message": "Ops: {{ workflow }} stopped at {{ step }} ({{ severity }})"
    }
    (execution_id,) = await run(member, engine, dispatcher, wf)

    (request,) = counterparts.slack
    text = json.loads(request["body"])["text"]
    assert text.splitlines()[0] == "[ERROR] Workflow failed: Nightly import"
    assert text.splitlines()[1] == "Ops: Nightly import stopped at fetch (error)"
    assert f"/admin/executions/{execution_id}" in text  # the link stays

    # Send test shows the template with example values; null removes it: the default line.
    await alerts.send_test(member, alert["id"])
    test_line = json.loads(counterparts.slack[-1]["body"])["text"].splitlines()[1]
    assert test_line == "Ops: Example workflow stopped at example_step (error)"
    alerts.update_alert(member, alert["id"], {"config": {"message": None}})
    await alerts.send_test(member, alert["id"])
    second_line = json.loads(counterparts.slack[-1]["body"])["text"].splitlines()[1]
    assert second_line == "If you can read this, Flowdeck can reach this channel."
