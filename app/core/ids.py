"""Bounds of database ids: SQLite (and Postgres `bigint`) hold signed 64-bit integers."""

from __future__ import annotations

from typing import Any

MAX_ID = 2**63 - 1


def is_id(value: Any) -> bool:
    """A whole number (not a bool) that can be a row id: 1 … 2^63 - 1."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID
