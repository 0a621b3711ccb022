"""Secrets at rest: Fernet through MultiFernet, keys from settings, newest first.

Ciphertext carries a version prefix (`v1:`) so that a later format can live beside it.
A tampered or foreign ciphertext raises `SecretUnreadable`, never returns garbage.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from app.core.errors import FlowdeckError
from app.db.settings import get_settings

PREFIX = "v1:"


class SecretUnreadable(FlowdeckError):
    """A stored secret cannot be read: wrong or missing key, foreign format, or tampering."""

    code = "secret_unreadable"
    status = 500


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def _current() -> MultiFernet:
    return _fernet(get_settings().secret_keys)


def encrypt(plaintext: str) -> str:
    """Fernet ciphertext of `plaintext` under the newest key, with the version prefix."""
    return PREFIX + _current().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    """The plaintext of `ciphertext`, read with any configured key; `SecretUnreadable` if none."""
    if not ciphertext.startswith(PREFIX):
        raise SecretUnreadable("stored secret has an unknown format")
    try:
        return _current().decrypt(ciphertext[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "a stored secret cannot be decrypted with the configured FLOWDECK_SECRET_KEYS "
            "(wrong key, or the data was tampered with)"
        ) from None


def rotate(ciphertext: str) -> str:
    """Re-encrypt under the newest key (the old keys must still be configured)."""
    if not ciphertext.startswith(PREFIX):
        raise SecretUnreadable("stored secret has an unknown format")
    try:
        return PREFIX + _current().rotate(ciphertext[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("a stored secret cannot be decrypted for rotation") from None


def encrypt_json(data: dict[str, Any]) -> str:
    """Encrypt a small JSON object (a connection's secret fields) as one ciphertext."""
    return encrypt(json.dumps(data, separators=(",", ":"), sort_keys=True))


def decrypt_json(ciphertext: str) -> dict[str, Any]:
    """The JSON object stored by `encrypt_json`; `SecretUnreadable` if it cannot be read."""
    try:
        data = json.loads(decrypt(ciphertext))
    except ValueError:
        raise SecretUnreadable("a stored secret decrypted to something that is not JSON") from None
    if not isinstance(data, dict):
        raise SecretUnreadable("a stored secret decrypted to something that is not an object")
    return data
