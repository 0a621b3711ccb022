"""What of a step's data is kept: secrets masked, then capped to a size. Pure.

A run hands every step's full output to the next step in memory; what is *stored* (step input,
output, error, attempt errors, the execution's error) is capped so that one run cannot fill
the database and an execution page or `GET /api/executions/{id}` stays small. The limit is
`FLOWDECK_MAX_STEP_DATA_BYTES` (1 MiB by default), measured as the UTF-8 bytes of the value's
JSON text, the form it is stored in.

What a capped value looks like (always plain JSON, and always visibly cut):

- text: its first part, then a suffix saying how big it was, e.g.
  `"aaaa… [truncated: 5.2 MB, showing the first 1 MiB]"`;
- anything else (an object, a list): the marker object
  `{"_truncated": true, "original_bytes": 5452595, "preview": "{\"body\": \"aaaa…"}`,
  whose `preview` is the start of the value's JSON text.

Either way the stored JSON stays within the limit (the suffix or marker is counted in it), so
capping twice changes nothing. Secrets are masked *before* capping, so a secret cut in half at
the end of a preview is never kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from app.core.redact import redact

MARKER_OVERHEAD = 200  # bytes kept free for the marker's keys around a preview
ERROR_CHARS = 5_000  # the error columns are VARCHAR(5000)
TRUNCATED_KEY = "_truncated"


def json_size(value: Any) -> int:
    """Bytes of `value` stored as JSON (as the database's JSON columns write it)."""
    return len(json.dumps(value, default=str).encode())


def human_bytes(size: int) -> str:
    """`512 B`, `12.3 kB`, `5.2 MB`: decimal units, one decimal."""
    if size < 1_000:
        return f"{size} B"
    for unit, scale in (("kB", 1e3), ("MB", 1e6), ("GB", 1e9)):
        if size < scale * 1_000 or unit == "GB":
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"  # pragma: no cover - the loop always returns


def _limit_label(limit: int) -> str:
    if limit % 1_048_576 == 0:
        return f"{limit // 1_048_576} MiB"
    if limit % 1_024 == 0:
        return f"{limit // 1_024} KiB"
    return f"{limit} bytes"


def _prefix_within(text: str, limit: int) -> str:
    """The longest prefix (near enough) of `text` whose JSON-encoded size is within `limit`."""
    end = min(len(text), limit)
    while end > 0:
        size = json_size(text[:end])
        if size <= limit:
            return text[:end]
        end = min(end - 1, end * limit // size)  # shrink in proportion to the overshoot
    return ""


def cap_text(text: str, limit: int) -> str:
    """`text`, or its first part and a `… [truncated: …]` suffix if it is over `limit` bytes.

    The result is within `limit` itself, so capping a capped text changes nothing.
    """
    size = json_size(text)
    if size <= limit:
        return text
    suffix = f"… [truncated: {human_bytes(size)}, showing the first {_limit_label(limit)}]"
    return _prefix_within(text, max(0, limit - json_size(suffix))) + suffix


def cap_value(value: Any, limit: int) -> Any:
    """`value` unchanged if its JSON is within `limit` bytes, else its capped form (above)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return cap_text(value, limit)
    text = json.dumps(value, default=str)
    size = len(text.encode())
    if size <= limit:
        return value
    preview = _prefix_within(text, max(0, limit - MARKER_OVERHEAD))
    return {TRUNCATED_KEY: True, "original_bytes": size, "preview": preview}


def is_truncated(value: Any) -> bool:
    """Whether `value` is a marker left by `cap_value`."""
    return isinstance(value, dict) and value.get(TRUNCATED_KEY) is True and "preview" in value


def stored_value(value: Any, secrets: Iterable[str], limit: int) -> Any:
    """What to store of a step's input or output: secrets masked, then capped."""
    return cap_value(redact(value, secrets), limit)


def stored_error(error: str | None, secrets: Iterable[str], limit: int) -> str | None:
    """What to store of an error: secrets masked, capped to `limit` and the error column; a
    NUL character (a remote's answer may hold one; a text column cannot) written `\\u0000`."""
    if error is None:
        return None
    text = str(redact(error, secrets)).replace("\x00", "\\u0000")
    return cap_text(text, min(limit, ERROR_CHARS))
