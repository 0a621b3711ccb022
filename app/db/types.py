"""Column types shared by every table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

_FIRST, _LAST = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores UTC as a naive timestamp and always hands back aware UTC datetimes.

    SQLite has no time zone support; keeping the conversion in one type means no code
    ever compares a naive with an aware datetime.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        try:
            return value.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # 0001-01-01T00:00+00:01 is before the first instant there is
            return (_FIRST if value.year == _FIRST.year else _LAST).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def ts_column(*, index: bool = False, nullable: bool = True, default: bool = False) -> Any:
    """A timestamp column (aware UTC in Python)."""
    return sa.Column(
        UTCDateTime(), index=index, nullable=nullable, default=utcnow if default else None
    )


def json_column(default: Any = None) -> Any:
    """A JSON column; `default` is a factory (dict or list) or None."""
    return sa.Column(sa.JSON(), nullable=default is None, default=default)


def fk_column(target: str, *, ondelete: str, nullable: bool = True, index: bool = True) -> Any:
    return sa.Column(
        sa.Integer, sa.ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index
    )


def user_fk() -> Any:
    """`created_by`-style reference to a user that survives the user's deletion."""
    return fk_column("user.id", ondelete="SET NULL")
