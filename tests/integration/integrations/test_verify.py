"""Verification with real requests to loopback stand-ins that speak each platform's contract."""

from __future__ import annotations

import json
import logging

import pytest
from sqlmodel import select

from app.db.engine import session_scope
from app.db.models import AuditEvent, Connection
from app.integrations.secrets import encrypt_json
from app.services import connections
from app.services.actor import Actor
from tests.integration.integrations.fakes import (
    API_KEY,
    GITHUB_REPO,
    GITHUB_TOKEN,
    N8N_HOOK,
    ROCKETCHAT_HOOK,
    SLACK_HOOK,
    SLACK_REVOKED,
    TELEGRAM_TOKEN,
    Platforms,
)


def _create(member: Actor, **body) -> int:
    return connections.create_connection(member, {"name": "c", **body})["id"]


async def _verify(member: Actor, connection_id: int) -> dict:
    return await connections.verify_connection(member, connection_id)


async def test_slack_webhook_posts_text_and_reads_ok(member: Actor, platforms: Platforms) -> None:
    cid = _create(member, platform="slack", webhookUrl=platforms.base_url + SLACK_HOOK)
    result = await _verify(member, cid)
    assert result["status"] == "verified" and result["verify_error"] is None
    assert result["verified_at"] is not None
    assert result["verification"]["ok"] is True
    request = platforms.requests[-1]
    assert request["method"] == "POST" and request["path"] == SLACK_HOOK
    assert json.loads(request["body"]) == {"text": "Flowdeck connection check"}


async def test_a_slack_compatible_server_is_verified_with_a_note(
    member: Actor, platforms: Platforms
) -> None:
    cid = _create(member, platform="slack", webhookUrl=platforms.base_url + ROCKETCHAT_HOOK)
    result = await _verify(member, cid)
    assert result["status"] == "verified" and result["verify_error"] is None
    message = result["verification"]["message"]
    assert message.startswith("Accepted the test message (200). Note:")
    assert "'{\"success\": true}', not Slack's 'ok'" in message
    secret_part = ROCKETCHAT_HOOK.rsplit("/", 1)[1]
    assert secret_part not in json.dumps(result)


async def test_slack_itself_is_verified_without_a_note(member: Actor, platforms: Platforms) -> None:
    cid = _create(member, platform="slack", webhookUrl=platforms.base_url + SLACK_HOOK)
    result = await _verify(member, cid)
    assert result["verification"]["message"] == "Slack accepted the test message"


@pytest.mark.parametrize(
    ("path", "answer"),
    [
        ("/services/T0001/B0001/WrongWrongWrongWrong0001", "404: no_service"),
        (SLACK_REVOKED, "403: invalid_token"),
    ],
)
async def test_slack_errors_are_recorded_with_the_body(
    member: Actor, platforms: Platforms, path: str, answer: str
) -> None:
    cid = _create(member, platform="slack", webhookUrl=platforms.base_url + path)
    result = await _verify(member, cid)
    assert result["status"] == "failed"
    assert result["verify_error"] == f"Slack answered {answer}"
    secret_part = path.rsplit("/", 1)[1]
    assert secret_part not in json.dumps(result)


async def test_slack_rate_limit_says_when_to_retry(member: Actor, platforms: Platforms) -> None:
    platforms.slack_rate_limited = True
    cid = _create(member, platform="slack", webhookUrl=platforms.base_url + SLACK_HOOK)
    result = await _verify(member, cid)
    assert result["status"] == "failed" and "429, retry after 30 s" in result["verify_error"]


async def test_telegram_get_me(member: Actor, platforms: Platforms) -> None:
    cid = _create(
        member,
        platform="telegram",
        credentials={"bot_token": TELEGRAM_TOKEN},
        config={"api_base": platforms.base_url},
    )
    result = await _verify(member, cid)
    assert result["status"] == "verified"
    assert result["verification"]["message"] == "Telegram bot @fd_bot"
    assert platforms.requests[-1]["path"] == f"/bot{TELEGRAM_TOKEN}/getMe"


async def test_telegram_wrong_token_is_unauthorized_and_the_token_is_not_stored(
    member: Actor, platforms: Platforms, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "987654321:ZZZwrongTokenwrongTokenwrongTok"
    cid = _create(
        member,
        platform="telegram",
        credentials={"bot_token": wrong},
        config={"api_base": platforms.base_url},
    )
    result = await _verify(member, cid)
    assert result["status"] == "failed"
    assert result["verify_error"] == "Telegram answered 401: Unauthorized"
    with session_scope() as session:
        audit = session.exec(
            select(AuditEvent).where(AuditEvent.action == "connection.verified")
        ).one()
    assert audit.details["status"] == "failed"
    assert wrong not in json.dumps(audit.details) and wrong not in caplog.text


async def test_errors_that_would_show_the_token_are_masked(member: Actor) -> None:
    """Nothing listens on the port; whatever the error says, the token is not in it."""
    cid = _create(
        member,
        platform="telegram",
        credentials={"bot_token": TELEGRAM_TOKEN},
        config={"api_base": "http://127.0.0.1:9"},
    )
    result = await _verify(member, cid)
    assert result["status"] == "failed" and result["verify_error"].startswith("connection failed")
    assert TELEGRAM_TOKEN not in json.dumps(result)


async def test_github_user_and_repository(member: Actor, platforms: Platforms) -> None:
    cid = _create(
        member,
        platform="github",
        credentials={"token": GITHUB_TOKEN},
        config={"api_base": platforms.base_url, "repo": GITHUB_REPO},
    )
    result = await _verify(member, cid)
    assert result["status"] == "verified"
    assert result["verification"]["message"] == f"GitHub user octocat, repository {GITHUB_REPO}"
    first = platforms.requests[0]
    assert first["path"] == "/user"
    assert first["headers"]["authorization"] == f"Bearer {GITHUB_TOKEN}"
    assert first["headers"]["accept"] == "application/vnd.github+json"

    connections.update_connection(member, cid, {"config": {"repo": "octo-org/missing"}})
    result = await _verify(member, cid)
    assert result["status"] == "failed"
    assert "repository octo-org/missing" in result["verify_error"]
    assert "answered 404: Not Found" in result["verify_error"]


async def test_github_bad_credentials(member: Actor, platforms: Platforms) -> None:
    cid = _create(
        member,
        platform="github",
        credentials={"token": "ghp_revoked_revoked_revoked"},
        config={"api_base": platforms.base_url},
    )
    result = await _verify(member, cid)
    assert result["verify_error"] == "GitHub answered 401: Bad credentials"


async def test_n8n_webhook_default_test_request(member: Actor, platforms: Platforms) -> None:
    cid = _create(member, platform="n8n", webhookUrl=platforms.base_url + N8N_HOOK)
    result = await _verify(member, cid)
    assert result["status"] == "verified"
    assert platforms.requests[-1]["method"] == "POST"
    assert json.loads(platforms.requests[-1]["body"]) == {"test": True}


async def test_n8n_test_path_and_unregistered_hook(member: Actor, platforms: Platforms) -> None:
    test_path = N8N_HOOK.replace("/webhook/", "/webhook-test/")
    cid = _create(
        member,
        platform="n8n",
        webhookUrl=platforms.base_url + N8N_HOOK,
        config={"test_path": test_path, "test_body": {"ping": 1}},
    )
    result = await _verify(member, cid)
    assert result["status"] == "failed" and "is not registered" in result["verify_error"]
    assert platforms.requests[-1]["path"] == test_path
    hook_id = N8N_HOOK.rsplit("/", 1)[1]  # n8n echoes it; it is the secret part of the URL
    assert hook_id not in result["verify_error"] + result["verification"]["message"]
    assert "POST [redacted]" in result["verify_error"]
    platforms.n8n_test_listening = True
    assert (await _verify(member, cid))["status"] == "verified"
    assert json.loads(platforms.requests[-1]["body"]) == {"ping": 1}


async def test_zapier_catch_hook(member: Actor, platforms: Platforms) -> None:
    cid = _create(member, platform="zapier", webhookUrl=platforms.base_url + N8N_HOOK)
    assert (await _verify(member, cid))["status"] == "verified"


async def test_http_with_api_key_header(member: Actor, platforms: Platforms) -> None:
    cid = _create(
        member,
        platform="http",
        connectionType="api_key",
        credentials={"api_key": API_KEY},
        config={"base_url": platforms.base_url + "/api", "test_path": "/status"},
    )
    result = await _verify(member, cid)
    assert result["status"] == "verified"
    assert platforms.requests[-1]["path"] == "/api/status"
    assert platforms.requests[-1]["headers"]["x-api-key"] == API_KEY
    connections.update_connection(member, cid, {"credentials": {"api_key": "wrong-key-0000000"}})
    result = await _verify(member, cid)
    assert result["status"] == "failed" and result["verify_error"].startswith(
        "the service answered 401"
    )
    assert API_KEY not in result["verify_error"]  # the echo carried the header it received


async def test_a_blocked_destination_fails_verification(member: Actor) -> None:
    cid = _create(
        member,
        platform="http",
        connectionType="oauth",
        credentials={"token": "tok-123456789012"},
        config={"base_url": "http://169.254.169.254/latest"},
    )
    result = await _verify(member, cid)
    assert result["status"] == "failed"
    assert "169.254.169.254 blocked: a cloud metadata address" in result["verify_error"]


async def test_unreadable_credentials_fail_verification_clearly(member: Actor) -> None:
    cid = _create(member, platform="slack", webhookUrl="https://hooks.slack.com/services/a/b/c")
    with session_scope() as session:
        row = session.get(Connection, cid)
        assert row is not None
        row.credentials_enc = encrypt_json({"x": "y"})[:-10] + "AAAAAAAAAA"
        session.add(row)
    result = await _verify(member, cid)
    assert result["status"] == "failed" and "cannot be read" in result["verify_error"]
