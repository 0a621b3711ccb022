"""API keys for the REST API: created per user, shown once, stored as a hash."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select

from app.core.errors import (
    AuthenticationFailed,
    NotFound,
    PermissionDenied,
    Problem,
    ValidationFailed,
)
from app.core.statuses import Role
from app.db.engine import session_scope
from app.db.models import ApiKey, User
from app.db.types import utcnow
from app.services import audit
from app.services.actor import Actor
from app.services.tokens import hash_token, new_token

KEY_PREFIX = "fdk_"
VISIBLE = 12  # "fdk_" plus 8 characters: enough to tell keys apart in a list


@dataclass(frozen=True)
class ApiKeyPublic:
    id: int
    user_id: int
    user_email: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _public(key: ApiKey, email: str) -> ApiKeyPublic:
    return ApiKeyPublic(
        id=key.id or 0,
        user_id=key.user_id,
        user_email=email,
        name=key.name,
        prefix=key.prefix,
        created_at=key.created_at,
        last_used_at=key.last_used_at,
        revoked_at=key.revoked_at,
    )


def create_api_key(actor: Actor, *, user_id: int, name: str) -> tuple[str, ApiKeyPublic]:
    """A new key for `user_id`: admins for anyone (viewers included), members for themselves.

    A viewer never mints a key: keys for viewers come only from an admin.
    """
    if actor.role == Role.VIEWER:
        raise PermissionDenied("viewers cannot create API keys; ask an admin for one")
    if actor.role != Role.ADMIN and actor.user_id != user_id:
        raise PermissionDenied("only admins create API keys for other users")
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ValidationFailed([Problem("name", "give the key a name (1-200 characters)")])
    key = new_token(KEY_PREFIX)
    with session_scope() as session:
        user = session.get(User, user_id)
        if user is None or not user.is_active:
            raise NotFound(f"active user {user_id} does not exist")
        row = ApiKey(user_id=user_id, name=name, prefix=key[:VISIBLE], key_hash=hash_token(key))
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            "api_key.created",
            target_type="api_key",
            target_id=row.id,
            details={"name": name, "prefix": row.prefix, "user": user.email},
        )
        return key, _public(row, user.email)


def list_api_keys(actor: Actor) -> list[ApiKeyPublic]:
    actor.require(Role.ADMIN, Role.MEMBER, Role.VIEWER)
    with session_scope() as session:
        query = select(ApiKey, User.email).join(User, User.id == ApiKey.user_id)
        if actor.role != Role.ADMIN:
            query = query.where(ApiKey.user_id == actor.user_id)
        rows = session.exec(query.order_by(ApiKey.created_at.desc()))  # type: ignore[union-attr]
        return [_public(key, email) for key, email in rows]


def revoke_api_key(actor: Actor, key_id: int) -> ApiKeyPublic:
    with session_scope() as session:
        key = session.get(ApiKey, key_id)
        if key is None:
            raise NotFound(f"API key {key_id} does not exist")
        if actor.role != Role.ADMIN and key.user_id != actor.user_id:
            raise PermissionDenied("only admins revoke other users' API keys")
        if key.revoked_at is None:
            key.revoked_at = utcnow()
            audit.record(
                session,
                actor,
                "api_key.revoked",
                target_type="api_key",
                target_id=key_id,
                details={"name": key.name, "prefix": key.prefix},
            )
        user = session.get(User, key.user_id)
        return _public(key, user.email if user else "")


def authenticate_api_key(
    key: str | None, *, ip: str | None = None, user_agent: str | None = None
) -> Actor:
    if not key:
        raise AuthenticationFailed("send an API key as 'Authorization: Bearer <key>'")
    with session_scope() as session:
        row = session.exec(
            select(ApiKey, User)
            .join(User, User.id == ApiKey.user_id)
            .where(ApiKey.key_hash == hash_token(key))
        ).first()
        if row is None:
            raise AuthenticationFailed("the API key is not valid")
        api_key, user = row
        if api_key.revoked_at is not None:
            raise AuthenticationFailed("the API key has been revoked")
        if not user.is_active:
            raise AuthenticationFailed("the API key's user is deactivated")
        now = utcnow()
        if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > 30:
            api_key.last_used_at = now
        return Actor(
            kind="api_key",
            user_id=user.id,
            email=user.email,
            role=Role(user.role),
            api_key_id=api_key.id,
            ip=ip,
            user_agent=user_agent,
        )
