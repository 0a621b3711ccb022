"""Random tokens handed out once and stored only as hashes."""

from __future__ import annotations

import hashlib
import secrets


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """SHA-256 is enough here: the tokens are 256 random bits, not guessable passwords."""
    return hashlib.sha256(token.encode()).hexdigest()
