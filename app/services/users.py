"""Managing user accounts (admins only)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from app.core.errors import Conflict, InvalidInput, NotFound, Problem, ValidationFailed
from app.core.statuses import Role
from app.db.engine import session_scope
from app.db.models import User
from app.db.settings import get_settings
from app.db.types import utcnow
from app.services import audit
from app.services.actor import Actor
from app.services.passwords import check_password_rules, hash_password

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class UserPublic:
    id: int
    email: str
    name: str
    role: str
    is_active: bool
    last_login_at: datetime | None
    created_at: datetime
    locked: bool

    @classmethod
    def of(cls, user: User) -> UserPublic:
        return cls(
            id=user.id or 0,
            email=user.email,
            name=user.name,
            role=user.role,
            is_active=user.is_active,
            last_login_at=user.last_login_at,
            created_at=user.created_at,
            locked=bool(user.locked_until and user.locked_until > utcnow()),
        )


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def validate_new_user(*, email: str, name: str, role: str, password: str) -> None:
    problems: list[Problem] = []
    if not _EMAIL.match(email) or len(email) > 320:
        problems.append(Problem("email", "enter a valid email address"))
    if len(name.strip()) > 200:
        problems.append(Problem("name", "must be at most 200 characters"))
    if role not in {r.value for r in Role}:
        problems.append(Problem("role", "must be admin, member or viewer"))
    try:
        check_password_rules(password, get_settings().min_password_length)
    except ValidationFailed as exc:
        problems.extend(exc.problems)
    if problems:
        raise ValidationFailed(problems)


def list_users(actor: Actor) -> list[UserPublic]:
    actor.require_admin()
    with session_scope() as session:
        return [UserPublic.of(u) for u in session.exec(select(User).order_by(User.email))]


def emails_by_id(actor: Actor, user_ids: Iterable[int | None]) -> dict[int, str]:
    """Emails of the given users, to say who made each version in a history.

    Members read histories too, so this needs the member role, not admin; it names only the
    ids asked for (the authors on screen), never lists accounts.
    """
    actor.require_member()
    wanted = sorted({i for i in user_ids if i is not None})
    if not wanted:
        return {}
    query = select(User.id, User.email).where(User.id.in_(wanted))  # type: ignore[union-attr]
    with session_scope() as session:
        return {uid: email for uid, email in session.exec(query).all() if uid is not None}


def alert_recipients(actor: Actor) -> list[tuple[int, str]]:
    """(id, "Name <email>") of the users an in-app alert can go to, for the alert form.

    Active admins and members: viewers see only /status, never the bell. Members configure
    alerts, so this needs the member role.
    """
    actor.require_member()
    query = select(User.id, User.name, User.email).where(
        col(User.is_active).is_(True), col(User.role).in_([Role.ADMIN.value, Role.MEMBER.value])
    )
    with session_scope() as session:
        rows = session.exec(query.order_by(User.email)).all()
    return [(uid, f"{name} <{email}>" if name else email) for uid, name, email in rows if uid]


def create_user(
    actor: Actor, *, email: str, name: str = "", role: str, password: str
) -> UserPublic:
    actor.require_admin()
    email = normalize_email(email)
    validate_new_user(email=email, name=name, role=role, password=password)
    with session_scope() as session:
        if session.exec(select(User).where(User.email == email)).first():
            raise ValidationFailed([Problem("email", "a user with this email already exists")])
        user = User(
            email=email, name=name.strip(), role=role, password_hash=hash_password(password)
        )
        session.add(user)
        session.flush()
        audit.record(
            session,
            actor,
            "user.created",
            target_type="user",
            target_id=user.id,
            details={"email": email, "role": role},
        )
        return UserPublic.of(user)


def _get(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist")
    return user


def _other_active_admins(session: Session, user_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN, User.is_active, User.id != user_id)
    ).one()


def change_role(actor: Actor, user_id: int, role: str) -> UserPublic:
    from app.services.auth import end_sessions

    actor.require_admin()
    if role not in {r.value for r in Role}:
        raise ValidationFailed([Problem("role", "must be admin, member or viewer")])
    with session_scope() as session:
        user = _get(session, user_id)
        if user.role == role:
            return UserPublic.of(user)
        if user.role == Role.ADMIN and not _other_active_admins(session, user_id):
            raise Conflict("the last active admin cannot lose the admin role")
        old, user.role, user.updated_at = user.role, role, utcnow()
        end_sessions(session, user_id)
        audit.record(
            session,
            actor,
            "user.role_changed",
            target_type="user",
            target_id=user_id,
            details={"email": user.email, "from": old, "to": role},
        )
        return UserPublic.of(user)


def set_active(actor: Actor, user_id: int, active: bool) -> UserPublic:
    from app.services.auth import end_sessions

    actor.require_admin()
    with session_scope() as session:
        user = _get(session, user_id)
        if not active and user.id == actor.user_id:
            raise InvalidInput("you cannot deactivate your own account")
        if not active and user.role == Role.ADMIN and not _other_active_admins(session, user_id):
            raise Conflict("the last active admin cannot be deactivated")
        if user.is_active == active:
            return UserPublic.of(user)
        user.is_active, user.updated_at = active, utcnow()
        if not active:
            end_sessions(session, user_id)
        else:
            user.failed_logins, user.locked_until = 0, None
        audit.record(
            session,
            actor,
            "user.activated" if active else "user.deactivated",
            target_type="user",
            target_id=user_id,
            details={"email": user.email},
        )
        return UserPublic.of(user)


def reset_password(actor: Actor, user_id: int, password: str) -> UserPublic:
    from app.services.auth import end_sessions

    actor.require_admin()
    check_password_rules(password, get_settings().min_password_length)
    with session_scope() as session:
        user = _get(session, user_id)
        user.password_hash = hash_password(password)
        user.failed_logins, user.locked_until, user.updated_at = 0, None, utcnow()
        end_sessions(session, user_id)
        audit.record(
            session,
            actor,
            "user.password_reset",
            target_type="user",
            target_id=user_id,
            details={"email": user.email},
        )
        return UserPublic.of(user)


def unlock_user(actor: Actor, user_id: int) -> UserPublic:
    """Clear the account's sign-in back-off (strangers' failed attempts), audited."""
    actor.require_admin()
    with session_scope() as session:
        user = _get(session, user_id)
        failures, user.failed_logins, user.locked_until = user.failed_logins, 0, None
        audit.record(
            session,
            actor,
            "user.unlocked",
            target_type="user",
            target_id=user_id,
            details={"email": user.email, "failed_logins": failures},
        )
        return UserPublic.of(user)


def user_id_by_email(actor: Actor, email: str) -> int:
    actor.require_admin()
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == normalize_email(email))).first()
        if user is None or user.id is None:
            raise NotFound(f"no user with email {email!r}")
        return user.id
