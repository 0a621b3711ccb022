"""Migration 0003 on a SQLite file full of 0002 data: rows keep their data and every workflow
(and every stored version of its definition) gets `max_parallel = 8`; downgrade removes it."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from alembic import command
from app.db.migrate import alembic_config

ACTIONS = [
    {"id": "a", "type": "transform", "config": {"values": {"x": 1}}},
    {"id": "b", "type": "delay", "config": {"seconds": 0}},
]
WORKFLOW = {
    "id": 7,
    "name": "nightly export",
    "description": "made before 0003",
    "workflow_type": "custom",
    "priority": "high",
    "concurrency_limit": 2,
    "is_active": 1,
    "trigger_type": "webhook",
    "trigger_config": json.dumps({"signature": "none"}),
    "actions": json.dumps(ACTIONS),
    "hook_id": "hook-before-0003",
    "on_interrupted": "retry",
    "version": 2,
    "runs": 5,
    "successes": 4,
    "failures": 1,
    "avg_duration_ms": 12.5,
    "created_at": "2026-01-01 10:00:00.000000",
    "updated_at": "2026-01-02 10:00:00.000000",
}
DEFINITION = {
    "name": "nightly export",
    "trigger": {"type": "webhook", "config": {}},
    "actions": ACTIONS,
    "on_interrupted": "retry",
}


def _at_0002(url: str) -> None:
    command.upgrade(alembic_config(url), "0002")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        columns = ", ".join(WORKFLOW)
        conn.execute(
            sa.text(f"INSERT INTO workflow ({columns}) VALUES (:{', :'.join(WORKFLOW)})"),
            WORKFLOW,
        )
        for number in (1, 2):
            conn.execute(
                sa.text(
                    "INSERT INTO workflow_version (workflow_id, version_number, definition, diff,"
                    " change_summary, change_description, created_at) VALUES (7, :n, :d, '{}',"
                    " '[]', '', '2026-01-01 10:00:00.000000')"
                ),
                {"n": number, "d": json.dumps({**DEFINITION, "description": f"v{number}"})},
            )
        conn.execute(
            sa.text(
                "INSERT INTO execution (id, workflow_id, workflow_version, status, trigger_type,"
                " trigger_payload, priority_rank, queued_at, steps_completed, steps_total,"
                " dedupe_key) VALUES (3, 7, 2, 'failed', 'webhook', '{}', 2,"
                " '2026-01-02 11:00:00.000000', 1, 2, 'webhook:abc')"
            )
        )
    engine.dispose()


def _rows(url: str, sql: str) -> list[dict]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


def _definitions(url: str) -> list[dict]:
    rows = _rows(url, "SELECT definition FROM workflow_version ORDER BY version_number")
    return [json.loads(row["definition"]) for row in rows]


def test_upgrading_a_0002_database_keeps_every_row_and_adds_max_parallel(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _at_0002(url)
    before = _rows(url, "SELECT * FROM workflow")
    executions_before = _rows(url, "SELECT * FROM execution")
    assert "max_parallel" not in before[0]

    command.upgrade(alembic_config(url), "0003")

    after = _rows(url, "SELECT * FROM workflow")
    assert len(after) == 1
    assert after[0].pop("max_parallel") == 8
    assert after == before
    assert _rows(url, "SELECT * FROM execution") == executions_before
    assert _definitions(url) == [
        {**DEFINITION, "description": f"v{n}", "max_parallel": 8} for n in (1, 2)
    ]
    assert _rows(url, "SELECT version_num FROM alembic_version") == [{"version_num": "0003"}]


def test_a_row_written_without_the_column_gets_8_and_downgrade_removes_it(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    _at_0002(url)
    command.upgrade(alembic_config(url), "0003")
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # a writer that does not know the column (server default)
        conn.execute(
            sa.text(
                "INSERT INTO workflow (name, description, workflow_type, priority,"
                " concurrency_limit, is_active, trigger_type, trigger_config, actions, version,"
                " runs, successes, failures, avg_duration_ms, created_at, updated_at) VALUES"
                " ('plain', '', 'custom', 'normal', 1, 1, 'manual', '{}', '[]', 1, 0, 0, 0, 0,"
                " '2026-01-01 10:00:00.000000', '2026-01-01 10:00:00.000000')"
            )
        )
    engine.dispose()
    assert [r["max_parallel"] for r in _rows(url, "SELECT max_parallel FROM workflow")] == [8, 8]

    command.downgrade(alembic_config(url), "0002")
    rows = _rows(url, "SELECT * FROM workflow")
    assert all("max_parallel" not in row for row in rows)
    assert rows[0]["on_interrupted"] == "retry"
    assert _definitions(url) == [{**DEFINITION, "description": f"v{n}"} for n in (1, 2)]
    assert len(_rows(url, "SELECT * FROM execution")) == 1
