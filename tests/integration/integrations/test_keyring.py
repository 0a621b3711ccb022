"""Secrets at rest on a real SQLite file: rotation, wrong keys, tampering, the canary, the CLI."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlmodel import select

from app.api import create_api
from app.db.engine import get_engine, session_scope
from app.db.models import AuditEvent, Connection, Workflow
from app.integrations import keyring
from app.integrations.secrets import SecretUnreadable, decrypt, encrypt
from app.services import connections, workflows
from app.services.actor import Actor
from tests.integration.integrations.fakes import TELEGRAM_TOKEN
from tests.integration.test_cli import flowdeck

K1, K2 = Fernet.generate_key().decode(), Fernet.generate_key().decode()
HOOK_SECRET = "whsec-9d8c7b6a5f4e3d2c1b0a"
SLACK_URL = "https://hooks.slack.com/services/T1/B1/abcdefghijklmnopqrstuvwx"


@pytest.fixture
def keep_canary(monkeypatch: pytest.MonkeyPatch) -> None:
    """The canary's remembered result is process-wide: put it back after the test."""
    monkeypatch.setattr(keyring, "_last", keyring.canary_state())


def _store_some(member: Actor) -> None:
    connections.create_connection(
        member, {"name": "slack", "platform": "slack", "webhookUrl": SLACK_URL}
    )
    connections.create_connection(
        member,
        {"name": "bot", "platform": "telegram", "credentials": {"botToken": TELEGRAM_TOKEN}},
    )
    workflows.create_workflow(
        member,
        {
            "name": "hooked",
            "trigger": {
                "type": "webhook",
                "config": {"signature": "flowdeck", "secret": HOOK_SECRET},
            },
            "actions": [{"id": "a", "type": "delay", "config": {"seconds": 0}}],
        },
    )


def _read_everything() -> tuple[dict[str, str], dict[str, str], str]:
    slack = connections.resolve_credentials("slack")
    bot = connections.resolve_credentials("bot")
    with session_scope() as session:
        row = session.exec(select(Workflow)).one()
        return slack, bot, decrypt(row.webhook_secret_enc or "")


def _ciphertexts() -> list[str]:
    with get_engine().connect() as conn:
        rows = conn.execute(sa.text("SELECT credentials_enc FROM connection ORDER BY id"))
        hooks = conn.execute(sa.text("SELECT webhook_secret_enc FROM workflow"))
        return [r[0] for r in rows] + [r[0] for r in hooks]


def test_rotation_round_trip(member: Actor, settings_env) -> None:
    settings_env(FLOWDECK_SECRET_KEYS=K1)
    _store_some(member)
    before = _ciphertexts()
    assert all(c.startswith("v1:") for c in before)
    assert not any(TELEGRAM_TOKEN in c or HOOK_SECRET in c for c in before)

    settings_env(FLOWDECK_SECRET_KEYS=f"{K2},{K1}")  # new key first, old key still readable
    assert _read_everything()[2] == HOOK_SECRET
    with session_scope() as session:
        counts = keyring.rotate_all(session)
    assert counts == {"connections": 2, "workflow_webhooks": 1}
    assert all(a != b for a, b in zip(before, _ciphertexts(), strict=True))

    settings_env(FLOWDECK_SECRET_KEYS=K2)  # the old key is gone
    slack, bot, hook = _read_everything()
    assert slack == {"webhook_url": SLACK_URL}
    assert bot == {"bot_token": TELEGRAM_TOKEN}
    assert hook == HOOK_SECRET
    assert keyring.canary_check().state == "ok"


def test_the_wrong_key_is_a_clear_error_never_an_empty_credential(
    member: Actor, settings_env
) -> None:
    settings_env(FLOWDECK_SECRET_KEYS=K1)
    _store_some(member)
    settings_env(FLOWDECK_SECRET_KEYS=K2)
    with pytest.raises(SecretUnreadable) as caught:
        connections.resolve_credentials("bot")
    message = caught.value.message
    assert "connection 'bot'" in message and "FLOWDECK_SECRET_KEYS" in message


def test_rotation_changes_nothing_when_one_secret_cannot_be_read(
    member: Actor, settings_env
) -> None:
    settings_env(FLOWDECK_SECRET_KEYS=K1)
    _store_some(member)
    before = _ciphertexts()
    settings_env(FLOWDECK_SECRET_KEYS=K2)
    with pytest.raises(SecretUnreadable, match="nothing was changed"), session_scope() as session:
        keyring.rotate_all(session)
    assert _ciphertexts() == before


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c[:-6] + ("AAAAAA" if not c.endswith("AAAAAA") else "BBBBBB"),
        lambda c: c[:20] + ("x" if c[20] != "x" else "y") + c[21:],
        lambda c: c.removeprefix("v1:"),
        lambda c: "v1:" + "not-a-fernet-token",
    ],
    ids=["signature", "body", "no-prefix", "garbage"],
)
def test_a_tampered_ciphertext_is_an_error_not_garbage(member: Actor, tamper) -> None:
    connections.create_connection(
        member, {"name": "slack", "platform": "slack", "webhookUrl": SLACK_URL}
    )
    with session_scope() as session:
        row = session.exec(select(Connection)).one()
        row.credentials_enc = tamper(row.credentials_enc)
        session.add(row)
    with pytest.raises(SecretUnreadable):
        connections.resolve_credentials("slack")


def test_round_trip_and_unknown_format() -> None:
    assert decrypt(encrypt("päss✓")) == "päss✓"
    with pytest.raises(SecretUnreadable, match="unknown format"):
        decrypt("v9:whatever")


async def test_canary_fails_loudly_and_health_reports_it(
    member: Actor, settings_env, keep_canary, caplog: pytest.LogCaptureFixture
) -> None:
    assert keyring.canary_check().state == "none stored"
    settings_env(FLOWDECK_SECRET_KEYS=K1)
    _store_some(member)
    settings_env(FLOWDECK_SECRET_KEYS=K2)
    with caplog.at_level(logging.ERROR, logger="flowdeck.secrets"):
        result = keyring.canary_check()
    assert result.state == "unreadable" and result.unreadable == 3 and result.checked == 3
    assert any("SECRETS CANARY FAILED" in r.getMessage() for r in caplog.records)

    transport = httpx.ASGITransport(app=create_api())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/api/health")
    body = response.json()
    assert response.status_code == 503 and body["status"] == "degraded"
    assert "3 of 3 stored secrets cannot be decrypted" in body["secrets"]
    assert {"database", "scheduler", "version"} <= body.keys()

    settings_env(FLOWDECK_SECRET_KEYS=f"{K2},{K1}")
    assert keyring.canary_check().state == "ok"
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        body = (await client.get("/api/health")).json()
    assert body["secrets"] == "ok"


def test_cli_rotate_keys_reencrypts_audits_and_prints_counts(
    member: Actor, db: Path, settings_env
) -> None:
    settings_env(FLOWDECK_SECRET_KEYS=K1)
    _store_some(member)
    get_engine().dispose()
    result = flowdeck(db, "rotate-keys", env={"FLOWDECK_SECRET_KEYS": f"{K2},{K1}"})
    assert result.returncode == 0, result.stderr
    assert "re-encrypted 3 stored secret(s)" in result.stdout
    assert "connections 2" in result.stdout and "workflow webhooks 1" in result.stdout

    settings_env(FLOWDECK_SECRET_KEYS=K2)
    assert _read_everything()[1] == {"bot_token": TELEGRAM_TOKEN}
    with session_scope() as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "secrets.rotated")).one()
    assert event.details == {"connections": 2, "workflow_webhooks": 1}
    assert event.actor_type == "system"

    failed = flowdeck(db, "rotate-keys", env={"FLOWDECK_SECRET_KEYS": K1})
    assert failed.returncode == 1 and "cannot be decrypted" in failed.stderr


async def test_start_up_runs_the_canary(
    member: Actor, settings_env, keep_canary, caplog: pytest.LogCaptureFixture
) -> None:
    from app.lifespan import startup

    settings_env(FLOWDECK_SECRET_KEYS=K1)
    _store_some(member)
    settings_env(FLOWDECK_SECRET_KEYS=K2)
    with caplog.at_level(logging.ERROR, logger="flowdeck.secrets"):
        async with startup():
            assert keyring.canary_state().state == "unreadable"
    assert "SECRETS CANARY FAILED" in caplog.text
