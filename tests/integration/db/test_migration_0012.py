"""Migration 0012 on a SQLite file full of 0011 data: every existing row stays as it was, each
workflow gets a null `on_failure_workflow_id` (none had one), one can be set, and downgrade drops
the column and keeps the rest."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from alembic import command
from app.db.migrate import alembic_config
from tests.integration.db.test_migration_0008 import _complete, _insert, _rows
from tests.integration.db.test_migration_0009 import _fill

TABLES = ("user", "workflow", "execution", "execution_step", "workflow_version")


def test_0012_adds_a_null_on_failure_workflow_and_keeps_0011_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'f.db'}"
    command.upgrade(alembic_config(url), "0011")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        _fill(conn)  # workflows 9 and 10 with runs, steps and errors as 0008/0009 stored them
        row = {"id": 11, "name": "pinned", "actions": '[{"id": "a", "type": "transform"}]',
               "sample_payload": '{"order": 7}', "endpoint_slug": "orders",
               "created_at": "2026-12-01 10:00:00.000000",
               "updated_at": "2026-12-01 10:00:00.000000"}  # fmt: skip
        _insert(conn, "workflow", _complete(conn, "workflow", row))
    with engine.begin() as conn:
        before = {t: _rows(conn, t) for t in TABLES}
    assert len(before["workflow"]) == 3 and len(before["execution_step"]) == 9

    command.upgrade(alembic_config(url), "0012")

    with engine.begin() as conn:
        for table, rows in before.items():
            after = _rows(conn, table)
            extra = 1 if table == "workflow" else 0
            assert [tuple(r)[: len(r) - extra] for r in after] == [tuple(r) for r in rows]
        assert [r.on_failure_workflow_id for r in _rows(conn, "workflow")] == [None, None, None]
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0012"
        conn.execute(sa.text("UPDATE workflow SET on_failure_workflow_id = 11 WHERE id = 9"))
        found = conn.execute(sa.text("SELECT id FROM workflow WHERE on_failure_workflow_id = 11"))
        assert found.scalars().all() == [9]

    command.downgrade(alembic_config(url), "0011")
    with engine.connect() as conn:
        names = {c["name"] for c in sa.inspect(conn).get_columns("workflow")}
        assert "on_failure_workflow_id" not in names and "endpoint_slug" in names
        assert _rows(conn, "workflow") == before["workflow"]
        assert _rows(conn, "execution_step") == before["execution_step"]
    command.upgrade(alembic_config(url), "head")
    engine.dispose()
