"""Migration 0013 on a SQLite file full of 0012 data (a pinned sample, an endpoint slug, an
on-failure workflow): every existing row stays as it was, the
new `incident` table takes an incident that points at an existing workflow, run and user (and
keeps its dedup key unique), and downgrade drops only that table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from alembic import command
from app.db.migrate import alembic_config
from tests.integration.db.test_migration_0008 import _complete, _insert, _rows
from tests.integration.db.test_migration_0009 import _fill

TABLES = ("user", "workflow", "execution", "execution_step", "workflow_version", "audit_event")


def test_0013_adds_incidents_and_keeps_0012_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'f.db'}"
    command.upgrade(alembic_config(url), "0012")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        _fill(conn)  # workflows 9 and 10 with runs, steps and errors, user 3
        conn.execute(
            sa.text(
                "UPDATE workflow SET sample_payload = '{\"a\": 1}', "
                "endpoint_slug = 'orders', on_failure_workflow_id = 10 WHERE id = 9"
            )
        )
    with engine.begin() as conn:
        before = {t: _rows(conn, t) for t in TABLES}
    assert len(before["execution_step"]) == 9

    command.upgrade(alembic_config(url), "0013")

    with engine.begin() as conn:
        for table, rows in before.items():
            assert _rows(conn, table) == rows
        run = conn.execute(sa.text("SELECT min(id) FROM execution")).scalar()
        row = {"id": 1, "title": "DB down", "description": "", "severity": "high",
               "status": "open", "dedup_key": "run-1-open",
               "timeline": json.dumps([{"kind": "open", "text": "opened (high)"}]),
               "mirrors": "[]", "workflow_id": 9, "execution_id": run, "created_by": 3,
               "created_at": "2026-12-02 10:00:00.000000",
               "updated_at": "2026-12-02 10:00:00.000000"}  # fmt: skip
        _insert(conn, "incident", _complete(conn, "incident", row))
        stored = conn.execute(sa.text("SELECT * FROM incident")).mappings().one()
        assert json.loads(stored["timeline"])[0]["kind"] == "open"
        assert (stored["workflow_id"], stored["created_by"]) == (9, 3)
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0013"
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        _insert(conn, "incident", _complete(conn, "incident", {**row, "id": 2}))

    command.downgrade(alembic_config(url), "0012")
    with engine.connect() as conn:
        assert "incident" not in sa.inspect(conn).get_table_names()
        for table, rows in before.items():
            assert _rows(conn, table) == rows
    command.upgrade(alembic_config(url), "head")
    engine.dispose()
