"""What the Data page and the workflow form read: the last prune, the split file sizes, the
global values any signed-in person may see (real SQLite file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import PermissionDenied
from app.services import retention, retention_prune
from app.services.actor import SYSTEM, Actor
from tests.integration.services.retention_data import add_execution, make_workflow


def test_last_prune_is_the_newest_audited_prune(db: Path, member: Actor) -> None:
    assert retention.last_prune(SYSTEM) is None
    wf = make_workflow("rt-last")
    for _ in range(3):
        add_execution(wf, age_days=100)
    retention.update_settings(SYSTEM, {"keep_days": 30})
    retention_prune.prune(SYSTEM, reason="schedule")
    last = retention.last_prune(SYSTEM)
    assert last is not None and last["executions_deleted"] == 3
    assert last["reason"] == "schedule" and last["at"] and "space" in last
    retention_prune.prune(SYSTEM)  # by hand, nothing left: still the newest row
    newest = retention.last_prune(SYSTEM)
    assert newest is not None and newest["executions_deleted"] == 0
    assert newest["reason"] == "manual"
    with pytest.raises(PermissionDenied):
        retention.last_prune(member)


def test_sizes_split_into_file_and_wal(db: Path) -> None:
    info = retention.database_info(SYSTEM)
    assert info["file_bytes"] > 0
    assert info["file_bytes"] + info["wal_bytes"] == info["size_bytes"]


def test_members_read_the_global_values_only(db: Path, member: Actor) -> None:
    assert retention.global_values(member) == {
        "keep_days": None,
        "keep_last": None,
        "keep_data_days": None,
    }
    retention.update_settings(SYSTEM, {"keep_days": 90, "keep_data_days": 7})
    assert retention.global_values(member)["keep_days"] == 90
    with pytest.raises(PermissionDenied):
        retention.read_settings(member)
