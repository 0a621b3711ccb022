"""The `database` step's choices: which database a URL names, which SQLite files may be
opened, and how rows become JSON. Pure: `app.integrations.databases` does the connecting.

SQLite files are opened only under the roots an operator allowed (`FLOWDECK_SQLITE_ROOTS`)
and never when they are Flowdeck's own database (or one of its journal files); network
databases (PostgreSQL, MySQL) go through the outbound address guard like every connection.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import math
import uuid
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from app.core.config_models import ActionConfig, register_action_config

MAX_QUERY_CHARS = 100_000
MAX_ROWS = 10_000
MAX_PARAMS = 1_000
DEFAULT_ROWS = 100
DatabaseKind = Literal["sqlite", "postgresql", "mysql"]
_SCHEMES: dict[str, DatabaseKind] = {
    "sqlite": "sqlite",
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
}
JOURNAL_SUFFIXES = ("", "-wal", "-shm", "-journal")


class DatabaseConfig(ActionConfig):
    """One parameterised SQL statement through a `database` connection."""

    connection: int | str = Field(description="a database connection's id or name")
    query: str = Field(
        min_length=1,
        max_length=MAX_QUERY_CHARS,
        description="one SQL statement with :name placeholders (never templated)",
    )
    params: dict[str, Any] = Field(
        default_factory=dict, description="values bound to the :name placeholders (templates)"
    )
    write: bool = Field(False, description="allow changes (read-only otherwise)")
    max_rows: int = Field(DEFAULT_ROWS, ge=1, le=MAX_ROWS, description="rows returned at most")
    timeout_s: float = Field(30.0, gt=0, le=600, allow_inf_nan=False)

    #: The statement is SQL, not a template: values go in `params`, bound by the driver.
    VERBATIM: ClassVar[tuple[str, ...]] = ("query",)

    @field_validator("connection", mode="before")
    @classmethod
    def _connection_ref(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | str) or value == "":
            raise ValueError("must be a database connection's id or name")
        return value

    @field_validator("params")
    @classmethod
    def _few_params(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > MAX_PARAMS:
            raise ValueError(f"at most {MAX_PARAMS} parameters")
        return value


register_action_config("database", DatabaseConfig)  # core validation knows it without the engine


def database_kind(url: str) -> DatabaseKind:
    """The database a SQLAlchemy URL names (`postgresql+psycopg://…` is PostgreSQL);
    `ValueError` for anything else."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    kind = _SCHEMES.get(scheme.split("+", 1)[0].lower())
    if kind is None:
        raise ValueError(
            "must be a SQLAlchemy URL of SQLite (sqlite:////path/file.db), PostgreSQL "
            "(postgresql://…) or MySQL (mysql://…)"
        )
    return kind


def sqlite_file_problem(
    path: PurePath, roots: Sequence[PurePath], own: Sequence[PurePath]
) -> str | None:
    """Why the resolved SQLite file `path` may not be opened, or None.

    `roots`: the allowed directories (resolved); `own`: Flowdeck's database file(s).
    """
    if not roots:
        return "SQLite files are not allowed here: set FLOWDECK_SQLITE_ROOTS to allow directories"
    for db in own:
        if any(path == db.with_name(db.name + suffix) for suffix in JOURNAL_SUFFIXES):
            return "that is Flowdeck's own database"
    if not any(path.is_relative_to(root) for root in roots):
        allowed = ", ".join(str(r) for r in roots)
        return f"{path} is not under an allowed directory (FLOWDECK_SQLITE_ROOTS: {allowed})"
    return None


def json_value(value: Any) -> Any:
    """A column value as JSON: numbers, text, true/false and null as they are; times as ISO
    text, decimals as exact text, bytes as base64, non-finite floats as text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return str(value)


def rows_output(columns: Sequence[str], rows: Sequence[Sequence[Any]], max_rows: int) -> dict:
    """The step's output: up to `max_rows` rows as objects (read one more to know)."""
    kept = rows[:max_rows]
    return {
        "rows": [{c: json_value(v) for c, v in zip(columns, row, strict=False)} for row in kept],
        "row_count": len(kept),
        "columns": list(columns),
        "truncated": len(rows) > max_rows,
    }
