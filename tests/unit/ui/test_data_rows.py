"""The Data page's display rows and the workflow form's retention fields, from known answers."""

from __future__ import annotations

from typing import Any

import pytest

from app.ui.components.data_rows import (
    last_prune_view,
    preview_view,
    prune_message,
    settings_form,
    size_cards,
    table_rows,
    when_text,
)
from app.ui.forms.retention_fields import global_hints, retention_to_definition, retention_to_form


@pytest.mark.parametrize(
    ("info", "status", "free"),
    [
        ({"size_bytes": 4096, "free_bytes": 0, "auto_vacuum": "incremental"}, "ok", "0 B"),
        ({"size_bytes": 9_000_000, "free_bytes": 1_500_000}, "reclaimable", "1.5 MB"),
        ({"size_bytes": 10, "free_bytes": 2048, "compaction_needed": True}, "compact", "2.0 kB"),
        ({"size_bytes": 10, "free_bytes": None, "dialect": "postgresql"}, "ok", "—"),
    ],
)
def test_size_cards_status(info: dict[str, Any], status: str, free: str) -> None:
    cards = size_cards(info)
    assert (cards["status"], cards["free"]) == (status, free)


def test_size_cards_split_file_and_wal() -> None:
    cards = size_cards({"size_bytes": 3_000_000, "file_bytes": 2_000_000, "wal_bytes": 1_000_000})
    assert (cards["total"], cards["file"], cards["wal"]) == ("3.0 MB", "2.0 MB", "1.0 MB")


def test_tables_and_settings_as_text() -> None:
    assert table_rows({"tables": [{"table": "execution", "rows": 12345}]}) == [
        {"table": "execution", "rows": "12,345"}
    ]
    assert settings_form({"keep_days": 30, "keep_last": None}) == {
        "keep_days": "30",
        "keep_last": "",
        "keep_data_days": "",
    }


def test_preview_sorted_most_removed_first_with_its_rule() -> None:
    totals, rows = preview_view(
        {
            "executions": 7,
            "data": 2,
            "by_workflow": [
                {"workflow_id": 1, "name": "a", "executions": 2, "data": 2, "keep_last": 5},
                {"workflow_id": 2, "name": "b", "executions": 5, "data": 0,
                 "rows_before": "2026-11-02T00:00:00+00:00"},
            ],
        }
    )  # fmt: skip
    assert totals == {"executions": "7", "data": "2", "any": "yes"}
    assert [r["name"] for r in rows] == ["b", "a"]
    assert rows[0]["rule"] == "finished before 2026-11-02"
    assert rows[1]["rule"] == "keeps last 5"
    assert preview_view({"executions": 0, "data": 0})[0]["any"] == ""


def test_last_prune_and_the_toast() -> None:
    assert last_prune_view(None) == {}
    view = last_prune_view(
        {"at": "2026-12-02T01:00:00+00:00", "by": "admin@x", "reason": "manual",
         "executions_deleted": 1200, "data_pruned": 3, "space": {"freed_pages": 40},
         "duration_ms": 1500, "finished": False}
    )  # fmt: skip
    assert view["at"] == "2026-12-02 01:00 UTC" and view["executions"] == "1,200"
    assert view["reason"] == "by hand" and view["freed_pages"] == "40"
    assert view["finished"] == "stopped at its time limit"
    assert prune_message({"executions_deleted": 0, "data_pruned": 0}).startswith("Nothing")
    assert prune_message({"executions_deleted": 3, "data_pruned": 1, "finished": True}) == (
        "Pruned 3 execution(s), emptied step data of 1."
    )
    assert when_text("not a date") == "—" and when_text(None) == "—"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"keep_days": "", "keep_last": " 10 ", "keep_data_days": "7"},
         {"keep_days": None, "keep_last": 10, "keep_data_days": 7}),
        ({"keep_days": "abc", "keep_last": "", "keep_data_days": ""},
         {"keep_days": "abc", "keep_last": None, "keep_data_days": None}),
        ({"name": "x"}, {}),  # a form without the section leaves the values alone
    ],
)  # fmt: skip
def test_retention_fields_to_definition(fields: dict[str, str], expected: dict) -> None:
    assert retention_to_definition(fields) == expected


def test_retention_fields_round_trip_and_hints() -> None:
    form = retention_to_form({"keep_days": 30, "keep_last": None})
    assert form == {"keep_days": "30", "keep_last": "", "keep_data_days": ""}
    hints = global_hints({"keep_days": 90, "keep_last": None, "keep_data_days": None})
    assert hints["keep_days"] == "Global: 90" and hints["keep_last"] == "Global: no minimum"
