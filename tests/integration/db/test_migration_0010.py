"""Migration 0010 on a SQLite file full of 0009 data: every existing row stays as it was, each
workflow gets a null `sample_payload` (none pinned), a pinned one is stored as JSON, and
downgrade drops the column and keeps the rest."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from alembic import command
from app.db.migrate import alembic_config
from tests.integration.db.test_migration_0008 import _complete, _insert, _rows
from tests.integration.db.test_migration_0009 import _fill

TABLES = ("user", "workflow", "execution", "execution_step", "workflow_version")


def test_0010_adds_a_null_sample_payload_and_keeps_0009_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'f.db'}"
    command.upgrade(alembic_config(url), "0009")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        _fill(conn)  # workflows 9 and 10 with runs, steps and errors as 0008/0009 stored them
        row = {"id": 11, "name": "kept", "actions": '[{"id": "a", "type": "transform"}]',
               "keep_days": 30, "created_at": "2026-11-03 10:00:00.000000",
               "updated_at": "2026-11-03 10:00:00.000000"}  # fmt: skip
        _insert(conn, "workflow", _complete(conn, "workflow", row))
    with engine.begin() as conn:
        before = {t: _rows(conn, t) for t in TABLES}
    assert len(before["workflow"]) == 3 and len(before["execution_step"]) == 9

    command.upgrade(alembic_config(url), "0010")

    with engine.begin() as conn:
        for table, rows in before.items():
            after = _rows(conn, table)
            extra = 1 if table == "workflow" else 0
            assert [tuple(r)[: len(r) - extra] for r in after] == [tuple(r) for r in rows]
        assert [r.sample_payload for r in _rows(conn, "workflow")] == [None, None, None]
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0010"
        pinned = {"order": {"id": 7, "lines": [1, 2]}}
        conn.execute(
            sa.text("UPDATE workflow SET sample_payload = :p WHERE id = 11"),
            {"p": json.dumps(pinned)},
        )
        stored = conn.execute(sa.text("SELECT sample_payload FROM workflow WHERE id = 11"))
        assert json.loads(stored.scalar()) == pinned

    command.downgrade(alembic_config(url), "0009")
    with engine.connect() as conn:
        names = {c["name"] for c in sa.inspect(conn).get_columns("workflow")}
        assert "sample_payload" not in names and "keep_days" in names
        assert _rows(conn, "workflow") == before["workflow"]
        assert _rows(conn, "execution_step") == before["execution_step"]
    command.upgrade(alembic_config(url), "head")
    engine.dispose()
