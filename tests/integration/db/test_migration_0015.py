"""Migration 0015 on a SQLite file full of 0014 data: every existing row stays as it was, each
execution and step gets a null `lease_id` (run before leases), `worker_lease` is new and
empty and takes a lease, and downgrade removes them and keeps the rest."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from alembic import command
from app.db.migrate import alembic_config
from tests.integration.db.test_migration_0008 import _rows
from tests.integration.db.test_migration_0009 import _fill

TABLES = ("user", "workflow", "execution", "execution_step", "workflow_version")
WITH_LEASE = ("execution", "execution_step")


def test_0015_adds_leases_and_keeps_0014_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'f.db'}"
    command.upgrade(alembic_config(url), "0014")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        _fill(conn)  # workflows 9 and 10 with runs (one still running), steps and errors
    with engine.begin() as conn:
        before = {t: _rows(conn, t) for t in TABLES}
    statuses = [r.status for r in before["execution"]]
    assert "running" in statuses and len(before["execution_step"]) == 9

    command.upgrade(alembic_config(url), "0015")

    with engine.begin() as conn:
        for table, rows in before.items():
            after = _rows(conn, table)
            extra = 1 if table in WITH_LEASE else 0
            assert [tuple(r)[: len(r) - extra] for r in after] == [tuple(r) for r in rows]
            if extra:
                assert {r.lease_id for r in after} == {None}
        assert conn.execute(sa.text("SELECT count(*) FROM worker_lease")).scalar() == 0
        assert conn.execute(sa.text("SELECT count(*) FROM leader_lease")).scalar() == 0
        conn.execute(
            sa.text(
                "INSERT INTO worker_lease (id, host, pid, role, started_at, heartbeat_at, "
                "expires_at) VALUES ('a1', 'h', 7, 'app', :t, :t, :t)"
            ),
            {"t": "2026-12-02 10:00:00.000000"},
        )
        conn.execute(sa.text("UPDATE execution SET lease_id = 'a1' WHERE status = 'running'"))
        indexes = {i["name"] for i in sa.inspect(conn).get_indexes("execution")}
        assert "ix_execution_lease_id" in indexes
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0015"

    command.downgrade(alembic_config(url), "0014")
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        assert not {"worker_lease", "leader_lease"} & set(inspector.get_table_names())
        for table in WITH_LEASE:
            assert "lease_id" not in {c["name"] for c in inspector.get_columns(table)}
        for table, rows in before.items():
            assert _rows(conn, table) == rows
    command.upgrade(alembic_config(url), "head")
    engine.dispose()
