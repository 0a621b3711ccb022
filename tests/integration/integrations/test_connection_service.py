"""Connection use cases on a real SQLite file: create, change, list, delete, permissions,
and secrets kept out of what is returned, stored in clear, audited and logged."""

from __future__ import annotations

import json
import logging

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.core.statuses import Role
from app.db.engine import get_engine, session_scope
from app.db.models import AuditEvent
from app.services import connections
from app.services.actor import SYSTEM, Actor
from app.services.users import create_user
from tests.integration.integrations.fakes import GITHUB_TOKEN, TELEGRAM_TOKEN

SLACK_URL = "https://hooks.slack.com/services/T1/B1/abcdefghijklmnopqrstuvwx"


def _raw_rows() -> str:
    """Every stored column of every connection and audit row, as text."""
    with get_engine().connect() as conn:
        rows = conn.execute(sa.text("SELECT * FROM connection")).fetchall()
        audits = conn.execute(sa.text("SELECT * FROM audit_event")).fetchall()
    return json.dumps([list(map(str, r)) for r in rows + audits])


def test_create_encrypts_secrets_and_shows_only_a_hint(
    member: Actor, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    created = connections.create_connection(
        member,
        {
            "name": "Announcer",
            "platform": "telegram",
            "connectionType": "api_key",
            "credentials": {"botToken": TELEGRAM_TOKEN},
            "config": {"defaultChatId": "-1001234", "apiBase": "https://tg.example.com"},
        },
    )
    assert created["secret_hint"] == "••••" + TELEGRAM_TOKEN[-4:]
    assert created["config"] == {
        "api_base": "https://tg.example.com",
        "default_chat_id": "-1001234",
    }
    assert created["status"] == "unverified" and created["has_credentials"] is True
    assert TELEGRAM_TOKEN not in json.dumps(created)
    assert TELEGRAM_TOKEN not in _raw_rows()
    assert TELEGRAM_TOKEN not in caplog.text
    assert connections.resolve_credentials(created["id"]) == {"bot_token": TELEGRAM_TOKEN}
    assert connections.resolve_credentials("Announcer") == {"bot_token": TELEGRAM_TOKEN}


def test_webhook_urls_are_secrets(member: Actor) -> None:
    created = connections.create_connection(
        member, {"name": "s", "platform": "slack", "webhook_url": SLACK_URL}
    )
    assert SLACK_URL not in json.dumps(created) and SLACK_URL not in _raw_rows()
    assert created["secret_hint"] == "••••uvwx"


def test_a_secret_typed_into_config_is_still_encrypted(member: Actor) -> None:
    created = connections.create_connection(
        member, {"name": "gh", "platform": "github", "config": {"token": GITHUB_TOKEN}}
    )
    assert "token" not in created["config"]
    assert GITHUB_TOKEN not in _raw_rows()
    assert connections.resolve_credentials("gh") == {"token": GITHUB_TOKEN}


@pytest.mark.parametrize(
    ("body", "paths"),
    [
        ({"platform": "slack"}, {"name", "credentials.webhook_url"}),
        ({"name": "x", "platform": "myspace"}, {"platform"}),
        ({"name": "x", "platform": "github", "connectionType": "basic"}, {"connection_type"}),
        ({"name": "x", "platform": "telegram", "credentials": {"botToken": "nope"}},
         {"credentials.bot_token"}),
        ({"name": "x", "platform": "smtp", "config": {"host": "h", "security": "tls"}},
         {"config.security", "config.from_address"}),
        ({"name": "x", "platform": "http", "connectionType": "basic",
          "credentials": {"username": "u"}, "config": {"base_url": "file:///etc"}},
         {"credentials.password", "config.base_url"}),
        ({"name": "x", "platform": "n8n", "webhookUrl": "gopher://x"}, {"credentials.webhook_url"}),
        ({"name": "x", "platform": "slack", "webhookUrl": SLACK_URL, "config": {"colour": 1}},
         {"config.colour"}),
    ],
)  # fmt: skip
def test_every_problem_is_reported_with_its_path(
    member: Actor, body: dict, paths: set[str]
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        connections.create_connection(member, body)
    assert {p.path for p in caught.value.problems} == paths


def test_validation_messages_never_echo_the_secret(member: Actor) -> None:
    with pytest.raises(ValidationFailed) as caught:
        connections.create_connection(
            member, {"name": "x", "platform": "telegram", "credentials": {"botToken": "sekrit!"}}
        )
    assert "sekrit" not in caught.value.message and "sekrit" not in json.dumps(caught.value.details)


def test_update_keeps_omitted_credentials_and_resets_verification(member: Actor) -> None:
    created = connections.create_connection(
        member,
        {
            "name": "mail",
            "platform": "smtp",
            "credentials": {"username": "u@example.com", "password": "first-password-123"},
            "config": {"host": "smtp.example.com", "fromAddress": "u@example.com"},
        },
    )
    assert created["config"]["port"] == 587 and created["config"]["security"] == "starttls"
    renamed = connections.update_connection(member, created["id"], {"name": "Mail"})
    assert renamed["name"] == "Mail"
    assert connections.resolve_credentials("Mail")["password"] == "first-password-123"

    changed = connections.update_connection(
        member, created["id"], {"config": {"security": "ssl", "port": 465}}
    )
    assert changed["config"]["host"] == "smtp.example.com" and changed["config"]["port"] == 465
    new_pw = connections.update_connection(
        member, created["id"], {"credentials": {"password": "second-password-456"}}
    )
    assert new_pw["secret_hint"] == "••••-456"
    assert connections.resolve_credentials("Mail") == {
        "username": "u@example.com",
        "password": "second-password-456",
    }
    with session_scope() as session:
        events = session.exec(
            select(AuditEvent).where(AuditEvent.action == "connection.updated")
        ).all()
    assert [e.details["changed"] for e in events] == [["name"], ["config"], ["credentials"]]
    assert "second-password-456" not in _raw_rows()


def test_unchanged_update_writes_nothing(member: Actor) -> None:
    created = connections.create_connection(
        member, {"name": "s", "platform": "slack", "webhookUrl": SLACK_URL}
    )
    again = connections.update_connection(member, created["id"], {"webhookUrl": SLACK_URL})
    assert again["updated_at"] == created["updated_at"]


def test_names_are_unique(member: Actor) -> None:
    body = {"name": "s", "platform": "slack", "webhookUrl": SLACK_URL}
    first = connections.create_connection(member, body)
    with pytest.raises(Conflict):
        connections.create_connection(member, body)
    other = connections.create_connection(member, {**body, "name": "t"})
    with pytest.raises(Conflict):
        connections.update_connection(member, other["id"], {"name": "s"})
    assert connections.get_connection(member, first["id"])["name"] == "s"


def test_list_filter_and_delete(member: Actor) -> None:
    connections.create_connection(
        member, {"name": "b", "platform": "slack", "webhookUrl": SLACK_URL}
    )
    gh = connections.create_connection(
        member, {"name": "a", "platform": "github", "credentials": {"token": GITHUB_TOKEN}}
    )
    assert [c["name"] for c in connections.list_connections(member)] == ["a", "b"]
    assert [c["name"] for c in connections.list_connections(member, platform="github")] == ["a"]
    connections.delete_connection(member, gh["id"])
    with pytest.raises(NotFound):
        connections.get_connection(member, gh["id"])
    with session_scope() as session:
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    assert actions.count("connection.created") == 2 and "connection.deleted" in actions


def test_viewers_cannot_see_or_touch_connections(member: Actor) -> None:
    user = create_user(SYSTEM, email="v@example.com", role="viewer", password="viewer-password")
    viewer = Actor(kind="user", user_id=user.id, email=user.email, role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        connections.list_connections(viewer)
    with pytest.raises(PermissionDenied):
        connections.create_connection(
            viewer, {"name": "s", "platform": "slack", "webhookUrl": SLACK_URL}
        )


def test_switching_platform_drops_the_old_secrets(member: Actor) -> None:
    created = connections.create_connection(
        member, {"name": "s", "platform": "slack", "webhookUrl": SLACK_URL}
    )
    with pytest.raises(ValidationFailed, match="credentials.token"):
        connections.update_connection(member, created["id"], {"platform": "github"})
    moved = connections.update_connection(
        member, created["id"], {"platform": "github", "credentials": {"token": GITHUB_TOKEN}}
    )
    assert moved["platform"] == "github" and moved["connection_type"] == "oauth"
    assert connections.resolve_credentials(created["id"]) == {"token": GITHUB_TOKEN}
