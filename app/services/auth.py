"""Signing in and out: first-admin setup, login with lockout, server-side sessions."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, func, select

from app.core.errors import AuthenticationFailed, Conflict, RateLimited
from app.core.statuses import Role
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
from app.services.tokens import hash_token, new_token
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


def login(
    *, email: str, password: str, ip: str | None = None, user_agent: str | None = None
) -> tuple[str, User]:
    """Check the password and open a session; returns the token (shown once) and the user."""
    settings = get_settings()
    email = normalize_email(email)
    now = utcnow()
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == email)).first()
        if user is not None and user.locked_until and user.locked_until > now:
            audit.record(
                session,
                None,
                "auth.login_failed",
                target_type="user",
                target_id=user.id,
                details={"email": email, "reason": "locked"},
                ip=ip,
                user_agent=user_agent,
            )
            minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
            raise RateLimited(
                f"too many failed sign-ins: this account is locked for {minutes} more minute(s)"
            )
        ok = verify_password(user.password_hash if user else None, password)
        if not ok or user is None or not user.is_active:
            reason = (
                "unknown email" if user is None else ("deactivated" if ok else "wrong password")
            )
            if user is not None and not ok:
                user.failed_logins += 1
                if user.failed_logins >= settings.login_max_failures:
                    user.locked_until = now + timedelta(minutes=settings.login_lock_minutes)
                    user.failed_logins = 0
            audit.record(
                session,
                None,
                "auth.login_failed",
                target_type="user",
                target_id=user.id if user else None,
                details={"email": email, "reason": reason},
                ip=ip,
                user_agent=user_agent,
            )
            session.commit()
            raise AuthenticationFailed(
                "this account is deactivated" if reason == "deactivated" else LOGIN_FAILED
            )
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.failed_logins = 0
        user.locked_until = None
        user.last_login_at = now
        token = new_token("fds_")
        session.add(
            UserSession(
                user_id=user.id,
                token_hash=hash_token(token),
                created_at=now,
                expires_at=now + timedelta(hours=settings.session_ttl_hours),
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
        )
        return token, user


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
        if user_session.expires_at <= now or not user.is_active:
            session.delete(user_session)
            raise AuthenticationFailed("your session has expired; sign in again")
        if (now - user_session.last_used_at).total_seconds() > 60:
            user_session.last_used_at = now
        return actor_for(user, ip=user_session.ip, user_agent=user_session.user_agent)


def logout(token: str | None) -> None:
    if not token:
        return
    with session_scope() as session:
        row = session.exec(
            select(UserSession).where(UserSession.token_hash == hash_token(token))
        ).first()
        if row is None:
            return
        user = session.get(User, row.user_id)
        session.delete(row)
        if user is not None:
            audit.record(
                session, actor_for(user), "auth.logout", target_type="user", target_id=user.id
            )


def end_sessions(session: Session, user_id: int) -> None:
    """Sign a user out everywhere (password change, role change, deactivation)."""
    for row in session.exec(select(UserSession).where(UserSession.user_id == user_id)):
        session.delete(row)


def change_own_password(actor: Actor, *, current: str, new: str) -> None:
    check_password_rules(new, get_settings().min_password_length, field="new_password")
    with session_scope() as session:
        user = session.get(User, actor.user_id)
        if user is None or not verify_password(user.password_hash, current):
            raise AuthenticationFailed("the current password is wrong")
        user.password_hash = hash_password(new)
        user.updated_at = utcnow()
        end_sessions(session, user.id)
        audit.record(session, actor, "user.password_changed", target_type="user", target_id=user.id)
