"""Error messages grouped by shape: the same failure with other numbers is one group.

`shape(message)` replaces what varies from one occurrence to the next (URLs, UUIDs,
timestamps, e-mail addresses, quoted strings, hex and mixed ids, numbers) by placeholders, so
"timeout after 30.2 s calling https://a/x?id=7" and "timeout after 12 s calling https://b/" are
the same group. HTTP status codes are kept ("HTTP 404", "answered 500" are different failures).
`shape_hash` is a short stable hash of a shape, the key of `error_group` rows.
"""

from __future__ import annotations

import hashlib
import re

#: Longest shape kept (the column holds 500 characters).
SHAPE_MAX = 500
#: Only this much of a message is looked at: shapes of longer ones end in "…".
_READ_MAX = 2000

_PATTERNS = (
    ("url", r"\b[a-zA-Z][a-zA-Z0-9+.-]{1,15}://[^\s'\"<>]+"),
    ("uuid", r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"),
    (
        "time",
        r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b",
    ),
    ("email", r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
    ("str", r"'[^'\n]{0,200}'|\"[^\"\n]{0,200}\"|`[^`\n]{0,200}`"),
    (
        "status",
        r"(?i:\b(?:HTTP(?:/\d(?:\.\d)?)?|status(?: code)?:?|answered|returned|responded"
        r"(?: with)?)\s+[1-5]\d\d\b)",
    ),
    ("hex", r"\b(?:0x)?(?=[0-9a-fA-F]{8})(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]+\b"),
    # A word of 8+ letters, digits, "_" or "-" with a letter and at least three digits.
    ("id", r"\b(?=[\w-]{8})(?=[\w-]*[A-Za-z])(?=(?:[A-Za-z_-]*\d){3})[\w-]+\b"),
    ("n", r"(?<![\w.])[-+]?\d+(?:[.,]\d+)*(?:[eE][-+]?\d+)?(?!\w*\d)"),
)
_TOKENS = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _PATTERNS))
_PLACEHOLDER = {
    "url": "<url>",
    "uuid": "<uuid>",
    "time": "<time>",
    "email": "<email>",
    "str": "<str>",
    "hex": "<id>",
    "id": "<id>",
    "n": "<n>",
}
_SPACE = re.compile(r"\s+")


def _replace(match: re.Match[str]) -> str:
    kind = match.lastgroup or "n"
    if kind == "status":
        return match.group(0)
    return _PLACEHOLDER[kind]


def shape(message: str | None) -> str:
    """The message with its varying parts replaced by placeholders (at most 500 characters)."""
    text = (message or "").strip()
    cut = len(text) > _READ_MAX
    out = _SPACE.sub(" ", _TOKENS.sub(_replace, text[:_READ_MAX])).strip()
    if cut or len(out) > SHAPE_MAX:
        out = out[: SHAPE_MAX - 1].rstrip() + "…"
    return out or "(no message)"


def shape_hash(shape_text: str) -> str:
    """A stable 16-hex-digit key of a shape (the first 64 bits of its SHA-256)."""
    return hashlib.sha256(shape_text.encode("utf-8")).hexdigest()[:16]
