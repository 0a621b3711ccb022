"""HMAC signatures for inbound webhooks: GitHub's scheme and Flowdeck's own.

GitHub signs the raw body (`X-Hub-Signature-256: sha256=<hex>`). Flowdeck's scheme also signs a
timestamp (`t=<unix>,v1=<hex>` over `"<t>." + body`, like Stripe) so that a captured request
cannot be replayed later. Comparisons are constant-time.
"""

from __future__ import annotations

import hashlib
import hmac

DEFAULT_TOLERANCE_S = 300


def _key(secret: bytes | str) -> bytes:
    return secret.encode() if isinstance(secret, str) else secret


def _same(expected: str, given: str) -> bool:
    # Compare bytes: compare_digest raises TypeError on non-ASCII str from a hostile header.
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))


def github_signature(secret: bytes | str, body: bytes) -> str:
    """GitHub's `X-Hub-Signature-256` value for `body`: `sha256=<hex>`."""
    return "sha256=" + hmac.new(_key(secret), body, hashlib.sha256).hexdigest()


def verify_github(secret: bytes | str, body: bytes, header: str | None) -> bool:
    """Whether `header` is GitHub's signature of `body` with `secret`."""
    if not header:
        return False
    return _same(github_signature(secret, body), header.strip())


def flowdeck_signature(secret: bytes | str, timestamp: int, body: bytes) -> str:
    """The `X-Flowdeck-Signature` value: `t=<timestamp>,v1=<hex hmac of "<t>." + body>`."""
    digest = hmac.new(_key(secret), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_flowdeck(
    secret: bytes | str,
    body: bytes,
    header: str | None,
    now: float,
    tolerance: float = DEFAULT_TOLERANCE_S,
) -> bool:
    """Whether `header` signs `body` with `secret` at a time within `tolerance` s of `now`.

    Timestamps too far in the past (replays) and in the future (forged or skewed clocks) are
    both refused. Several `v1=` entries are allowed so a sender can sign with an old and a new
    secret while keys rotate.
    """
    if not header:
        return False
    timestamp: int | None = None
    candidates: list[str] = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isascii() and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates or abs(now - timestamp) > tolerance:
        return False
    expected = flowdeck_signature(secret, timestamp, body).partition(",v1=")[2]
    # Check every candidate so the time taken does not reveal which one matched.
    return any([_same(expected, candidate) for candidate in candidates])


def signed_token(secret: bytes | str, purpose: str, value: str) -> str:
    """`<value>.<hmac>`: a token naming `value` for one `purpose` (a resume URL, a link).

    The purpose is part of what is signed, so a token made for one use is refused by another.
    """
    digest = hmac.new(_key(secret), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()
    return f"{value}.{digest[:40]}"


def token_value(secrets: tuple[bytes | str, ...], purpose: str, token: str) -> str | None:
    """The value a token made by `signed_token` names, or None if no secret signed it."""
    value, dot, _ = token.rpartition(".")
    if not dot or not value or len(token) > 512:
        return None
    for secret in secrets:
        if _same(signed_token(secret, purpose, value), token):
            return value
    return None
