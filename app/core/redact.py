"""Masking of secrets before anything is stored, logged or shown.

Used for audit details, stored step input/output and what the UI displays; never for the
data handed to the next step of a run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

REDACTED = "[redacted]"
_SECRET_KEY = re.compile(
    r"(pass(word|wd)?|secret|token|api[-_]?key|authorization|cookie|credential|private[-_]?key"
    r"|x-api-key|set-cookie|signature)",
    re.IGNORECASE,
)


def is_secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key))


def mask(secret: str | None, visible: int = 4) -> str:
    """`••••1234` style: enough to recognise a secret, never enough to use it."""
    if not secret:
        return ""
    tail = secret[-visible:] if len(secret) > visible * 3 else ""
    return "••••" + tail


def redact(value: Any, secrets: Iterable[str] = ()) -> Any:
    """A copy of `value` with secret-named keys and every known secret value masked."""
    known = [s for s in secrets if s and len(s) >= 4]
    return _redact(value, known)


def _redact(value: Any, known: list[str]) -> Any:
    if isinstance(value, dict):
        return {
            k: (REDACTED if isinstance(k, str) and is_secret_key(k) and v else _redact(v, known))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redact(v, known) for v in value]
    if isinstance(value, str) and known:
        for secret in known:
            if secret in value:
                value = value.replace(secret, REDACTED)
    return value
