"""Using a stored connection from the backend: decrypt it, build its URL and auth, count use.

Actions (in the engine) and verification call these; services re-export them. A connection
whose credentials cannot be decrypted raises `SecretUnreadable` naming the connection — an
action never goes on with an empty credential.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import Session, select

from app.core.errors import InvalidInput, NotFound
from app.db.engine import session_scope
from app.db.models import Connection
from app.db.types import utcnow
from app.integrations.secrets import SecretUnreadable, decrypt_json

GITHUB_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}


@dataclass(frozen=True)
class ResolvedConnection:
    """A connection with its decrypted credentials; lives only in memory, never stored."""

    id: int
    name: str
    platform: str
    connection_type: str
    config: dict[str, Any]
    credentials: dict[str, str] = field(repr=False)

    def secret_values(self) -> list[str]:
        """Every value that must be masked wherever output is stored, logged or shown."""
        values = [v for v in self.credentials.values() if v]
        if self.connection_type == "basic":
            values.append(_basic_token(self.credentials))
        if hook := self.credentials.get("webhook_url"):
            values += _webhook_parts(hook)
        return values

    def base_url(self) -> str:
        """Where requests made with this connection go (a secret itself for webhooks)."""
        if self.platform in ("slack", "n8n", "zapier"):
            return self.credentials["webhook_url"]
        if self.platform == "telegram":
            return f"{self.config['api_base'].rstrip('/')}/bot{self.credentials['bot_token']}"
        if self.platform == "github":
            return self.config["api_base"]
        if self.platform == "http":
            return self.config["base_url"]
        raise InvalidInput(f"connection {self.name!r} ({self.platform}) is not an HTTP service")

    def auth_headers(self) -> dict[str, str]:
        """The headers that authenticate a request with this connection."""
        creds = self.credentials
        if self.platform == "github":
            return {"Authorization": f"Bearer {creds['token']}", **GITHUB_HEADERS}
        if self.platform != "http":
            return {}  # webhooks and Telegram carry their secret in the URL
        if self.connection_type == "api_key":
            return {self.config.get("header_name") or "X-API-Key": creds["api_key"]}
        if self.connection_type == "basic":
            return {"Authorization": f"Basic {_basic_token(creds)}"}
        return {"Authorization": f"Bearer {creds['token']}"}

    def url_for(self, url: str) -> str:
        """`url` joined to the base URL; an absolute `url` must lie under the base URL.

        Credentials go only where the connection points: an absolute URL elsewhere is refused.
        """
        return join_url(self.base_url(), url, connection=self.name)


def _webhook_parts(url: str) -> list[str]:
    """The unguessable parts of a webhook URL, which servers echo in errors (n8n does)."""
    path = urlsplit(url).path
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return [p for p in (path, last) if len(p) >= 8]


def _basic_token(creds: dict[str, str]) -> str:
    raw = f"{creds.get('username', '')}:{creds.get('password', '')}"
    return base64.b64encode(raw.encode()).decode()


def join_url(base: str, url: str, *, connection: str = "") -> str:
    """Append `url` (a path, `?query` or nothing) to `base`; absolute URLs must start with it."""
    if "://" in url:
        root = base.rstrip("/")
        if url in (base, root) or url.startswith((root + "/", root + "?")):
            return url
        raise InvalidInput(
            f"url: with connection {connection!r} give a path relative to the connection's "
            "base URL (credentials are only sent where the connection points)"
        )
    if url in ("", "/", "."):
        return base
    if url.startswith(("?", "#")):
        return base + url
    return base.rstrip("/") + "/" + url.lstrip("/")


def find_row(session: Session, ref: int | str) -> Connection:
    """A connection by id, or by name (a string of digits falls back to an id)."""
    row: Connection | None = None
    if isinstance(ref, int):
        row = session.get(Connection, ref)
    else:
        row = session.exec(select(Connection).where(Connection.name == ref)).first()
        if row is None and ref.strip().isdigit():
            row = session.get(Connection, int(ref))
    if row is None:
        raise NotFound(f"connection {ref!r} does not exist")
    return row


def decrypt_row(row: Connection) -> dict[str, str]:
    """The decrypted credentials of `row`; a clear `SecretUnreadable` naming it otherwise."""
    if not row.credentials_enc:
        return {}
    try:
        return {k: str(v) for k, v in decrypt_json(row.credentials_enc).items()}
    except SecretUnreadable as exc:
        raise SecretUnreadable(
            f"the credentials of connection {row.name!r} (id {row.id}) cannot be read: "
            f"{exc.message}. Configure the key they were stored with, or enter them again."
        ) from None


def resolved(row: Connection) -> ResolvedConnection:
    """`row` with its credentials decrypted (`SecretUnreadable` if they cannot be)."""
    return ResolvedConnection(
        id=row.id or 0,
        name=row.name,
        platform=row.platform,
        connection_type=row.connection_type,
        config=dict(row.config or {}),
        credentials=decrypt_row(row),
    )


def load_connection(ref: int | str) -> ResolvedConnection:
    """The connection `ref` (id or name) with decrypted credentials, for an action to use."""
    with session_scope() as session:
        return resolved(find_row(session, ref))


def resolve_credentials(ref: int | str) -> dict[str, str]:
    """Only the decrypted secret fields of connection `ref`."""
    return load_connection(ref).credentials


def record_use(connection_id: int) -> None:
    """Count one use of the connection by an action (atomic, no read-modify-write race)."""
    table = Connection.__table__
    with session_scope() as session:
        session.execute(
            sa.update(table)
            .where(table.c.id == connection_id)
            .values(usage_count=table.c.usage_count + 1, last_used_at=utcnow())
        )
