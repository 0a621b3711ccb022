"""Migration 0005 on a SQLite file full of 0004 data: every orchestration and run keeps its
values; orchestrations get the run settings' defaults, zero counters and a first version holding
their definition as stored (calls in the original loose shape included); runs become manual
runs; downgrade removes what 0005 added and keeps the old rows."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from alembic import command
from app.db.migrate import alembic_config

#: Calls as the original document wrote them (camelCase, keys Flowdeck never knew).
LOOSE_CALLS = [
    {"id": "login", "method": "POST", "url": "https://api.example.com/login", "timeout": 5},
    {"id": "list", "url": "/items", "dependsOn": ["login"], "params": {"page": 1}},
]
RESULTS = [{"id": "login", "status": "succeeded", "status_code": 200}]


def _at_0004(url: str) -> None:
    command.upgrade(alembic_config(url), "0004")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO user (id, email, name, password_hash, role, is_active, created_at,"
                " updated_at, failed_logins) VALUES (5, 'ada@example.com', 'Ada', 'x', 'admin',"
                " 1, '2026-01-01 09:00:00.000000', '2026-01-01 09:00:00.000000', 0)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO orchestration (id, name, description, mode, calls, retry, is_active,"
                " runs, last_run_at, last_status, created_by, created_at, updated_at) VALUES"
                " (3, 'sync', 'old one', 'pipeline', :calls, '{\"strategy\": \"fixed\"}', 1, 2,"
                " '2026-01-03 08:00:00.000000', 'succeeded', 5, '2026-01-01 10:00:00.000000',"
                " '2026-01-02 10:00:00.000000')"
            ),
            {"calls": json.dumps(LOOSE_CALLS)},
        )
        for run_id, status in ((11, "succeeded"), (12, "failed")):
            conn.execute(
                sa.text(
                    "INSERT INTO orchestration_run (id, orchestration_id, status, started_at,"
                    " finished_at, duration_ms, results, error) VALUES (:id, 3, :status,"
                    " '2026-01-03 08:00:00.000000', '2026-01-03 08:00:01.000000', 1000.5,"
                    " :results, :error)"
                ),
                {"id": run_id, "status": status, "results": json.dumps(RESULTS), "error": None},
            )
    engine.dispose()


def _rows(url: str, sql: str) -> list[dict]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


NEW_ORCHESTRATION = {
    "timeout_s": 300.0,
    "max_parallel": 8,
    "version": 1,
    "successes": 0,
    "failures": 0,
    "avg_ms": 0.0,
    "p95_ms": None,
    "last_run_id": None,
}
NEW_RUN = {
    "orchestration_version": None,
    "inputs": None,
    "trigger": "manual",
    "created_by": None,
    "execution_id": None,
    "calls_total": 0,
    "calls_done": 0,
}


def test_upgrading_a_0004_database_keeps_every_orchestration_and_run(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _at_0004(url)
    orchestrations = _rows(url, "SELECT * FROM orchestration ORDER BY id")
    runs = _rows(url, "SELECT * FROM orchestration_run ORDER BY id")

    command.upgrade(alembic_config(url), "0005")

    upgraded = _rows(url, "SELECT * FROM orchestration ORDER BY id")
    assert upgraded == [{**row, **NEW_ORCHESTRATION} for row in orchestrations]
    assert json.loads(upgraded[0]["calls"]) == LOOSE_CALLS
    upgraded_runs = _rows(url, "SELECT * FROM orchestration_run ORDER BY id")
    assert upgraded_runs == [{**row, **NEW_RUN} for row in runs]
    assert json.loads(upgraded_runs[0]["results"]) == RESULTS
    versions = _rows(url, "SELECT * FROM orchestration_version")
    assert len(versions) == 1
    version = versions[0]
    assert (version["orchestration_id"], version["version_number"]) == (3, 1)
    assert version["created_by"] == 5
    assert json.loads(version["definition"]) == {
        "name": "sync",
        "description": "old one",
        "mode": "pipeline",
        "calls": LOOSE_CALLS,
        "retry": {"strategy": "fixed"},
        "timeout_s": 300.0,
        "max_parallel": 8,
        "is_active": True,
    }
    assert _rows(url, "SELECT version_num FROM alembic_version") == [{"version_num": "0005"}]


def test_new_rows_and_downgrade_keep_the_old_ones(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    _at_0004(url)
    orchestrations = _rows(url, "SELECT * FROM orchestration ORDER BY id")
    runs = _rows(url, "SELECT * FROM orchestration_run ORDER BY id")
    command.upgrade(alembic_config(url), "0005")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("PRAGMA foreign_keys=ON"))
        conn.execute(
            sa.text(
                "INSERT INTO orchestration_run (id, orchestration_id, status, started_at, results,"
                " inputs, trigger, created_by, execution_id, calls_total, calls_done) VALUES"
                " (13, 3, 'running', '2026-01-04 08:00:00.000000', '[]', '{}', 'api', 5, 77, 2, 0)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO orchestration_call (run_id, position, call_id, status, record)"
                " VALUES (13, 0, 'login', 'pending', '{}')"
            )
        )
        conn.execute(sa.text('DELETE FROM "user" WHERE id = 5'))
    engine.dispose()
    assert _rows(url, "SELECT created_by FROM orchestration_run WHERE id = 13") == [
        {"created_by": None}
    ]

    command.downgrade(alembic_config(url), "0004")

    after = _rows(url, "SELECT * FROM orchestration ORDER BY id")
    assert after == [{**row, "created_by": None} for row in orchestrations]
    old_runs = _rows(url, "SELECT * FROM orchestration_run WHERE id < 13 ORDER BY id")
    assert old_runs == runs
    tables = {r["name"] for r in _rows(url, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert not tables & {"orchestration_version", "orchestration_call"}
    command.upgrade(alembic_config(url), "head")
