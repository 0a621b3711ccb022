"""Masking of secrets before anything is stored, logged or shown.

Used for audit details, stored step input/output and what the UI displays; never for the
data handed to the next step of a run. Two ways: by key name (`password`, `token`, …) and by
value: every secret value an execution knows (`SecretValues`: connection credentials its steps
loaded, the workflow's webhook secret, secret FLOWDECK_ENV_* values) is replaced wherever it
appears, however the data got there (a server echoing a header back, a later step copying it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
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


MIN_SECRET_CHARS = 4  # shorter values would mask ordinary text everywhere


class SecretValues:
    """The secret values one execution knows; grows as its steps load credentials.

    Actions add to it (`step.secrets.extend(connection.secret_values())`); everything the
    engine stores or publishes for the execution is masked with it.
    """

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: list[str] = []
        self.extend(values)

    def append(self, value: str) -> None:
        if isinstance(value, str) and len(value) >= MIN_SECRET_CHARS and value not in self:
            self._values.append(value)

    def extend(self, values: Iterable[str]) -> None:
        for value in values:
            self.append(value)

    def __contains__(self, value: object) -> bool:
        return value in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self.snapshot())

    def __len__(self) -> int:
        return len(self._values)

    def snapshot(self) -> tuple[str, ...]:
        """The values now, for another thread to use while this one keeps growing."""
        return tuple(self._values)


def redact(value: Any, secrets: Iterable[str] = ()) -> Any:
    """A copy of `value` with secret-named keys and every known secret value masked."""
    known = sorted({s for s in secrets if s and len(s) >= MIN_SECRET_CHARS}, key=len, reverse=True)
    return _redact(value, known)


def _redact(value: Any, known: list[str]) -> Any:
    if isinstance(value, dict):
        return {
            _redact(k, known): (
                REDACTED if isinstance(k, str) and is_secret_key(k) and v else _redact(v, known)
            )
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redact(v, known) for v in value]
    if isinstance(value, str) and known:
        for secret in known:
            if secret in value:
                value = value.replace(secret, REDACTED)
    return value
