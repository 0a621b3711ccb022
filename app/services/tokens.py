"""Random tokens handed out once and stored only as hashes, and signed known-device tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

DEVICE_PREFIX = "fdd_"
_DEVICE = re.compile(r"^fdd_(\d{1,12})\.([A-Za-z0-9_-]{16,64})\.([A-Za-z0-9_-]{43})$")


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """SHA-256 is enough here: the tokens are 256 random bits, not guessable passwords."""
    return hashlib.sha256(token.encode()).hexdigest()


def _device_mac(key: str, user_id: int, nonce: str) -> str:
    secret = hashlib.sha256(b"flowdeck-known-device-v1:" + key.encode()).digest()
    mac = hmac.new(secret, f"{user_id}.{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def new_device_token(user_id: int, keys: tuple[str, ...]) -> str:
    """A token saying "this browser signed in to `user_id` before", signed with the newest key.

    It is stored nowhere: the signature proves Flowdeck issued it. It only spares its holder
    the per-account back-off that strangers meet; it signs no one in.
    """
    nonce = secrets.token_urlsafe(16)
    return f"{DEVICE_PREFIX}{user_id}.{nonce}.{_device_mac(keys[0], user_id, nonce)}"


def device_of(token: str | None, keys: tuple[str, ...]) -> tuple[int, str] | None:
    """(user id, device id) of a genuine device token (any of `keys` signed it), else None."""
    match = _DEVICE.match(token or "") if token and len(token) < 200 else None
    if match is None:
        return None
    user_id, nonce, mac = int(match[1]), match[2], match[3]
    if any(hmac.compare_digest(mac, _device_mac(key, user_id, nonce)) for key in keys):
        return user_id, nonce
    return None


def cookie_value(header: str | None, name: str) -> str:
    """The value of cookie `name` in a `Cookie:` request header ("" when absent)."""
    for part in (header or "").split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == name:
            return value.strip().strip('"')
    return ""
