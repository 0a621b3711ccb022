"""Sign-in back-off, known devices, audit rows that survive refusals, session clean-up,
change-password guesses and API keys for viewers, against a real SQLite file.

The in-memory back-off per client address lives for the whole test process, so every test
uses client addresses of its own (10.<test>.x.y).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from app.core.errors import AuthenticationFailed, PermissionDenied, RateLimited
from app.db.engine import session_scope
from app.db.models import ApiKey, AuditEvent, Session, User
from app.db.settings import get_settings
from app.db.types import utcnow
from app.services import api_keys, auth, users
from app.services.actor import SYSTEM, Actor
from app.services.tokens import device_of, new_device_token

PASSWORD = "s3cret-password"
WRONG = "wrong-password"


def _user(email: str, role: str = "admin") -> Actor:
    user = users.create_user(SYSTEM, email=email, role=role, password=PASSWORD)
    return auth.actor_for(_row(user.id))


def _row(user_id: int) -> User:
    with session_scope() as s:
        user = s.get(User, user_id)
        assert user is not None
        return user


def _events(action: str) -> list[AuditEvent]:
    with session_scope() as s:
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        return list(s.exec(query))


def _fail(email: str, *, ip: str | None, device: str | None = None) -> type[Exception]:
    try:
        auth.login(email=email, password=WRONG, ip=ip, device=device)
    except (AuthenticationFailed, RateLimited) as exc:
        return type(exc)
    raise AssertionError("a wrong password signed in")


def test_strangers_back_off_per_account_and_every_refusal_is_audited(db: Path) -> None:
    _user("admin@example.com")
    # Each failure from another address: only the per-account back-off can stop them.
    outcomes = [_fail("admin@example.com", ip=f"10.1.0.{n}") for n in range(5)]
    assert outcomes == [AuthenticationFailed] * 4 + [RateLimited]
    with pytest.raises(RateLimited, match=r"too many attempts; try again in 2 s") as info:
        auth.login(email="admin@example.com", password=PASSWORD, ip="10.1.0.9")
    assert info.value.details == {"retry_after": 2}
    assert _row(1).locked_until is not None and users.list_users(SYSTEM)[0].locked
    failed = _events("auth.login_failed")
    reasons = [e.details["reason"] for e in failed]
    # The two refusals while backing off were lost before (rolled back with the exception).
    assert reasons == ["wrong password"] * 4 + ["throttled", "throttled"]
    assert failed[-1].ip == "10.1.0.9" and failed[-1].details["retry_after"] == 2
    assert _events("auth.login") == []


def test_the_wait_passes_and_a_success_starts_the_account_over(db: Path) -> None:
    _user("admin@example.com")
    for n in range(4):
        _fail("admin@example.com", ip=f"10.2.0.{n}")
    with session_scope() as s:  # let the 2 s wait pass
        row = s.get(User, 1)
        row.locked_until = row.locked_until - timedelta(seconds=2)
    token, _ = auth.login(email="admin@example.com", password=PASSWORD, ip="10.2.0.9")
    assert auth.authenticate(token).email == "admin@example.com"
    assert (_row(1).failed_logins, _row(1).locked_until) == (0, None)


def test_a_known_device_is_not_locked_out_by_strangers(db: Path) -> None:
    """The admin's own browser signs in while strangers keep the account backed off."""
    admin = _user("admin@example.com")
    other = _user("other@example.com", "member")
    keys = get_settings().secret_keys
    mine = new_device_token(admin.user_id, keys)
    assert device_of(mine, keys) is not None
    for n in range(8):
        _fail("admin@example.com", ip=f"10.3.0.{n}")
    with pytest.raises(RateLimited):
        auth.login(email="admin@example.com", password=PASSWORD, ip="10.3.1.1")
    forged = mine[:-4] + ("AAAA" if not mine.endswith("AAAA") else "BBBB")
    for device in (forged, new_device_token(other.user_id, keys), "junk"):
        with pytest.raises(RateLimited):
            auth.login(email="admin@example.com", password=PASSWORD, ip="10.3.1.1", device=device)
    token, _ = auth.login(email="admin@example.com", password=PASSWORD, ip="10.3.1.1", device=mine)
    assert auth.authenticate(token).user_id == admin.user_id
    assert _events("auth.login")[-1].details == {"known_device": True}
    # The strangers' back-off is still there for strangers.
    assert _row(admin.user_id).failed_logins == 4  # refused attempts are not guesses


def test_a_known_device_has_a_back_off_of_its_own(db: Path) -> None:
    admin = _user("admin@example.com")
    mine = new_device_token(admin.user_id, get_settings().secret_keys)
    outcomes = [_fail("admin@example.com", ip="10.4.0.1", device=mine) for _ in range(5)]
    assert outcomes == [AuthenticationFailed] * 4 + [RateLimited]
    assert _row(admin.user_id).failed_logins == 0  # strangers are not slowed by it
    auth.login(email="admin@example.com", password=PASSWORD, ip="10.4.0.2")


def test_one_client_address_is_slowed_across_accounts(db: Path) -> None:
    """Credential stuffing: one wrong guess for each of many accounts from one address."""
    _user("admin@example.com")
    outcomes = [_fail(f"person{n}@example.com", ip="10.5.0.1") for n in range(12)]
    assert outcomes == [AuthenticationFailed] * 11 + [RateLimited]
    with pytest.raises(RateLimited):
        auth.login(email="admin@example.com", password=PASSWORD, ip="10.5.0.1")
    auth.login(email="admin@example.com", password=PASSWORD, ip="10.5.0.2")  # others are fine
    assert _events("auth.login_failed")[-1].details["reason"] == "throttled"


def test_unlock_clears_the_back_off_and_is_audited(db: Path) -> None:
    admin = _user("admin@example.com")
    for n in range(6):
        _fail("admin@example.com", ip=f"10.6.0.{n}")
    assert users.list_users(admin)[0].locked
    users.unlock_user(admin, admin.user_id)
    assert not users.list_users(admin)[0].locked
    auth.login(email="admin@example.com", password=PASSWORD, ip="10.6.1.1")
    assert _events("user.unlocked")[0].details == {
        "email": "admin@example.com",
        "failed_logins": 4,
    }
    member = _user("member@example.com", "member")
    with pytest.raises(PermissionDenied):
        users.unlock_user(member, admin.user_id)


def test_an_expired_session_is_deleted_when_it_is_used(db: Path) -> None:
    _user("admin@example.com")
    token, _ = auth.login(email="admin@example.com", password=PASSWORD)
    with session_scope() as s:
        s.exec(select(Session)).one().expires_at = utcnow() - timedelta(seconds=1)
    with pytest.raises(AuthenticationFailed, match="expired"):
        auth.authenticate(token)
    with session_scope() as s:
        assert s.exec(select(Session)).all() == []  # was rolled back with the exception


def test_every_sign_in_deletes_expired_sessions(db: Path) -> None:
    _user("admin@example.com")
    _user("member@example.com", "member")
    for _ in range(3):
        auth.login(email="member@example.com", password=PASSWORD)
    with session_scope() as s:
        for row in s.exec(select(Session)):
            row.expires_at = utcnow() - timedelta(hours=1)
    token, _ = auth.login(email="admin@example.com", password=PASSWORD)
    with session_scope() as s:
        assert [r.user_id for r in s.exec(select(Session))] == [1]
    assert auth.authenticate(token).user_id == 1


def test_change_password_guesses_back_off_and_are_audited(db: Path) -> None:
    _user("admin@example.com")
    token, _ = auth.login(email="admin@example.com", password=PASSWORD)
    actor = auth.authenticate(token)
    outcomes = []
    for _ in range(5):
        try:
            auth.change_own_password(actor, current=WRONG, new="new-s3cret-password")
        except (AuthenticationFailed, RateLimited) as exc:
            outcomes.append(type(exc))
    assert outcomes == [AuthenticationFailed] * 4 + [RateLimited]
    with pytest.raises(RateLimited, match="try again in"):  # the right one waits too
        auth.change_own_password(actor, current=PASSWORD, new="new-s3cret-password")
    reasons = [e.details["reason"] for e in _events("user.password_change_failed")]
    assert reasons == ["wrong"] * 4 + ["throttled", "throttled"]
    assert auth.authenticate(token).user_id == 1  # still signed in, password unchanged
    auth.login(email="admin@example.com", password=PASSWORD)


def test_a_viewer_cannot_mint_api_keys_but_an_admin_can_give_them_one(db: Path) -> None:
    admin = _user("admin@example.com")
    viewer = _user("viewer@example.com", "viewer")
    member = _user("member@example.com", "member")
    with pytest.raises(PermissionDenied, match="viewers cannot create API keys"):
        api_keys.create_api_key(viewer, user_id=viewer.user_id, name="mine")
    with pytest.raises(PermissionDenied):
        api_keys.create_api_key(member, user_id=viewer.user_id, name="theirs")
    api_keys.create_api_key(member, user_id=member.user_id, name="mine")
    key, row = api_keys.create_api_key(admin, user_id=viewer.user_id, name="status board")
    assert api_keys.authenticate_api_key(key).role == "viewer"
    with session_scope() as s:
        owners = sorted(k.user_id for k in s.exec(select(ApiKey)))
    assert owners == sorted([member.user_id, viewer.user_id])
