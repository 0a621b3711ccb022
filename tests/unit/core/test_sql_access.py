"""The `database` step's pure choices: URLs, allowed SQLite files, JSON values, row limits."""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import PurePath

import pytest

from app.core.sql_access import database_kind, json_value, rows_output, sqlite_file_problem

ROOTS = [PurePath("/srv/data"), PurePath("/var/reports")]
OWN = [PurePath("/app/data/flowdeck.db")]


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("sqlite:////srv/data/a.db", "sqlite"),
        ("postgresql+psycopg://u:p@db/x", "postgresql"),
        ("postgres://u@db/x", "postgresql"),
        ("mysql+pymysql://u:p@db/x", "mysql"),
        ("MariaDB://db/x", "mysql"),
    ],
)
def test_database_kind(url: str, kind: str) -> None:
    assert database_kind(url) == kind


@pytest.mark.parametrize("url", ["redis://h", "mssql://h/x", "no url", "", "sqlite:"])
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="SQLAlchemy URL"):
        database_kind(url)


@pytest.mark.parametrize(
    ("path", "roots", "problem"),
    [
        ("/srv/data/shop.db", ROOTS, None),
        ("/var/reports/2026/q1.db", ROOTS, None),
        ("/srv/database.db", ROOTS, "not under an allowed directory"),
        ("/etc/passwd", ROOTS, "not under an allowed directory"),
        ("/srv/data/shop.db", [], "set FLOWDECK_SQLITE_ROOTS"),
        ("/app/data/flowdeck.db", [PurePath("/app")], "Flowdeck's own database"),
        ("/app/data/flowdeck.db-wal", [PurePath("/app")], "Flowdeck's own database"),
        ("/app/data/other.db", [PurePath("/app")], None),
    ],
)
def test_which_sqlite_files_may_be_opened(path: str, roots: list, problem: str | None) -> None:
    found = sqlite_file_problem(PurePath(path), roots, OWN)
    assert (found is None) if problem is None else (problem in (found or ""))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None), (True, True), (3, 3), (1.5, 1.5), ("x", "x"),
        (float("inf"), "inf"), (float("nan"), "nan"),
        (decimal.Decimal("1.10"), "1.10"),
        (dt.datetime(2026, 12, 2, 1, 0, tzinfo=dt.UTC), "2026-12-02T01:00:00+00:00"),
        (dt.date(2026, 12, 2), "2026-12-02"), (dt.timedelta(minutes=1), 60.0),
        (b"\x00\x01", "AAE="), ({"a": [1, b"\x00"]}, {"a": [1, "AA=="]}),
    ],
)  # fmt: skip
def test_json_values(value: object, expected: object) -> None:
    assert json_value(value) == expected


def test_rows_output_marks_truncation() -> None:
    rows = [(i, f"n{i}") for i in range(4)]
    out = rows_output(["id", "name"], rows, 3)
    assert out["row_count"] == 3 and out["truncated"] is True
    assert out["rows"][2] == {"id": 2, "name": "n2"}
    assert rows_output(["id", "name"], rows[:3], 3)["truncated"] is False
