"""Migration 0004 on a SQLite file full of 0003 data: every execution, step and attempt keeps
its data and becomes a top-level run (depth 0, no parent); the new tables take rows that point
at the old ones; downgrade removes them and keeps the old rows."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from alembic import command
from app.db.migrate import alembic_config

STEPS = [{"id": "a", "type": "transform", "config": {"values": {"x": 1}}}]


def _at_0003(url: str) -> None:
    command.upgrade(alembic_config(url), "0003")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO workflow (id, name, description, workflow_type, priority,"
                " concurrency_limit, is_active, trigger_type, trigger_config, actions, version,"
                " runs, successes, failures, avg_duration_ms, created_at, updated_at,"
                " on_interrupted, max_parallel) VALUES (7, 'nightly', '', 'custom', 'high', 2, 1,"
                " 'manual', '{}', :actions, 1, 3, 2, 1, 12.5, '2026-01-01 10:00:00.000000',"
                " '2026-01-01 10:00:00.000000', 'retry', 4)"
            ),
            {"actions": json.dumps(STEPS)},
        )
        for execution_id, status in ((3, "failed"), (4, "succeeded")):
            conn.execute(
                sa.text(
                    "INSERT INTO execution (id, workflow_id, workflow_version, status,"
                    " trigger_type, trigger_payload, priority_rank, queued_at, steps_completed,"
                    " steps_total, error) VALUES (:id, 7, 1, :status, 'manual', '{\"n\": 1}', 2,"
                    " '2026-01-02 11:00:00.000000', 1, 1, :error)"
                ),
                {"id": execution_id, "status": status, "error": f"run {execution_id}"},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO execution_step (id, execution_id, position, action_id, name,"
                    " type, status, output, attempts) VALUES (:id, :id, 0, 'a', 'a', 'transform',"
                    " :status, '{\"x\": 1}', 1)"
                ),
                {"id": execution_id, "status": status},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO step_attempt (step_id, number, started_at, duration_ms) VALUES"
                    " (:id, 1, '2026-01-02 11:00:00.000000', 1.5)"
                ),
                {"id": execution_id},
            )
    engine.dispose()


def _rows(url: str, sql: str) -> list[dict]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


def _old_rows(url: str) -> dict[str, list[dict]]:
    return {
        table: _rows(url, f"SELECT * FROM {table} ORDER BY id")
        for table in ("workflow", "execution_step", "step_attempt")
    }


def test_upgrading_a_0003_database_keeps_every_row(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _at_0003(url)
    before = _old_rows(url)
    executions_before = _rows(url, "SELECT * FROM execution ORDER BY id")

    command.upgrade(alembic_config(url), "0004")

    assert _old_rows(url) == before
    executions = _rows(url, "SELECT * FROM execution ORDER BY id")
    for row in executions:
        assert (row.pop("parent_execution_id"), row.pop("parent_step"), row.pop("depth")) == (
            None,
            None,
            0,
        )
    assert executions == executions_before
    assert _rows(url, "SELECT version_num FROM alembic_version") == [{"version_num": "0004"}]


def test_new_tables_take_rows_and_downgrade_keeps_the_old_ones(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    _at_0003(url)
    command.upgrade(alembic_config(url), "0004")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO step_wait (execution_id, step_id, action_id, kind, status, details,"
                " created_at) VALUES (3, 3, 'a', 'timer', 'pending', '{}',"
                " '2026-01-02 11:00:00.000000')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO approval (execution_id, step_id, workflow_id, action_id, message,"
                " approvers, on_timeout, status, created_at) VALUES (3, 3, 7, 'a', 'ok?',"
                " '[\"admin\"]', 'reject', 'pending', '2026-01-02 11:00:00.000000')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO step_item (step_id, position, status, attempts) VALUES"
                " (3, 0, 'succeeded', 1)"
            )
        )
    engine.dispose()
    before = _old_rows(url)

    command.downgrade(alembic_config(url), "0003")

    assert _old_rows(url) == before
    executions = _rows(url, "SELECT * FROM execution ORDER BY id")
    assert [row["error"] for row in executions] == ["run 3", "run 4"]
    assert all("depth" not in row for row in executions)
    tables = {r["name"] for r in _rows(url, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert not tables & {"step_wait", "approval", "step_item"}
