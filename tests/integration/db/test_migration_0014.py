"""Migration 0014 on a SQLite file full of 0013 data (runs in every status, a pinned sample,
an endpoint slug, an on-failure workflow): no row changes, the index on
(workflow_id, id) exists and a workflow's newest runs are read through it (no sort), and
downgrade drops it and keeps the rest."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from alembic import command
from app.db.migrate import alembic_config
from tests.integration.db.test_migration_0008 import _rows
from tests.integration.db.test_migration_0009 import _fill

TABLES = ("user", "workflow", "execution", "execution_step", "workflow_version", "incident")
NEWEST = (
    "SELECT id, status, duration_ms, started_at FROM execution WHERE workflow_id = 9"
    " ORDER BY id DESC LIMIT 30"
)


def _indexes(conn: sa.Connection) -> dict[str, list[str]]:
    return {i["name"]: i["column_names"] for i in sa.inspect(conn).get_indexes("execution")}


def _plan(conn: sa.Connection) -> str:
    return " ".join(str(r[-1]) for r in conn.execute(sa.text("EXPLAIN QUERY PLAN " + NEWEST)))


def test_0014_indexes_a_workflows_runs_by_id_and_keeps_0013_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'f.db'}"
    command.upgrade(alembic_config(url), "0013")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        _fill(conn)  # workflows 9 and 10, runs in every status, steps and errors
        conn.execute(
            sa.text(
                "UPDATE workflow SET sample_payload = '{\"a\": 1}', "
                "endpoint_slug = 'orders', on_failure_workflow_id = 10 WHERE id = 9"
            )
        )
    with engine.begin() as conn:
        before = {t: _rows(conn, t) for t in TABLES}
        assert "ix_execution_workflow_id" not in _indexes(conn)
        assert "TEMP B-TREE" in _plan(conn)  # before: every run of the workflow sorted
    assert len(before["execution"]) == 7

    command.upgrade(alembic_config(url), "0014")
    engine.dispose()  # a pooled connection would plan with the schema it read before

    with engine.begin() as conn:
        assert {t: _rows(conn, t) for t in TABLES} == before
        assert _indexes(conn)["ix_execution_workflow_id"] == ["workflow_id", "id"]
        assert "ix_execution_workflow_id" in _plan(conn) and "TEMP B-TREE" not in _plan(conn)
        newest = [r.id for r in conn.execute(sa.text(NEWEST))]
        assert newest == [7, 6, 5, 4, 3, 2, 1]
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0014"

    command.downgrade(alembic_config(url), "0013")
    with engine.connect() as conn:
        assert "ix_execution_workflow_id" not in _indexes(conn)
        assert {t: _rows(conn, t) for t in TABLES} == before
    command.upgrade(alembic_config(url), "head")
    engine.dispose()
