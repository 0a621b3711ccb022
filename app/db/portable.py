"""Query pieces that give the same answer on SQLite and PostgreSQL (see `app.core.portable`).

- `contains_text`: a case-insensitive "contains", with the wildcards in the searched text
  escaped and the escape character named, so `%`, `_` and `\\` match themselves everywhere.
- `order_by`: NULLs last in either direction (PostgreSQL puts them first in a descending
  sort, SQLite last); text compared by `lower()` (no collation decides `Beta` against
  `alpha`), and the id last so equal keys keep one order across pages.
- `dumps`: the JSON columns' writer; a float JSON cannot write is stored as its text.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from app.core.portable import LIKE_ESCAPE, contains_pattern, json_safe


def contains_text(column: Any, text: str) -> sa.ColumnElement[bool]:
    """`lower(column) LIKE lower('%<text, escaped>%') ESCAPE '\\'`."""
    pattern = sa.func.lower(sa.literal(contains_pattern(text), sa.String))
    return sa.func.lower(column).like(pattern, escape=LIKE_ESCAPE)


def order_by(column: Any, *, descending: bool, text: bool = False, tie: Any = None) -> list[Any]:
    """The ORDER BY terms of a sort on `column`: NULLs last, text by `lower()`, then `tie`."""
    key = sa.func.lower(column) if text else column
    terms = [(key.desc() if descending else key.asc()).nulls_last()]
    if text:  # equal apart from case: a fixed order between them too
        terms.append(column.desc() if descending else column.asc())
    if tie is not None:
        terms.append(tie)
    return terms


def dumps(value: Any) -> str:
    """JSON text for a JSON column: strict JSON, non-finite floats as text."""
    try:
        return json.dumps(value, allow_nan=False)
    except ValueError:
        return json.dumps(json_safe(value), allow_nan=False)
