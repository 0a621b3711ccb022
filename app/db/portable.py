"""Query pieces that give the same answer on SQLite and PostgreSQL (see `app.core.portable`).

- `contains_text`: a case-insensitive "contains", with the wildcards in the searched text
  escaped and the escape character named, so `%`, `_` and `\\` match themselves everywhere.
- `order_by`: NULLs last in either direction (PostgreSQL puts them first in a descending
  sort, SQLite last); text compared by `lower()` (no collation decides `Beta` against
  `alpha`), and the id last so equal keys keep one order across pages.
- `dumps`: the JSON columns' writer; a float JSON cannot write is stored as its text.
- `refuse_nul`: text with a NUL character bound to a statement (a text column, a search) is a
  `ValidationFailed` (422) before the database sees it, on SQLite as on PostgreSQL (whose text
  type cannot hold it: a 500 there otherwise). JSON columns are not concerned: `dumps`
  writes a NUL as the escape `\\u0000`, which both keep.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from app.core.errors import Problem, ValidationFailed
from app.core.portable import LIKE_ESCAPE, contains_pattern, has_nul, json_safe

NUL_PROBLEM = "text must not contain the NUL character (\\u0000)"


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


def refuse_nul(
    _conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, _many: bool
) -> None:
    """A `before_cursor_execute` listener: see the module docstring."""
    rows = parameters if isinstance(parameters, list) else [parameters]
    for row in rows:
        values = row.values() if isinstance(row, dict) else row or ()
        if any(has_nul(value) for value in values):
            raise ValidationFailed([Problem("", NUL_PROBLEM)])


def dumps(value: Any) -> str:
    """JSON text for a JSON column: strict JSON, non-finite floats as text."""
    try:
        return json.dumps(value, allow_nan=False)
    except ValueError:
        return json.dumps(json_safe(value), allow_nan=False)
