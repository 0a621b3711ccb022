"""Bluesky sessions kept for reuse: a PDS allows few `createSession` calls per account (on
bsky.social 30 per 5 minutes, 300 a day), fewer than a busy share step may post.

A session (`accessJwt` and the account's DID) is kept in this process's memory only, never
stored, for `TTL_S` (access tokens live about two hours), keyed by the connection and a digest
of where and as whom it signs in, so that a changed password or service starts afresh. A PDS
that refuses a kept token (`ExpiredToken`, `InvalidToken`) gets a new session once.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from app.integrations.credentials import ResolvedConnection

TTL_S = 3600.0
REFUSED = ("ExpiredToken", "InvalidToken")


@dataclass(frozen=True)
class Session:
    access_jwt: str
    did: str
    until: float  # time.monotonic()


_KEPT: dict[tuple[int, str], Session] = {}


def _key(conn: ResolvedConnection) -> tuple[int, str]:
    who = "\n".join(
        (
            str(conn.config.get("service") or ""),
            str(conn.config.get("identifier") or ""),
            conn.credentials.get("app_password", ""),
        )
    )
    return conn.id, hashlib.sha256(who.encode()).hexdigest()


def kept(conn: ResolvedConnection) -> Session | None:
    """The session kept for `conn`, if it is still young enough."""
    session = _KEPT.get(_key(conn))
    return session if session is not None and session.until > time.monotonic() else None


def keep(conn: ResolvedConnection, access_jwt: str, did: str) -> Session:
    session = Session(access_jwt, did, time.monotonic() + TTL_S)
    _KEPT[_key(conn)] = session
    return session


def forget(conn: ResolvedConnection) -> None:
    _KEPT.pop(_key(conn), None)
