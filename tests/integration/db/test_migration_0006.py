"""Migration 0006 on a SQLite file full of 0005 alerts: each keeps exactly what it did. Where
`severity` filtered (warning and up) it becomes `min_severity` and the events it always held
back are unticked; `info` alerts get no minimum; an alert that never fired keeps its events;
deliveries survive; downgrade puts the minimum back into `severity`."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from alembic import command
from app.db.migrate import alembic_config

#: id → (events, severity) as 0005 stored them.
ALERTS = {
    1: (["workflow_complete", "workflow_fail"], "error"),  # the original document's example
    2: (["workflow_start", "workflow_complete", "workflow_fail", "step_fail"], "info"),
    3: (["step_fail", "workflow_fail", "workflow_start"], "warning"),
    4: (["workflow_complete"], "critical"),  # never fired at all
}
#: id → (events, severity, min_severity) after 0006.
UPGRADED = {
    1: (["workflow_fail"], "error", "error"),
    2: (["workflow_start", "workflow_complete", "workflow_fail", "step_fail"], "info", None),
    3: (["step_fail", "workflow_fail"], "warning", "warning"),
    4: (["workflow_complete"], "critical", "critical"),
}


def _at_0005(url: str) -> None:
    command.upgrade(alembic_config(url), "0005")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for alert_id, (events, severity) in ALERTS.items():
            conn.execute(
                sa.text(
                    "INSERT INTO alert (id, name, alert_type, channel, events, severity, config,"
                    " is_active, triggered_count, delivered_count, failed_count, created_at,"
                    " updated_at) VALUES (:id, :name, 'slack', 'https://hooks.slack.com/…1234',"
                    " :events, :severity, '{}', 1, 2, 2, 0, '2026-01-01 09:00:00.000000',"
                    " '2026-01-01 09:00:00.000000')"
                ),
                {"id": alert_id, "name": f"a{alert_id}", "events": json.dumps(events),
                 "severity": severity},
            )  # fmt: skip
        conn.execute(
            sa.text(
                "INSERT INTO alert_delivery (id, alert_id, event, status, attempts, occurrences,"
                " message, created_at) VALUES (9, 1, 'workflow_fail', 'delivered', 1, 1,"
                " '[ERROR] Workflow failed', '2026-01-02 09:00:00.000000')"
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


def test_upgrading_0005_alerts_keeps_what_each_one_sends(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'alerts.db'}"
    _at_0005(url)
    before = {r["id"]: r for r in _rows(url, "SELECT * FROM alert")}
    deliveries = _rows(url, "SELECT * FROM alert_delivery")

    command.upgrade(alembic_config(url), "0006")

    after = {r["id"]: r for r in _rows(url, "SELECT * FROM alert")}
    for alert_id, (events, severity, minimum) in UPGRADED.items():
        row = after[alert_id]
        assert (json.loads(row["events"]), row["severity"], row["min_severity"]) == (
            events,
            severity,
            minimum,
        ), alert_id
        untouched = {k: v for k, v in before[alert_id].items() if k != "events"}
        assert {k: row[k] for k in untouched} == untouched
    assert _rows(url, "SELECT * FROM alert_delivery") == deliveries
    assert _rows(url, "SELECT version_num FROM alembic_version") == [{"version_num": "0006"}]


def test_downgrade_puts_the_minimum_back_into_severity(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'down.db'}"
    _at_0005(url)
    command.upgrade(alembic_config(url), "0006")
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # a new alert labelled error that reports successes too
        conn.execute(
            sa.text(
                "INSERT INTO alert (id, name, alert_type, channel, events, severity,"
                " min_severity, config, is_active, triggered_count, delivered_count,"
                " failed_count, created_at, updated_at) VALUES (5, 'new', 'in_app', '',"
                " '[\"workflow_complete\"]', 'error', NULL, '{}', 1, 0, 0, 0,"
                " '2026-01-03 09:00:00.000000', '2026-01-03 09:00:00.000000')"
            )
        )
    engine.dispose()

    command.downgrade(alembic_config(url), "0005")

    rows = {r["id"]: r for r in _rows(url, "SELECT id, events, severity FROM alert")}
    assert {i: r["severity"] for i, r in rows.items()} == {
        1: "error",
        2: "info",
        3: "warning",
        4: "critical",
        5: "info",  # the old code read severity as a minimum: info lets successes through
    }
    assert json.loads(rows[1]["events"]) == ["workflow_fail"]
    assert "min_severity" not in _rows(url, "SELECT * FROM alert LIMIT 1")[0]
    assert len(_rows(url, "SELECT * FROM alert_delivery")) == 1
    command.upgrade(alembic_config(url), "head")
