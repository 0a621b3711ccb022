"""Migration 0009 on a SQLite file full of 0008 data: every existing row stays as it was, the
new columns are null, and the rollups hold exactly the finished runs (per hour and per day,
by outcome, with duration and queue-wait histograms), their steps (failures, skips, retries)
and their errors grouped by shape per day; running and queued runs are not counted, a
workflow without runs has no rows. Downgrade drops what 0009 added and keeps the rest."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from alembic import command
from app.core.analytics import bucket_index
from app.core.error_shapes import shape, shape_hash
from app.db.migrate import alembic_config
from tests.integration.db.test_migration_0008 import _complete, _insert, _rows

NOW = "2026-11-01 10:00:00.000000"
USER = {"id": 3, "email": "a@x.io", "name": "A", "password_hash": "h", "role": "member",
        "is_active": 1, "created_at": NOW, "updated_at": NOW}  # fmt: skip
ERR_1 = "HTTP 500 from https://x.io/1 at 2026-11-01T10:30:01Z"
ERR_2 = "HTTP 500 from https://y.io/2 at 2026-11-02T08:00:00Z"
INTERRUPTED = "interrupted: Flowdeck stopped while this execution ran"
# id, status, queued_at, started_at, duration_ms, error, failed_step
RUNS = [
    (1, "succeeded", "2026-11-01 10:04:59.000000", "2026-11-01 10:05:00.000000", 100.0, None, None),
    (2, "failed", "2026-11-01 10:30:00.000000", "2026-11-01 10:30:00.250000", 2000.0, ERR_1, "b"),
    (3, "failed", "2026-11-02 08:00:00.000000", "2026-11-02 08:00:00.000000", 30.0, ERR_2, "b"),
    (4, "cancelled", "2026-11-02 09:00:00.000000", None, None, "cancelled by request", None),
    (5, "interrupted", "2026-11-02 09:10:00.000000", "2026-11-02 09:10:00.000000", None,
     INTERRUPTED, None),
    (6, "running", "2026-11-02 09:20:00.000000", "2026-11-02 09:20:00.000000", None, None, None),
    (7, "queued", "2026-11-02 09:30:00.000000", None, None, None, None),
]  # fmt: skip
# execution, position, action, status, attempts, duration_ms, error
STEPS = [
    (1, 0, "a", "succeeded", 1, 40.0, None),
    (1, 1, "b", "succeeded", 3, 50.0, None),
    (2, 0, "a", "succeeded", 1, 10.0, None),
    (2, 1, "b", "failed", 1, 5.0, ERR_1),
    (3, 0, "a", "succeeded", 1, 10.0, None),
    (3, 1, "b", "failed", 2, 6.0, ERR_2),
    (5, 0, "a", "interrupted", 1, None, "interrupted: Flowdeck stopped while this step ran"),
    (5, 1, "b", "cancelled", 0, None, None),
    (6, 0, "a", "failed", 1, 3.0, "not counted: its run is still running"),
]


def _fill(conn: sa.Connection) -> None:
    _insert(conn, "user", _complete(conn, "user", USER))
    for wf in (9, 10):
        row = {"id": wf, "name": f"wf{wf}", "actions": "[]", "created_by": 3,
               "created_at": NOW, "updated_at": NOW}  # fmt: skip
        _insert(conn, "workflow", _complete(conn, "workflow", row))
    for id_, status, queued, started, duration, error, failed_step in RUNS:
        finished = started or queued
        row = {"id": id_, "workflow_id": 9, "status": status, "queued_at": queued,
               "started_at": started, "finished_at": finished if status not in
               ("running", "queued") else None, "duration_ms": duration, "error": error,
               "failed_step": failed_step, "trigger_payload": "{}"}  # fmt: skip
        _insert(conn, "execution", _complete(conn, "execution", row))
    for n, (execution, position, action, status, attempts, duration, error) in enumerate(STEPS):
        row = {"id": n + 1, "execution_id": execution, "position": position, "action_id": action,
               "name": action, "type": "transform", "status": status, "attempts": attempts,
               "duration_ms": duration, "error": error}  # fmt: skip
        _insert(conn, "execution_step", _complete(conn, "execution_step", row))


def _hist(conn: sa.Connection, table: str, prefix: str, where: str) -> dict[int, int]:
    row = conn.execute(sa.text(f"SELECT * FROM {table} WHERE {where}")).mappings().one()
    return {i: row[f"{prefix}{i}"] for i in range(92) if row[f"{prefix}{i}"]}


def test_0009_backfills_rollups_from_0008_runs_and_keeps_the_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'f.db'}"
    command.upgrade(alembic_config(url), "0008")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        _fill(conn)
        before = {t: _rows(conn, t) for t in ("user", "workflow", "execution", "execution_step")}
    command.upgrade(alembic_config(url), "0009")
    with engine.begin() as conn:
        for table, rows in before.items():
            after = _rows(conn, table)
            extra = {"workflow": 3, "execution": 1}.get(table, 0)
            assert [tuple(r)[: len(r) - extra] for r in after] == [tuple(r) for r in rows]
            assert all(v is None for r in after for v in tuple(r)[len(r) - extra :])

        hours = conn.execute(sa.text(
            "SELECT hour, runs, succeeded, failed, cancelled, other, timed, duration_ms_sum,"
            " waited, round(queue_wait_ms_sum, 3) FROM execution_hour WHERE workflow_id = 9"
            " ORDER BY hour")).all()  # fmt: skip
        assert [tuple(h) for h in hours] == [
            ("2026-11-01 10:00:00.000000", 2, 1, 1, 0, 0, 2, 2100.0, 2, 1250.0),
            ("2026-11-02 08:00:00.000000", 1, 0, 1, 0, 0, 1, 30.0, 1, 0.0),
            ("2026-11-02 09:00:00.000000", 2, 0, 0, 1, 1, 0, 0.0, 1, 0.0),
        ]
        days = conn.execute(sa.text(
            "SELECT day, runs, failed, timed FROM execution_day ORDER BY day")).all()  # fmt: skip
        assert [tuple(d) for d in days] == [
            ("2026-11-01 00:00:00.000000", 2, 1, 2),
            ("2026-11-02 00:00:00.000000", 3, 1, 1),
        ]
        first_hour = "hour = '2026-11-01 10:00:00.000000'"
        assert _hist(conn, "execution_hour", "d", first_hour) == {
            bucket_index(100): 1, bucket_index(2000): 1}  # fmt: skip
        assert _hist(conn, "execution_hour", "q", first_hour) == {
            bucket_index(1000): 1, bucket_index(250): 1}  # fmt: skip
        assert _hist(conn, "execution_day", "d", "day = '2026-11-02 00:00:00.000000'") == {
            bucket_index(30): 1}  # fmt: skip

        steps = conn.execute(sa.text(
            "SELECT action_id, day, runs, failures, skipped, retries, timed, duration_ms_sum"
            " FROM step_day ORDER BY action_id, day")).all()  # fmt: skip
        assert [tuple(s) for s in steps] == [
            ("a", "2026-11-01 00:00:00.000000", 2, 0, 0, 0, 2, 50.0),
            ("a", "2026-11-02 00:00:00.000000", 2, 0, 0, 0, 1, 10.0),
            ("b", "2026-11-01 00:00:00.000000", 2, 1, 0, 2, 2, 55.0),
            ("b", "2026-11-02 00:00:00.000000", 1, 1, 0, 1, 1, 6.0),
        ]
        assert _hist(conn, "step_hour", "d", f"action_id = 'b' AND {first_hour}") == {
            bucket_index(50): 1, bucket_index(5): 1}  # fmt: skip

        groups = conn.execute(sa.text(
            "SELECT action_id, shape_hash, day, shape, count, example_execution_id, example_error"
            " FROM error_group ORDER BY day, action_id")).all()  # fmt: skip
        http = shape(ERR_1)
        assert http == shape(ERR_2) == "HTTP 500 from <url> at <time>"
        assert [tuple(g) for g in groups] == [
            ("b", shape_hash(http), "2026-11-01 00:00:00.000000", http, 1, 2, ERR_1),
            ("", shape_hash(INTERRUPTED), "2026-11-02 00:00:00.000000", INTERRUPTED, 1, 5,
             INTERRUPTED),
            ("b", shape_hash(http), "2026-11-02 00:00:00.000000", http, 1, 3, ERR_2),
        ]  # fmt: skip
        for table in ("execution_hour", "step_hour", "error_group"):
            assert conn.execute(
                sa.text(f"SELECT count(*) FROM {table} WHERE workflow_id = 10")
            ).scalar() == 0  # fmt: skip
        conn.execute(sa.text(
            "INSERT INTO app_setting (key, value, updated_at, updated_by) VALUES"
            " ('retention', '{\"keep_days\": 30}', :now, 3)"), {"now": NOW})  # fmt: skip
        conn.execute(sa.text("PRAGMA foreign_keys=ON"))
    with engine.begin() as conn:
        conn.execute(sa.text("PRAGMA foreign_keys=ON"))
        conn.execute(sa.text("DELETE FROM workflow WHERE id = 9"))
        assert _rows(conn, "execution_hour") == [] and _rows(conn, "error_group") == []
    command.downgrade(alembic_config(url), "0008")
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
        assert not tables & {"execution_hour", "step_day", "error_group", "app_setting"}
        names = {c["name"] for c in sa.inspect(conn).get_columns("workflow")}
        assert "keep_days" not in names and "id" in names
        assert _rows(conn, "user") == before["user"]
    engine.dispose()
