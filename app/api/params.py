"""Bounded path and query parameters shared by the routes.

Every integer the API takes is bounded, so a value SQLite cannot hold (2^63 and more) is a
422 naming the parameter rather than an `OverflowError` from the database driver.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import BeforeValidator, Field

from app.core.ids import MAX_ID

MAX_OFFSET = 2**31 - 1

#: Text kept in text columns holds no NUL character (refused with a 422 on every database, see
#: `app.db.portable`); a name or title also needs something visible.
NO_NUL = r"^[^\x00]*$"
TITLE_PATTERN = r"^[^\x00]*[^\s\x00][^\x00]*$"


def id_path(what: str) -> Any:
    return Path(ge=1, le=MAX_ID, description=f"The {what}'s id")


def limit_query(maximum: int) -> Any:
    return Query(ge=1, le=maximum, description=f"Items per page (at most {maximum})")


WorkflowId = Annotated[int, id_path("workflow")]
ExecutionId = Annotated[int, id_path("execution")]
ArticleId = Annotated[int, id_path("article")]
ConnectionId = Annotated[int, id_path("connection")]
AlertId = Annotated[int, id_path("alert")]
NotificationId = Annotated[int, id_path("notification")]
VersionNumber = Annotated[int, Path(ge=1, le=MAX_ID, description="The version number")]
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]
"""An id in a body (bounded inside the type, so the schema keeps the exact integer bound)."""
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip")]


def optional_id_query(description: str) -> Any:
    return Query(ge=1, le=MAX_ID, description=description)


_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _not_a_number(value: Any) -> Any:
    """Times are ISO 8601 text, as documented; a bare number is not read as Unix seconds."""
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("give an ISO 8601 time such as 2026-01-31T12:00:00Z, not a number")
    return value


IsoTime = Annotated[datetime, BeforeValidator(_not_a_number)]
"""A query time: ISO 8601 (`format: date-time` in the schema); a number is a 422."""
