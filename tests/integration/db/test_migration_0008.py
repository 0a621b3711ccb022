"""Migration 0008 on a SQLite file with 0007 data: workflows, versions, samples and users
stay as they were; saved templates can be stored, versioned (a version goes with its
template), and outlive the workflow they came from; downgrade drops only the new tables."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from alembic import command
from app.db.migrate import alembic_config

NOW = "2026-11-01 10:00:00.000000"
USER = {"id": 3, "email": "a@x.io", "name": "A", "password_hash": "h", "role": "member",
        "is_active": 1, "created_at": NOW, "updated_at": NOW}  # fmt: skip
WORKFLOW = {"id": 9, "name": "Report", "description": "", "workflow_type": "custom",
            "priority": "normal", "concurrency_limit": 1, "is_active": 1, "trigger_type": "manual",
            "trigger_config": "{}", "actions": '[{"id": "a", "type": "delay"}]', "version": 1,
            "runs": 0, "successes": 0, "failures": 0, "created_by": 3, "created_at": NOW,
            "updated_at": NOW}  # fmt: skip
VERSION = {"id": 1, "workflow_id": 9, "version_number": 1, "definition": '{"name": "Report"}',
           "diff": "{}", "change_summary": "[]", "change_description": "created",
           "created_by": 3, "created_at": NOW}  # fmt: skip
SAMPLE = {"id": 1, "at": NOW, "name": "visitors", "source": "https://b/", "value": 4.0}


def _insert(conn: sa.Connection, table: str, row: dict) -> None:
    names = ", ".join(f'"{k}"' for k in row)
    conn.execute(sa.text(f'INSERT INTO "{table}" ({names}) VALUES (:{", :".join(row)})'), row)


def _rows(conn: sa.Connection, table: str) -> list:
    return conn.execute(sa.text(f'SELECT * FROM "{table}" ORDER BY 1')).all()


def _complete(conn: sa.Connection, table: str, row: dict) -> dict:
    """`row` with a plain value in each other NOT NULL column that has no default."""
    out = dict(row)
    for column in sa.inspect(conn).get_columns(table):
        name, kind = column["name"], str(column["type"]).upper()
        if name in out or column["nullable"] or column.get("default") is not None:
            continue
        if "INT" in kind or "BOOL" in kind or "FLOAT" in kind:
            out[name] = 0
        elif "JSON" in kind:
            out[name] = "{}"
        elif "DATETIME" in kind or "TIMESTAMP" in kind:
            out[name] = NOW
        else:
            out[name] = ""
    return out


def _fill(conn: sa.Connection) -> None:
    _insert(conn, "user", _complete(conn, "user", USER))
    _insert(conn, "workflow", _complete(conn, "workflow", WORKFLOW))
    _insert(conn, "workflow_version", _complete(conn, "workflow_version", VERSION))
    _insert(conn, "metric_sample", SAMPLE)


def test_0008_adds_template_tables_and_keeps_0007_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'f.db'}"
    command.upgrade(alembic_config(url), "0007")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        _fill(conn)
        before = {t: _rows(conn, t) for t in ("user", "workflow", "workflow_version")}
    command.upgrade(alembic_config(url), "0008")
    with engine.begin() as conn:
        conn.execute(sa.text("PRAGMA foreign_keys=ON"))
        assert {t: _rows(conn, t) for t in before} == before
        _insert(conn, "workflow_template", {
            "id": 1, "slug": "report", "name": "Report", "description": "", "category": "hr",
            "icon": "mail", "document": "{}", "version": 2, "source_workflow_id": 9,
            "created_by": 3, "created_at": NOW, "updated_at": NOW})  # fmt: skip
        for number in (1, 2):
            _insert(conn, "workflow_template_version", {
                "id": number, "template_id": 1, "version_number": number, "document": "{}",
                "created_by": 3, "created_at": NOW})  # fmt: skip
        _insert(conn, "template_use", {"template_id": "report", "uses": 4})
        try:
            _insert(conn, "workflow_template_version", {
                "id": 3, "template_id": 1, "version_number": 2, "document": "{}",
                "created_at": NOW})  # fmt: skip
        except sa.exc.IntegrityError:
            pass
        else:
            raise AssertionError("a second version 2 of one template was stored")
        conn.execute(sa.text("DELETE FROM workflow WHERE id = 9"))
        source = conn.execute(sa.text("SELECT source_workflow_id FROM workflow_template"))
        assert source.scalar() is None
        conn.execute(sa.text("DELETE FROM workflow_template WHERE id = 1"))
        assert _rows(conn, "workflow_template_version") == []
    command.downgrade(alembic_config(url), "0007")
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
        assert not tables & {"workflow_template", "workflow_template_version", "template_use"}
        assert len(_rows(conn, "metric_sample")) == 1
        assert _rows(conn, "user") == before["user"]
    engine.dispose()
