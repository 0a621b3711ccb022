"""Keeping an X connection signed in: OAuth 2.0 user access tokens live two hours.

With the `offline.access` scope X also hands out a refresh token. When X refuses the access
token (401) and the connection has a refresh token and the app's client id, the token is
refreshed: `POST /2/oauth2/token` (form `grant_type=refresh_token`, `refresh_token`,
`client_id`; a confidential client adds HTTP Basic `client_id:client_secret`) answers
`{"access_token", "refresh_token", "expires_in", …}` or 400 `{"error", "error_description"}`.

X's refresh tokens are single-use: each refresh returns the next one, which is stored
(encrypted) in the connection at once. So that two posts refreshing together do not spend the
same refresh token, one refresh runs at a time per connection, and a post that waited reads
the connection again: the other may already have refreshed it.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import httpx

from app.core.errors import FlowdeckError
from app.db.engine import session_scope
from app.db.models import Connection
from app.db.types import utcnow
from app.integrations.credentials import ResolvedConnection, load_connection
from app.integrations.secrets import encrypt_json
from app.integrations.social._http import json_of

_LOCKS: dict[tuple[int, int], asyncio.Lock] = {}


def can_refresh(conn: ResolvedConnection) -> bool:
    """Whether `conn` has what a refresh needs (a refresh token and the client id)."""
    return bool(conn.credentials.get("refresh_token") and conn.config.get("client_id"))


def _lock(conn_id: int) -> asyncio.Lock:
    key = (id(asyncio.get_running_loop()), conn_id)  # a lock belongs to one event loop
    return _LOCKS.setdefault(key, asyncio.Lock())


def store_credentials(connection_id: int, credentials: dict[str, str]) -> None:
    """Replace the stored (encrypted) credentials of a connection after a refresh."""
    with session_scope() as session:
        row = session.get(Connection, connection_id)
        if row is None:
            return
        row.credentials_enc = encrypt_json(credentials)
        token = credentials.get("access_token", "")
        row.secret_hint = token[-4:] if len(token) >= 12 else ""
        row.updated_at = utcnow()
        session.add(row)


async def refreshed(
    client: httpx.AsyncClient, conn: ResolvedConnection, token_url: str
) -> ResolvedConnection | str:
    """`conn` with a new access token (stored), or why it could not be refreshed."""
    async with _lock(conn.id):
        try:
            current = await asyncio.to_thread(load_connection, conn.id)
        except FlowdeckError as exc:  # deleted meanwhile, or credentials unreadable
            return f"refreshing the token failed ({exc.message})"
        if current.credentials.get("access_token") != conn.credentials.get("access_token"):
            return current  # refreshed by another post while this one waited
        creds = current.credentials
        client_id = str(current.config.get("client_id") or "")
        secret = creds.get("client_secret")
        response = await client.post(
            token_url,
            data={
                "grant_type": "refresh_token",
                "refresh_token": creds.get("refresh_token", ""),
                "client_id": client_id,
            },
            auth=(client_id, secret) if secret else None,
        )
        data = json_of(response)
        token = data.get("access_token")
        if response.status_code != 200 or not isinstance(token, str) or not token:
            why = ": ".join(str(data[k]) for k in ("error", "error_description") if data.get(k))
            return f"refreshing the token failed ({response.status_code} {why or 'no token'})"
        new = {**creds, "access_token": token}
        if isinstance(data.get("refresh_token"), str) and data["refresh_token"]:
            new["refresh_token"] = data["refresh_token"]
        await asyncio.to_thread(store_credentials, conn.id, new)
        return replace(current, credentials=new)
