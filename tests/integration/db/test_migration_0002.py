"""Migration 0002 on a SQLite file full of 0001 data: rows keep their data and every workflow
(and every stored version of its definition) gets `on_interrupted = "leave"`."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from alembic import command
from app.db.migrate import alembic_config

WORKFLOW = {
    "id": 7,
    "name": "nightly export",
    "description": "made before 0002",
    "workflow_type": "custom",
    "priority": "high",
    "concurrency_limit": 2,
    "is_active": 1,
    "trigger_type": "webhook",
    "trigger_config": json.dumps({"signature": "none"}),
    "actions": json.dumps([{"id": "a", "type": "transform", "config": {"values": {"x": 1}}}]),
    "hook_id": "hook-before-0002",
    "version": 2,
    "runs": 5,
    "successes": 4,
    "failures": 1,
    "avg_duration_ms": 12.5,
    "created_at": "2026-01-01 10:00:00.000000",
    "updated_at": "2026-01-02 10:00:00.000000",
}
DEFINITION = {"name": "nightly export", "trigger": {"type": "webhook", "config": {}}}


def _at_0001(url: str) -> None:
    command.upgrade(alembic_config(url), "0001")
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
                " dedupe_key) VALUES (3, 7, 2, 'interrupted', 'webhook', '{}', 2,"
                " '2026-01-02 11:00:00.000000', 0, 1, 'webhook:abc')"
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


def test_upgrading_a_0001_database_keeps_every_row_and_adds_leave(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _at_0001(url)
    before = _rows(url, "SELECT * FROM workflow")
    executions_before = _rows(url, "SELECT * FROM execution")
    assert "on_interrupted" not in before[0]

    command.upgrade(alembic_config(url), "0002")

    after = _rows(url, "SELECT * FROM workflow")
    assert len(after) == 1
    assert after[0].pop("on_interrupted") == "leave"
    assert after == before
    assert _rows(url, "SELECT * FROM execution") == executions_before
    versions = _rows(url, "SELECT version_number, definition FROM workflow_version ORDER BY 1")
    assert [json.loads(v["definition"]) for v in versions] == [
        {**DEFINITION, "description": f"v{n}", "on_interrupted": "leave"} for n in (1, 2)
    ]
    assert _rows(url, "SELECT version_num FROM alembic_version") == [{"version_num": "0002"}]


def test_a_new_row_without_the_column_gets_leave_and_downgrade_removes_it(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    _at_0001(url)
    command.upgrade(alembic_config(url), "0002")
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
    assert [r["on_interrupted"] for r in _rows(url, "SELECT on_interrupted FROM workflow")] == [
        "leave",
        "leave",
    ]

    command.downgrade(alembic_config(url), "0001")
    assert "on_interrupted" not in _rows(url, "SELECT * FROM workflow")[0]
    definitions = _rows(url, "SELECT definition FROM workflow_version ORDER BY id")
    assert all("on_interrupted" not in json.loads(d["definition"]) for d in definitions)
    assert len(_rows(url, "SELECT * FROM execution")) == 1
