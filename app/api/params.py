"""Bounded path and query parameters shared by the routes.

Every integer the API takes is bounded, so a value SQLite cannot hold (2^63 and more) is a
422 naming the parameter rather than an `OverflowError` from the database driver.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query

from app.core.ids import MAX_ID

MAX_OFFSET = 2**31 - 1


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
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip")]


def optional_id_query(description: str) -> Any:
    return Query(ge=1, le=MAX_ID, description=description)
