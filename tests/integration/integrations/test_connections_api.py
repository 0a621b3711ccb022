"""The connections REST API, called with a member's API key on the mounted app."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
import sqlalchemy as sa

from app.db.engine import get_engine
from tests.integration.integrations.fakes import SLACK_HOOK, TELEGRAM_TOKEN, Platforms

BASE = "/api/workflow-orchestration/connections"


def _audit_text() -> str:
    with get_engine().connect() as conn:
        rows = conn.execute(sa.text("SELECT action, details FROM audit_event")).fetchall()
    return json.dumps([list(map(str, r)) for r in rows])


async def test_crud_and_verify_round_trip(
    api: httpx.AsyncClient, platforms: Platforms, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    hook = platforms.base_url + SLACK_HOOK
    created = await api.post(
        BASE,
        json={
            "name": "Team Slack",
            "platform": "slack",
            "connectionType": "webhook",
            "webhookUrl": hook,
            "createdBy": "someone",  # extra keys of the original examples are tolerated
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    cid = body["id"]
    assert body["secret_hint"] == "••••" + hook[-4:] and body["status"] == "unverified"

    tg = await api.post(
        BASE,
        json={
            "name": "Bot",
            "platform": "telegram",
            "credentials": {"bot_token": TELEGRAM_TOKEN},
            "config": {"api_base": platforms.base_url, "default_chat_id": 42},
        },
    )
    assert tg.status_code == 201

    listed = await api.get(BASE)
    assert listed.status_code == 200 and listed.json()["total"] == 2
    only = await api.get(BASE, params={"platform": "telegram"})
    assert [c["name"] for c in only.json()["items"]] == ["Bot"]

    verified = await api.post(f"{BASE}/{cid}/verify")
    assert verified.status_code == 200
    assert verified.json()["status"] == "verified"
    assert verified.json()["verification"]["ok"] is True
    assert platforms.requests[-1]["path"] == SLACK_HOOK

    renamed = await api.put(f"{BASE}/{cid}", json={"name": "Slack #news"})
    assert renamed.status_code == 200 and renamed.json()["status"] == "verified"
    got = await api.get(f"{BASE}/{cid}")
    assert got.json()["name"] == "Slack #news"

    responses = [created, tg, listed, only, verified, renamed, got]
    for response in responses:
        assert hook not in response.text and SLACK_HOOK not in response.text
        assert TELEGRAM_TOKEN not in response.text
    assert SLACK_HOOK not in _audit_text() and TELEGRAM_TOKEN not in _audit_text()
    assert SLACK_HOOK not in caplog.text and TELEGRAM_TOKEN not in caplog.text

    deleted = await api.delete(f"{BASE}/{cid}")
    assert deleted.status_code == 204
    assert (await api.get(f"{BASE}/{cid}")).status_code == 404
    actions = [a for a in ("connection.created", "connection.verified", "connection.updated",
                           "connection.deleted") if a in _audit_text()]  # fmt: skip
    assert len(actions) == 4


async def test_validation_errors_use_the_error_envelope(api: httpx.AsyncClient) -> None:
    response = await api.post(
        BASE, json={"name": "x", "platform": "smtp", "credentials": {"username": "u"}}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    paths = {d["path"] for d in error["details"]}
    assert {"credentials", "config.host", "config.from_address"} <= paths

    unknown = await api.post(BASE, json={"name": "x", "platform": "orkut"})
    assert unknown.status_code == 422


async def test_name_conflicts_and_missing_ids(api: httpx.AsyncClient) -> None:
    body = {"name": "s", "platform": "n8n", "webhookUrl": "https://n8n.example.com/webhook/abc"}
    assert (await api.post(BASE, json=body)).status_code == 201
    again = await api.post(BASE, json=body)
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    assert (await api.post(f"{BASE}/999/verify")).status_code == 404
    assert (await api.put(f"{BASE}/999", json={"name": "y"})).status_code == 404
    assert (await api.delete(f"{BASE}/999")).status_code == 404


async def test_an_api_key_is_required(api: httpx.AsyncClient) -> None:
    response = await api.get(BASE, headers={"Authorization": ""})
    assert response.status_code == 401
