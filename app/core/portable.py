"""What keeps answers the same on SQLite and PostgreSQL, decided without a database. Pure.

- `LIKE` patterns: a search for `50%`, `a_b` or `C:\\dir` finds that text, not a wildcard
  match. The pattern escapes `\\`, `%` and `_` with `\\`, and the query names the escape
  character explicitly (PostgreSQL's `ILIKE` treats `\\` as an escape by default, SQLite's
  `LIKE` has none by default).
- Text with a NUL character: PostgreSQL's text type cannot hold it, SQLite can. It is refused
  where it would reach a text column, on every database (`has_nul`, `app.db.portable`); in a
  JSON column it is written escaped (`\\u0000`), which both databases keep.
- Numbers JSON cannot write: `Infinity`, `-Infinity` and `NaN` are not JSON, and PostgreSQL's
  JSON type (and a browser's `JSON.parse`) refuse them. Stored, they become the strings
  `"Infinity"`, `"-Infinity"` and `"NaN"` (`json_safe`).
- Labels that must fit a column: cut to its size, keeping the part that says what it is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

LIKE_ESCAPE = "\\"
NUL = "\x00"


def escape_like(text: str) -> str:
    """`text` with the `LIKE` wildcards and the escape character itself escaped."""
    return (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )


def contains_pattern(text: str) -> str:
    """A `LIKE … ESCAPE '\\'` pattern matching values that contain `text` literally."""
    return f"%{escape_like(text)}%"


def non_finite_text(value: float) -> str:
    """How a float JSON cannot write is stored: `Infinity`, `-Infinity` or `NaN`."""
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def json_safe(value: Any) -> Any:
    """`value` with every non-finite float replaced by its text (see `non_finite_text`).

    Dicts, lists and tuples are copied only where something changed inside them; anything
    else is returned as it is.
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else non_finite_text(value)
    if isinstance(value, Mapping):
        items = {key: json_safe(item) for key, item in value.items()}
        changed = any(items[key] is not item for key, item in value.items())
        return items if changed else value
    if isinstance(value, list | tuple):
        items_list = [json_safe(item) for item in value]
        changed = any(new is not old for new, old in zip(items_list, value, strict=True))
        return items_list if changed else value
    return value


def has_nul(value: object) -> bool:
    """Whether `value` is text holding a NUL character (what PostgreSQL's text refuses)."""
    return isinstance(value, str) and NUL in value


def bounded_label(name: str, suffix: str, limit: int) -> str:
    """`name + suffix` within `limit` characters: `name` is cut (ending in `…`) so that the
    suffix, which says what the label is, always stays whole."""
    if len(name) + len(suffix) <= limit:
        return name + suffix
    room = max(0, limit - len(suffix) - 1)
    return (name[:room] + "…" + suffix)[:limit]
