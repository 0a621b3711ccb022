"""Approvals over REST and through signed links, with the engine running on the serving loop,
a real SQLite file, and a loopback webhook receiver standing in for the alert channel."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.api import create_api
from app.db.engine import get_engine, session_scope
from app.db.models import AlertDelivery, Approval
from app.db.types import utcnow
from app.engine.bus import bus
from app.engine.runner import Engine
from app.services import alerts, api_keys, approval_links
from app.services.actor import SYSTEM, Actor
from app.services.approval_notices import ApprovalNotices
from app.services.users import create_user

BASE = "/api/workflow-orchestration"


def _flow(approvers: list[str], **config) -> dict:
    return {
        "name": "release",
        "trigger": {"type": "manual"},
        "actions": [
            {
                "id": "ask",
                "type": "approval",
                "config": {"message": "Release?", "approvers": approvers, **config},
            },
            {"id": "go", "type": "transform", "depends_on": ["ask:approved"],
             "config": {"values": {"ok": True}}},
            {"id": "stop", "type": "transform", "depends_on": ["ask:rejected"],
             "config": {"values": {"ok": False}}},
        ],
    }  # fmt: skip


async def _waiting(api: httpx.AsyncClient, engine: Engine, flow: dict) -> tuple[int, int]:
    """(execution id, approval id) of a fresh run of `flow`, now waiting."""
    wf = (await api.post(f"{BASE}/workflows", json=flow)).json()["id"]
    run = await api.post(f"{BASE}/workflows/{wf}/execute", json={})
    assert run.status_code in (200, 201, 202), run.text
    execution_id = run.json()["id"] if "id" in run.json() else run.json()["execution_id"]
    await engine.drain()
    page = (await api.get(f"{BASE}/approvals", params={"status": "pending"})).json()
    [item] = [i for i in page["items"] if i["execution_id"] == execution_id]
    return execution_id, item["id"]


async def _steps(api: httpx.AsyncClient, execution_id: int) -> dict[str, str]:
    body = (await api.get(f"{BASE}/executions/{execution_id}")).json()
    return {s["action_id"]: s["status"] for s in body["steps"]}


@pytest.fixture
async def outsider(api: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """An admin who is not a named approver, with their own key."""
    user = create_user(SYSTEM, email="boss@example.com", role="admin", password="p" * 12)
    key, _ = api_keys.create_api_key(SYSTEM, user_id=user.id or 0, name="boss")
    transport = httpx.ASGITransport(app=create_api())
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=headers) as c:
        yield c


async def test_approve_over_rest_runs_the_approved_branch(
    api: httpx.AsyncClient, engine: Engine, outsider: httpx.AsyncClient
) -> None:
    execution_id, approval_id = await _waiting(api, engine, _flow(["member@example.com"]))

    refused = await outsider.post(f"{BASE}/approvals/{approval_id}/approve", json={})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert (await api.get(f"{BASE}/approvals/{approval_id}")).json()["status"] == "pending"
    assert (await outsider.get(f"{BASE}/approvals/pending-count")).json() == {"pending": 0}
    assert (await api.get(f"{BASE}/approvals/pending-count")).json() == {"pending": 1}

    too_long = await api.post(
        f"{BASE}/approvals/{approval_id}/approve", json={"comment": "x" * 2001}
    )
    assert too_long.status_code == 422 and "comment" in too_long.text
    wrong_type = await api.post(f"{BASE}/approvals/{approval_id}/approve", json={"comment": 5})
    assert wrong_type.status_code == 422
    missing = await api.post(f"{BASE}/approvals/987654/approve")
    assert missing.status_code == 404

    done = await api.post(f"{BASE}/approvals/{approval_id}/approve", json={"comment": "go"})
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["status"] == "approved" and body["comment"] == "go"
    assert body["decided_by_label"].startswith("member@example.com")
    await engine.drain()
    assert await _steps(api, execution_id) == {"ask": "succeeded", "go": "succeeded",
                                               "stop": "skipped"}  # fmt: skip
    again = await api.post(f"{BASE}/approvals/{approval_id}/reject")
    assert again.status_code == 409

    history = (await api.get(f"{BASE}/approvals", params={"status": "approved"})).json()
    assert [i["id"] for i in history["items"]] == [approval_id]
    assert (await api.get(f"{BASE}/approvals", params={"status": "maybe"})).status_code == 422
    assert (await api.get(f"{BASE}/approvals", params={"limit": 201})).status_code == 422


async def test_reject_without_a_body(api: httpx.AsyncClient, engine: Engine) -> None:
    execution_id, approval_id = await _waiting(api, engine, _flow(["member"]))
    done = await api.post(f"{BASE}/approvals/{approval_id}/reject")
    assert done.status_code == 200 and done.json()["status"] == "rejected"
    await engine.drain()
    assert (await _steps(api, execution_id))["stop"] == "succeeded"


def _link_paths(text: str) -> dict[str, str]:
    """{"Approve as x" or "Reject as x": path} from a message's text."""
    found = re.findall(r"((?:Approve|Reject) as \S+): (\S+)", text)
    return {label: urlsplit(url).path for label, url in found}


async def test_the_channel_gets_one_time_links_that_decide_once(
    api: httpx.AsyncClient, engine: Engine, member: Actor, http_server
) -> None:
    url, script = http_server
    alert = alerts.create_alert(
        member,
        {"alertType": "webhook", "channel": f"{url}/hook", "events": ["workflow_fail"],
         "severity": "error"},
    )  # fmt: skip
    notices = ApprovalNotices(bus)
    notices.start()
    try:
        flow = _flow(["member@example.com"], notify_alert_id=alert["id"])
        execution_id, approval_id = await _waiting(api, engine, flow)
        await notices.drain()
    finally:
        await notices.stop()

    (request,) = [r for r in script.requests if r["path"] == "/hook"]
    payload = json.loads(request["body"])
    assert payload["event"] == "approval_requested" and "Release?" in payload["text"]
    links = _link_paths(payload["text"])
    assert set(links) == {"Approve as member@example.com", "Reject as member@example.com"}
    approve, reject = links["Approve as member@example.com"], links["Reject as member@example.com"]
    with session_scope() as session:  # the stored copy holds no usable link
        (delivery,) = session.exec(
            select(AlertDelivery).where(AlertDelivery.alert_id == alert["id"])
        ).all()
    assert delivery.status == "delivered" and "/api/approvals/link/" not in delivery.message

    anonymous = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_api()),
                                  base_url="http://test")  # fmt: skip
    async with anonymous:
        shown = await anonymous.get(approve)  # opening the link decides nothing
        assert shown.status_code == 200 and shown.json()["state"] == "open"
        page = await anonymous.get(reject, headers={"accept": "text/html"})
        assert page.status_code == 200 and 'id="confirm"' in page.text and "Reject" in page.text
        assert (await api.get(f"{BASE}/approvals/{approval_id}")).json()["status"] == "pending"

        forged = approve[:-3] + ("AAA" if not approve.endswith("AAA") else "BBB")
        refused = await anonymous.post(forged)
        assert refused.status_code == 404 and "not valid" in refused.json()["error"]["message"]
        assert (await anonymous.get("/api/approvals/link/nonsense")).status_code == 404

        used = await anonymous.post(
            reject, data={"comment": "not now"}, headers={"accept": "text/html"}
        )
        assert used.status_code == 200 and "You rejected it" in used.text
        await engine.drain()
        assert (await _steps(api, execution_id))["stop"] == "succeeded"
        item = (await api.get(f"{BASE}/approvals/{approval_id}")).json()
        assert item["status"] == "rejected" and item["comment"] == "not now"

        # Once: the other link of the same approval, and the same link again, are spent.
        assert (await anonymous.post(approve)).status_code == 409
        again = await anonymous.post(reject, headers={"accept": "text/html"})
        assert again.status_code == 409 and "already rejected" in again.text
        assert (await anonymous.get(approve)).json()["state"] == "decided"


async def test_a_link_expires_with_the_deadline_and_follows_the_approvers(
    api: httpx.AsyncClient, engine: Engine, member: Actor
) -> None:
    _, first = await _waiting(api, engine, _flow(["member"], timeout_s=3600))
    _, second = await _waiting(api, engine, _flow(["member"]))
    with get_engine().begin() as conn:  # the deadline passed (the wait clock has not run yet)
        conn.execute(
            sa.update(Approval.__table__)
            .where(Approval.__table__.c.id == first)
            .values(deadline=utcnow() - timedelta(seconds=1))
        )
    expired = urlsplit(approval_links.link_url(first, "approved", member.user_id or 0)).path
    assert (await api.post(expired)).status_code == 409
    # A link made for someone who is not (or no longer) an approver does nothing.
    other = create_user(SYSTEM, email="viewer@example.com", role="viewer", password="p" * 12)
    theirs = urlsplit(approval_links.link_url(second, "approved", other.id or 0)).path
    assert (await api.post(theirs)).status_code == 403
    assert (await api.get(f"{BASE}/approvals/{second}")).json()["status"] == "pending"
