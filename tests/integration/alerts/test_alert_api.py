"""The alert and notification REST API through the mounted app, with the original
createAlert body, a real engine and loopback counterparts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlmodel import select

from app.alerts.delivery import AlertDispatcher
from app.alerts.records import load_target
from app.api import create_api
from app.db.engine import session_scope
from app.db.models import AuditEvent
from app.engine.runner import Engine
from app.services import api_keys
from app.services.actor import SYSTEM, Actor
from app.services.users import create_user
from tests.integration.alerts.conftest import failing_workflow, run
from tests.integration.alerts.counterparts import (
    SLACK_HOOK,
    WEBHOOK_PATH,
    WEBHOOK_SECRET,
    Counterparts,
    slack_error,
)

BASE = "/api/workflow-orchestration"
ORIGINAL_CHANNEL = "https://hooks.slack.com/services/..."


def original_body(workflow_id: int) -> dict[str, Any]:
    """The original document's createAlert example, as is (with a real workflow id)."""
    return {
        "workflowId": workflow_id,
        "alertType": "slack",
        "channel": ORIGINAL_CHANNEL,
        "events": ["workflow_complete", "workflow_fail"],
        "severity": "error",
        "createdBy": "admin-user-id",
    }


async def _client(user_id: int) -> httpx.AsyncClient:
    key, _ = api_keys.create_api_key(SYSTEM, user_id=user_id, name="alerts")
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_api()),
        base_url="http://test",
        headers={"Authorization": f"Bearer {key}"},
    )


@pytest.fixture
async def admin_api(admin: Actor) -> AsyncIterator[httpx.AsyncClient]:
    async with await _client(admin.user_id or 0) as client:
        yield client


async def test_the_original_create_alert_body_works_as_is(
    api: httpx.AsyncClient, member: Actor, counterparts: Counterparts
) -> None:
    wf = failing_workflow(member, counterparts.base_url)
    answer = await api.post(f"{BASE}/alerts", json=original_body(wf))
    assert answer.status_code == 201, answer.text
    alert = answer.json()
    assert ORIGINAL_CHANNEL not in answer.text
    assert alert["channel"] == "https://hooks.slack.com/…••••/..."
    assert alert["channel_is_secret"] is True and "channel_enc" not in alert["config"]
    assert alert["workflow_id"] == wf and alert["workflow_name"] == "Nightly import"
    assert alert["name"] == "Slack alert for Nightly import"
    assert alert["events"] == ["workflow_complete", "workflow_fail"]
    assert (alert["severity"], alert["alert_type"], alert["is_active"]) == ("error", "slack", True)
    assert alert["created_by"] == member.user_id  # the caller, not the example's text
    assert load_target(alert["id"]).channel == ORIGINAL_CHANNEL

    listed = (await api.get(f"{BASE}/alerts", params={"workflow_id": wf})).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == alert["id"]
    assert (await api.get(f"{BASE}/alerts", params={"alert_type": "email"})).json()["total"] == 0
    one = await api.get(f"{BASE}/alerts/{alert['id']}")
    assert one.json() == alert


async def test_update_keeps_what_is_left_out_and_the_url_behind_its_hint(
    api: httpx.AsyncClient, member: Actor, counterparts: Counterparts
) -> None:
    wf = failing_workflow(member, counterparts.base_url)
    alert = (await api.post(f"{BASE}/alerts", json=original_body(wf))).json()
    changed = await api.put(
        f"{BASE}/alerts/{alert['id']}",
        json={"severity": "critical", "channel": alert["channel"], "name": "Pager"},
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["severity"], body["name"], body["events"]) == (
        "critical",
        "Pager",
        alert["events"],
    )
    assert load_target(alert["id"]).channel == ORIGINAL_CHANNEL
    moved = await api.put(
        f"{BASE}/alerts/{alert['id']}",
        json={"channel": counterparts.base_url + SLACK_HOOK, "isActive": False},
    )
    assert moved.json()["channel"].startswith(f"{counterparts.base_url}/…••••")
    assert load_target(alert["id"]).channel == counterparts.base_url + SLACK_HOOK
    with session_scope() as session:
        audits = session.exec(select(AuditEvent).where(AuditEvent.target_type == "alert")).all()
    assert [(a.action, a.details.get("changed")) for a in audits] == [
        ("alert.created", None),
        ("alert.updated", ["name", "severity"]),
        ("alert.updated", ["channel", "is_active"]),
    ]


async def test_every_problem_is_reported_at_once(api: httpx.AsyncClient) -> None:
    answer = await api.post(
        f"{BASE}/alerts",
        json={"workflowId": 9999, "alertType": "slack", "events": ["workflow_fail", "nope"],
              "severity": "loud", "config": {"colour": "red"}},
    )  # fmt: skip
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "validation_failed"
    assert {d["path"] for d in error["details"]} == {
        "channel",
        "events[1]",
        "severity",
        "config.colour",
        "workflow_id",
    }


async def test_blocked_destinations_are_refused_when_saving(api: httpx.AsyncClient) -> None:
    answer = await api.post(
        f"{BASE}/alerts",
        json={"alertType": "webhook", "channel": "http://169.254.169.254/latest/meta-data/",
              "events": ["workflow_fail"]},
    )  # fmt: skip
    assert answer.status_code == 422
    (detail,) = answer.json()["error"]["details"]
    assert detail["path"] == "channel" and "blocked" in detail["message"]


async def test_send_test_reports_the_result_and_records_a_delivery(
    api: httpx.AsyncClient, counterparts: Counterparts
) -> None:
    created = await api.post(
        f"{BASE}/alerts",
        json={"alertType": "slack", "channel": counterparts.base_url + SLACK_HOOK,
              "events": ["workflow_fail"], "severity": "warning"},
    )  # fmt: skip
    alert_id = created.json()["id"]
    ok = (await api.post(f"{BASE}/alerts/{alert_id}/test")).json()
    assert ok["ok"] is True and ok["status"] == "delivered" and ok["response_code"] == 200
    assert ok["event"] == "test" and ok["attempts"] == 1 and ok["latency_ms"] > 0
    assert "Test message for alert" in ok["message"]

    counterparts.slack_answers = [slack_error(500, "rollup_error")]
    failed = (await api.post(f"{BASE}/alerts/{alert_id}/test")).json()
    assert failed["ok"] is False and failed["status"] == "failed"
    assert (failed["response_code"], failed["attempts"]) == (500, 1)  # a test is never retried
    assert failed["error"] == "Slack answered 500: rollup_error"

    deliveries = (await api.get(f"{BASE}/alerts/{alert_id}/deliveries")).json()
    assert deliveries["total"] == 2
    assert [d["status"] for d in deliveries["items"]] == ["failed", "delivered"]
    only_failed = await api.get(f"{BASE}/alerts/{alert_id}/deliveries?status=failed")
    assert only_failed.json()["total"] == 1
    alert = (await api.get(f"{BASE}/alerts/{alert_id}")).json()
    assert (alert["triggered_count"], alert["delivered_count"], alert["failed_count"]) == (0, 0, 0)
    with session_scope() as session:
        tested = session.exec(select(AuditEvent).where(AuditEvent.action == "alert.tested")).all()
    assert [t.details["status"] for t in tested] == ["delivered", "failed"]


async def test_a_generated_signing_secret_is_shown_once(
    api: httpx.AsyncClient, counterparts: Counterparts
) -> None:
    created = await api.post(
        f"{BASE}/alerts",
        json={"alertType": "webhook", "channel": counterparts.base_url + WEBHOOK_PATH,
              "events": ["workflow_fail"]},
    )  # fmt: skip
    alert = created.json()
    secret = alert["signing_secret"]
    assert len(secret) >= 32 and alert["has_signing_secret"] is True
    again = (await api.get(f"{BASE}/alerts/{alert['id']}")).json()
    assert "signing_secret" not in again and secret not in str(again)
    kept = (await api.put(f"{BASE}/alerts/{alert['id']}", json={"severity": "error"})).json()
    assert "signing_secret" not in kept and load_target(alert["id"]).signing_secret == secret
    set_own = await api.put(
        f"{BASE}/alerts/{alert['id']}", json={"config": {"secret": WEBHOOK_SECRET}}
    )
    assert "signing_secret" not in set_own.json()
    assert (await api.post(f"{BASE}/alerts/{alert['id']}/test")).json()["status"] == "delivered"


async def test_delete_and_not_found(api: httpx.AsyncClient, counterparts: Counterparts) -> None:
    created = await api.post(
        f"{BASE}/alerts", json={"alertType": "in_app", "events": ["workflow_fail"]}
    )
    alert_id = created.json()["id"]
    assert (await api.delete(f"{BASE}/alerts/{alert_id}")).status_code == 204
    for method, path in [("GET", ""), ("PUT", ""), ("DELETE", ""), ("POST", "/test"),
                         ("GET", "/deliveries")]:  # fmt: skip
        answer = await api.request(method, f"{BASE}/alerts/{alert_id}{path}", json={})
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"


async def test_viewers_and_strangers_are_kept_out(api: httpx.AsyncClient, db) -> None:
    viewer = create_user(SYSTEM, email="v@example.com", role="viewer", password="viewer-password")
    async with await _client(viewer.id or 0) as as_viewer:
        answer = await as_viewer.post(
            f"{BASE}/alerts", json={"alertType": "in_app", "events": ["workflow_fail"]}
        )
        assert answer.status_code == 403
        assert (await as_viewer.get(f"{BASE}/alerts")).status_code == 403
        assert (await as_viewer.get("/api/notifications")).status_code == 200
    del api.headers["Authorization"]
    assert (await api.get(f"{BASE}/alerts")).status_code == 401


async def test_notifications_are_each_users_own(
    api: httpx.AsyncClient,
    admin_api: httpx.AsyncClient,
    engine: Engine,
    dispatcher: AlertDispatcher,
    member: Actor,
    admin: Actor,
    counterparts: Counterparts,
) -> None:
    await api.post(f"{BASE}/alerts", json={"alertType": "in_app", "events": ["workflow_fail"]})
    wf = failing_workflow(member, counterparts.base_url)
    await run(member, engine, dispatcher, wf, times=1)
    dispatcher.clock.advance(120)  # type: ignore[attr-defined]  # past the storm window
    await run(member, engine, dispatcher, wf, times=1)

    mine = (await api.get("/api/notifications")).json()
    theirs = (await admin_api.get("/api/notifications")).json()
    assert (mine["total"], mine["unread"], theirs["total"], theirs["unread"]) == (2, 2, 2, 2)
    assert not {n["id"] for n in mine["items"]} & {n["id"] for n in theirs["items"]}
    newest = mine["items"][0]
    assert newest["title"] == "Workflow failed: Nightly import" and newest["read"] is False

    other = theirs["items"][0]["id"]
    refused = await api.post(f"/api/notifications/{other}/read")
    assert refused.status_code == 404  # someone else's is as good as missing
    read = (await api.post(f"/api/notifications/{newest['id']}/read")).json()
    assert read["read"] is True and read["read_at"]
    assert (await api.get("/api/notifications")).json()["unread"] == 1
    assert (await api.get("/api/notifications?unread=true")).json()["total"] == 1
    assert (await admin_api.get("/api/notifications")).json()["unread"] == 2

    assert (await api.post("/api/notifications/read-all")).json() == {"marked": 1, "unread": 0}
    assert (await api.get("/api/notifications")).json()["unread"] == 0
    assert (await admin_api.get("/api/notifications")).json()["unread"] == 2
