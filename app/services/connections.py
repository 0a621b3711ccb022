"""Connection use cases shared by the UI and the REST API: create, change, list, verify.

Members and admins manage connections. Secrets are checked per platform
(`app.integrations.platforms`), stored only encrypted, and never returned, logged or
audited: the API and UI see `secret_hint` (`••••1234`). An update may leave `credentials`
out to keep them; a secret field set to "" or null is removed.

Actions use connections through `load_connection` / `resolve_credentials` and count their use
with `record_use` (they live in `app.integrations.credentials`, re-exported here, because the
engine may not import services).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlmodel import Session, select

from app.core.errors import Conflict, ValidationFailed
from app.db.engine import session_scope
from app.db.models import Connection
from app.db.portable import order_by
from app.db.types import utcnow
from app.integrations.credentials import (
    decrypt_row,
    find_row,
    load_connection,
    record_use,
    resolve_credentials,
    resolved,
)
from app.integrations.platforms import (
    ConnectionSpec,
    object_problems,
    parse_connection,
    snake_keys,
)
from app.integrations.secrets import SecretUnreadable, encrypt_json
from app.integrations.verify import VerifyResult, verify
from app.services import audit
from app.services.actor import Actor

__all__ = [
    "create_connection",
    "delete_connection",
    "get_connection",
    "list_connections",
    "load_connection",
    "record_use",
    "resolve_credentials",
    "to_public",
    "update_connection",
    "verify_connection",
]

log = logging.getLogger("flowdeck.connections")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def to_public(row: Connection) -> dict[str, Any]:
    """The connection as the API and UI show it: every secret masked."""
    return {
        "id": row.id,
        "name": row.name,
        "platform": row.platform,
        "connection_type": row.connection_type,
        "config": dict(row.config or {}),
        "has_credentials": bool(row.credentials_enc),
        "secret_hint": f"••••{row.secret_hint}" if row.credentials_enc else "",
        "status": row.status,
        "verified_at": _iso(row.verified_at),
        "verify_error": row.verify_error,
        "usage_count": row.usage_count,
        "last_used_at": _iso(row.last_used_at),
        "created_by": row.created_by,
        "created_at": _iso(row.created_at),
        "updated_at": _iso(row.updated_at),
    }


def _check_name_free(session: Session, name: str, own_id: int | None = None) -> None:
    taken = session.exec(select(Connection).where(Connection.name == name)).first()
    if taken is not None and taken.id != own_id:
        raise Conflict(f"a connection named {name!r} already exists (id {taken.id})")


def _apply(row: Connection, spec: ConnectionSpec) -> None:
    row.name, row.platform, row.connection_type = spec.name, spec.platform, spec.connection_type
    row.config = spec.config
    row.credentials_enc = encrypt_json(spec.credentials) if spec.credentials else None
    row.secret_hint = spec.secret_hint


def list_connections(
    actor: Actor, *, platform: str | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    """Every connection (secrets masked), by name; optionally one platform or status."""
    actor.require_member()
    query = select(Connection).order_by(
        *order_by(Connection.name, descending=False, text=True, tie=Connection.id)
    )
    if platform:
        query = query.where(Connection.platform == platform)
    if status:
        query = query.where(Connection.status == status)
    with session_scope() as session:
        return [to_public(row) for row in session.exec(query).all()]


def get_connection(actor: Actor, connection_id: int) -> dict[str, Any]:
    """One connection, secrets masked."""
    actor.require_member()
    with session_scope() as session:
        return to_public(find_row(session, connection_id))


def create_connection(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Check the body for its platform, encrypt the secrets, store, audit."""
    actor.require_member()
    spec = parse_connection(data)
    with session_scope() as session:
        _check_name_free(session, spec.name)
        row = Connection(created_by=actor.user_id)
        _apply(row, spec)
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            "connection.created",
            target_type="connection",
            target_id=row.id,
            details={"name": row.name, "platform": row.platform, "type": row.connection_type},
        )
        public = to_public(row)
    log.info("connection %s (%s) created by %s", public["id"], public["platform"], actor.label)
    return public


def _merged(row: Connection, data: dict[str, Any]) -> tuple[dict[str, Any], dict | None]:
    """The body laid over the stored connection, and the stored secrets (None if unreadable).

    Secrets are decrypted only to merge and compare; when the platform or type changes the
    old secret fields no longer apply and are dropped.
    """
    given = snake_keys(data)
    if not_objects := object_problems(given):
        raise ValidationFailed(not_objects)
    # Only a missing or null key keeps the stored value: "" is judged (and refused) as sent.
    platform = row.platform if given.get("platform") is None else given["platform"]
    conn_type = given.get("connection_type")
    if conn_type is None:
        conn_type = row.connection_type if platform == row.platform else None
    try:
        stored: dict[str, str] | None = decrypt_row(row)
    except SecretUnreadable:
        if "credentials" not in given and "webhook_url" not in given:
            raise
        stored = None
    same_kind = platform == row.platform and conn_type == row.connection_type
    credentials: dict[str, Any] = dict(stored or {}) if same_kind else {}
    credentials.update(snake_keys(given.get("credentials")))
    config = dict(row.config or {}) if platform == row.platform else {}
    config.update(snake_keys(given.get("config")))
    body = {
        "name": given.get("name") or row.name,
        "platform": platform,
        "connection_type": conn_type,
        "credentials": {k: v for k, v in credentials.items() if v not in (None, "")},
        "config": {k: v for k, v in config.items() if v is not None},
        "webhook_url": given.get("webhook_url"),
    }
    return body, stored


def update_connection(actor: Actor, connection_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Change a connection; omitted keys (and omitted credentials) keep their value.

    A change to anything but the name makes the connection `unverified` again.
    """
    actor.require_member()
    with session_scope() as session:
        row = find_row(session, connection_id)
        body, stored = _merged(row, data)
        spec = parse_connection(body)
        _check_name_free(session, spec.name, row.id)
        changed = [
            label
            for label, old, new in (
                ("name", row.name, spec.name),
                ("platform", row.platform, spec.platform),
                ("connection_type", row.connection_type, spec.connection_type),
                ("config", dict(row.config or {}), spec.config),
                ("credentials", stored, spec.credentials),
            )
            if old != new
        ]
        if not changed:
            return to_public(row)
        _apply(row, spec)
        if changed != ["name"]:
            row.status, row.verify_error, row.verified_at = "unverified", None, None
        row.updated_at = utcnow()
        session.add(row)
        audit.record(
            session,
            actor,
            "connection.updated",
            target_type="connection",
            target_id=row.id,
            details={"name": row.name, "changed": changed},
        )
        return to_public(row)


def delete_connection(actor: Actor, connection_id: int) -> None:
    """Delete a connection (audited); actions naming it then fail with a clear error."""
    actor.require_member()
    with session_scope() as session:
        row = find_row(session, connection_id)
        audit.record(
            session,
            actor,
            "connection.deleted",
            target_type="connection",
            target_id=row.id,
            details={"name": row.name, "platform": row.platform},
        )
        session.delete(row)


def _load_for_check(connection_id: int) -> Any:
    with session_scope() as session:
        row = find_row(session, connection_id)
        try:
            return resolved(row)
        except SecretUnreadable as exc:
            return VerifyResult(False, exc.message)


def _record_check(actor: Actor, connection_id: int, result: VerifyResult) -> dict[str, Any]:
    with session_scope() as session:
        row = find_row(session, connection_id)
        row.status = "verified" if result.ok else "failed"
        row.verify_error = None if result.ok else result.message
        if result.ok:
            row.verified_at = utcnow()
        session.add(row)
        audit.record(
            session,
            actor,
            "connection.verified",
            target_type="connection",
            target_id=row.id,
            details={"name": row.name, "status": row.status, "error": row.verify_error},
        )
        return to_public(row)


async def verify_connection(actor: Actor, connection_id: int) -> dict[str, Any]:
    """Run the platform's real check and record verified (with time) or failed (with error)."""
    actor.require_member()
    loaded = await asyncio.to_thread(_load_for_check, connection_id)
    result = loaded if isinstance(loaded, VerifyResult) else await verify(loaded)
    public = await asyncio.to_thread(_record_check, actor, connection_id, result)
    log.info("connection %s verification: %s", connection_id, public["status"])
    return {**public, "verification": result.as_dict()}
