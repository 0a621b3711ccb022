"""Accounts against a real SQLite file: setup, sign-in, lockout, sessions, roles, API keys."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from app.core.errors import (
    AuthenticationFailed,
    Conflict,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)
from app.db.engine import session_scope
from app.db.models import AuditEvent, Session, User
from app.db.types import utcnow
from app.services import api_keys, auth, users

PASSWORD = "s3cret-password"


def _admin() -> tuple[str, object]:
    auth.setup_first_admin(email="Admin@Example.com", name="Ada", password=PASSWORD)
    token, _ = auth.login(email="admin@example.com", password=PASSWORD)
    return token, auth.authenticate(token)


def _audit_actions() -> list[str]:
    with session_scope() as s:
        return [e.action for e in s.exec(select(AuditEvent).order_by(AuditEvent.id))]


def test_setup_only_once(db: Path) -> None:
    assert auth.needs_setup()
    _admin()
    assert not auth.needs_setup()
    with pytest.raises(Conflict):
        auth.setup_first_admin(email="second@example.com", name="", password=PASSWORD)


def test_setup_reports_every_bad_field(db: Path) -> None:
    with pytest.raises(ValidationFailed) as info:
        auth.setup_first_admin(email="nope", name="", password="short")
    assert {p.path for p in info.value.problems} == {"email", "password"}
    assert auth.needs_setup()


def test_login_stores_only_a_hash_and_audits(db: Path) -> None:
    token, actor = _admin()
    assert actor.email == "admin@example.com" and actor.role == "admin"
    with session_scope() as s:
        stored = s.exec(select(Session)).one()
    assert stored.token_hash != token and token not in stored.token_hash
    assert _audit_actions() == ["user.created", "auth.login"]


@pytest.mark.parametrize(
    ("email", "password"), [("admin@example.com", "wrong-password"), ("who@example.com", PASSWORD)]
)
def test_wrong_credentials_same_message(db: Path, email: str, password: str) -> None:
    _admin()
    with pytest.raises(AuthenticationFailed, match="email or password is wrong"):
        auth.login(email=email, password=password)
    assert _audit_actions()[-1] == "auth.login_failed"


def test_repeated_failures_lock_the_account(db: Path) -> None:
    _admin()
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            auth.login(email="admin@example.com", password="wrong-password")
    with pytest.raises(RateLimited, match="too many attempts"):
        auth.login(email="admin@example.com", password=PASSWORD)


def test_expired_and_forged_tokens_are_refused(db: Path) -> None:
    token, _ = _admin()
    with pytest.raises(AuthenticationFailed):
        auth.authenticate("fds_forged")
    with session_scope() as s:
        row = s.exec(select(Session)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
    with pytest.raises(AuthenticationFailed, match="expired"):
        auth.authenticate(token)


def test_logout_and_role_change_end_sessions(db: Path) -> None:
    token, admin = _admin()
    member = users.create_user(admin, email="m@example.com", role="member", password=PASSWORD)
    member_token, _ = auth.login(email="m@example.com", password=PASSWORD)
    users.change_role(admin, member.id, "viewer")
    with pytest.raises(AuthenticationFailed):
        auth.authenticate(member_token)
    auth.logout(token)
    with pytest.raises(AuthenticationFailed):
        auth.authenticate(token)


def test_deactivated_user_cannot_sign_in(db: Path) -> None:
    _, admin = _admin()
    member = users.create_user(admin, email="m@example.com", role="member", password=PASSWORD)
    users.set_active(admin, member.id, False)
    with pytest.raises(AuthenticationFailed, match="deactivated"):
        auth.login(email="m@example.com", password=PASSWORD)


def test_viewer_and_member_are_refused_admin_services(db: Path) -> None:
    _, admin = _admin()
    for role in ("viewer", "member"):
        users.create_user(admin, email=f"{role}@example.com", role=role, password=PASSWORD)
        token, _ = auth.login(email=f"{role}@example.com", password=PASSWORD)
        actor = auth.authenticate(token)
        with pytest.raises(PermissionDenied):
            users.list_users(actor)
        with pytest.raises(PermissionDenied):
            users.create_user(actor, email="x@example.com", role="admin", password=PASSWORD)
    with session_scope() as s:
        assert s.exec(select(User).where(User.email == "x@example.com")).first() is None


def test_last_admin_is_protected(db: Path) -> None:
    _, admin = _admin()
    with pytest.raises(Conflict):
        users.change_role(admin, admin.user_id, "member")


def test_api_key_lifecycle(db: Path) -> None:
    _, admin = _admin()
    key, row = api_keys.create_api_key(admin, user_id=admin.user_id, name="ci")
    assert key.startswith(row.prefix) and len(row.prefix) == 12
    actor = api_keys.authenticate_api_key(key)
    assert actor.kind == "api_key" and actor.role == "admin"
    assert api_keys.list_api_keys(admin)[0].last_used_at is not None
    api_keys.revoke_api_key(admin, row.id)
    with pytest.raises(AuthenticationFailed, match="revoked"):
        api_keys.authenticate_api_key(key)
    with session_scope() as s:
        details = [str(e.details) for e in s.exec(select(AuditEvent))]
    assert not any(key in d for d in details)
    assert {"api_key.created", "api_key.revoked"} <= set(_audit_actions())
