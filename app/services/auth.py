"""Signing in and out: first-admin setup, sign-in with back-off, server-side sessions.

Failed sign-ins slow down in three places (rules in `app.core.throttle`):
- per client address (in memory): floods and credential stuffing from one place;
- per account, for strangers (stored on the user row): guessing one person's password;
- per known device (in memory): a browser that signed in to the account before carries a
  signed device token and is spared the per-account back-off, so strangers cannot lock the
  real person (the admin included) out. `flowdeck unlock-user` clears an account's back-off.
Refused attempts are audited in a transaction of their own that commits before the error.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, func, select

from app.core.errors import AuthenticationFailed, Conflict, FlowdeckError, RateLimited
from app.core.statuses import Role
from app.core.throttle import Failures, after_failure, retry_after, wait_text, whole_seconds
from app.db.engine import session_scope
from app.db.models import Session as UserSession
from app.db.models import User
from app.db.settings import get_settings
from app.db.types import utcnow
from app.services import audit
from app.services.actor import Actor
from app.services.passwords import (
    check_password_rules,
    hash_password,
    needs_rehash,
    verify_password,
)
from app.services.throttle import ACCOUNT_POLICY, CLIENTS, DEVICES, PASSWORDS
from app.services.tokens import device_of, hash_token, new_token
from app.services.users import normalize_email, validate_new_user

LOGIN_FAILED = "email or password is wrong"


def actor_for(user: User, *, ip: str | None = None, user_agent: str | None = None) -> Actor:
    return Actor(
        kind="user",
        user_id=user.id,
        email=user.email,
        role=Role(user.role),
        ip=ip,
        user_agent=user_agent,
    )


def needs_setup() -> bool:
    """True while no user exists: `/setup` may create the first admin."""
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(User)).one() == 0


def setup_first_admin(*, email: str, name: str, password: str, ip: str | None = None) -> User:
    """Create the first admin; refused once any user exists."""
    email = normalize_email(email)
    validate_new_user(email=email, name=name, role="admin", password=password)
    with session_scope() as session:
        if session.exec(select(func.count()).select_from(User)).one():
            raise Conflict("setup is already done; sign in instead")
        user = User(
            email=email, name=name.strip(), role=Role.ADMIN, password_hash=hash_password(password)
        )
        session.add(user)
        session.flush()
        audit.record(
            session,
            actor_for(user, ip=ip),
            "user.created",
            target_type="user",
            target_id=user.id,
            details={"email": email, "role": "admin", "via": "setup"},
        )
        return user


# --- the per-account back-off, stored as (failed_logins, locked_until) on the user ---------


def account_failures(user: User) -> Failures:
    """The user's failure history; `locked_until` is the last failure plus its wait."""
    if not user.failed_logins or user.locked_until is None:
        return Failures()
    wait = ACCOUNT_POLICY.wait_after(user.failed_logins)
    return Failures(user.failed_logins, user.locked_until.timestamp() - wait)


def _store_account_failures(user: User, history: Failures) -> None:
    last = history.last_at or 0.0
    user.failed_logins = history.count
    user.locked_until = datetime.fromtimestamp(last + ACCOUNT_POLICY.wait_after(history.count), UTC)


def too_many(wait: float) -> RateLimited:
    return RateLimited(
        f"too many attempts; try again in {wait_text(wait)}",
        details={"retry_after": whole_seconds(wait)},
    )


def _login_wait(user: User | None, ip: str | None, device_id: str | None, now: float) -> float:
    if device_id is not None:  # a browser that signed in to this account before
        return DEVICES.wait(device_id)
    waits = [CLIENTS.wait(ip) if ip else 0.0]
    if user is not None:
        waits.append(retry_after(account_failures(user), now, ACCOUNT_POLICY))
    return max(waits)


def _count_failure(user: User | None, ip: str | None, device_id: str | None, now: float) -> None:
    if device_id is not None:
        DEVICES.failed(device_id)
        return
    if ip:
        CLIENTS.failed(ip)
    if user is not None:
        _store_account_failures(user, after_failure(account_failures(user), now, ACCOUNT_POLICY))


def login(
    *,
    email: str,
    password: str,
    ip: str | None = None,
    user_agent: str | None = None,
    device: str | None = None,
) -> tuple[str, User]:
    """Check the password and open a session; returns the token (shown once) and the user.

    `device` is the browser's device token, if it has one. Raises `RateLimited` (details
    `retry_after`, whole seconds) while a back-off applies, `AuthenticationFailed` otherwise.
    """
    email = normalize_email(email)
    now = utcnow()
    refusal: FlowdeckError | None = None
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == email)).first()
        known = device_of(device, get_settings().secret_keys) if user is not None else None
        device_id = known[1] if known is not None and known[0] == user.id else None
        wait = _login_wait(user, ip, device_id, now.timestamp())
        if wait > 0:
            refusal, reason = too_many(wait), "throttled"
        elif not (ok := verify_password(user.password_hash if user else None, password)):
            _count_failure(user, ip, device_id, now.timestamp())
            refusal, reason = AuthenticationFailed(LOGIN_FAILED), "wrong password"
            reason = "unknown email" if user is None else reason
        elif user is None or not user.is_active:
            refusal, reason = AuthenticationFailed("this account is deactivated"), "deactivated"
        if refusal is not None:
            details = {"email": email, "reason": reason, "known_device": device_id is not None}
            if isinstance(refusal, RateLimited):
                details["retry_after"] = whole_seconds(wait)
            audit.record(
                session,
                None,
                "auth.login_failed",
                target_type="user",
                target_id=user.id if user else None,
                details=details,
                ip=ip,
                user_agent=user_agent,
            )
        else:
            assert user is not None and ok
            token = _open_session(session, user, password, now, ip, user_agent, device_id)
    if refusal is not None:
        raise refusal  # after the block: the audit row and the counters are committed
    return token, user


def _open_session(
    session: Session,
    user: User,
    password: str,
    now: datetime,
    ip: str | None,
    user_agent: str | None,
    device_id: str | None,
) -> str:
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if device_id is not None:
        DEVICES.clear(device_id)
    else:  # a stranger who knows the password: the account's back-off starts over
        user.failed_logins, user.locked_until = 0, None
    user.last_login_at = now
    purge_expired_sessions(session, now)
    token = new_token("fds_")
    session.add(
        UserSession(
            user_id=user.id,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + timedelta(hours=get_settings().session_ttl_hours),
            last_used_at=now,
            ip=(ip or "")[:64],
            user_agent=(user_agent or "")[:300],
        )
    )
    audit.record(
        session,
        actor_for(user, ip=ip, user_agent=user_agent),
        "auth.login",
        target_type="user",
        target_id=user.id,
        details={"known_device": device_id is not None},
    )
    return token


def purge_expired_sessions(session: Session, now: datetime | None = None) -> int:
    """Delete every expired session (every sign-in does this); returns how many."""
    table = UserSession.__table__  # type: ignore[attr-defined]
    result = session.connection().execute(
        sa.delete(table).where(table.c.expires_at <= (now or utcnow()))
    )
    return int(result.rowcount or 0)


def authenticate(token: str | None) -> Actor:
    """The actor behind a session token; raises AuthenticationFailed when it is not valid."""
    if not token:
        raise AuthenticationFailed("sign in first")
    now = utcnow()
    with session_scope() as session:
        row = session.exec(
            select(UserSession, User)
            .join(User, User.id == UserSession.user_id)
            .where(UserSession.token_hash == hash_token(token))
        ).first()
        if row is None:
            raise AuthenticationFailed("your session is not valid; sign in again")
        user_session, user = row
        ended = user_session.expires_at <= now or not user.is_active
        if ended:
            session.delete(user_session)  # committed when the block ends, before the raise
        elif (now - user_session.last_used_at).total_seconds() > 60:
            user_session.last_used_at = now
    if ended:
        raise AuthenticationFailed("your session has expired; sign in again")
    return actor_for(user, ip=user_session.ip, user_agent=user_session.user_agent)


def logout(token: str | None) -> bool:
    """End the session of `token`; False when there was none to end."""
    if not token:
        return False
    with session_scope() as session:
        row = session.exec(
            select(UserSession).where(UserSession.token_hash == hash_token(token))
        ).first()
        if row is None:
            return False
        user = session.get(User, row.user_id)
        session.delete(row)
        if user is not None:
            audit.record(
                session, actor_for(user), "auth.logout", target_type="user", target_id=user.id
            )
        return True


def end_sessions(session: Session, user_id: int) -> None:
    """Sign a user out everywhere (password change, role change, deactivation)."""
    for row in session.exec(select(UserSession).where(UserSession.user_id == user_id)):
        session.delete(row)


def _password_key(user: User) -> str:
    """Guesses are counted against this very password: a new password starts afresh."""
    return f"{user.id}:{hash_token(user.password_hash)[:16]}"


def change_own_password(actor: Actor, *, current: str, new: str) -> None:
    """Change the actor's password; wrong guesses of the current one back off like sign-in."""
    check_password_rules(new, get_settings().min_password_length, field="new_password")
    refusal: FlowdeckError | None = None
    with session_scope() as session:
        user = session.get(User, actor.user_id)
        if user is None:
            raise AuthenticationFailed("sign in first")
        key = _password_key(user)
        if (wait := PASSWORDS.wait(key)) > 0:
            refusal, reason = too_many(wait), "throttled"
        elif not verify_password(user.password_hash, current):
            PASSWORDS.failed(key)
            refusal, reason = AuthenticationFailed("the current password is wrong"), "wrong"
        if refusal is not None:
            audit.record(
                session,
                actor,
                "user.password_change_failed",
                target_type="user",
                target_id=user.id,
                details={"reason": reason},
            )
        else:
            PASSWORDS.clear(key)
            user.password_hash = hash_password(new)
            user.updated_at = utcnow()
            end_sessions(session, user.id)
            audit.record(
                session, actor, "user.password_changed", target_type="user", target_id=user.id
            )
    if refusal is not None:
        raise refusal
