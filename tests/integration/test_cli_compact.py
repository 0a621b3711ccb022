"""`flowdeck db-compact`: an old SQLite file (no auto-vacuum) switched to incremental."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.cli import main
from app.db.engine import get_engine
from app.services import retention
from app.services.actor import SYSTEM


def test_db_compact_switches_to_incremental(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    get_engine().dispose()
    raw = sqlite3.connect(db / "flowdeck.db")
    raw.execute("PRAGMA auto_vacuum=NONE")
    raw.execute("VACUUM")
    raw.close()
    assert retention.database_info(SYSTEM)["compaction_needed"]
    assert main(["db-compact"]) == 0
    assert "auto_vacuum is now incremental" in capsys.readouterr().out
    assert not retention.database_info(SYSTEM)["compaction_needed"]
