"""Executions written straight into the database for the retention tests: any status, any age,
with steps, attempts, items, waits, approvals and an alert delivery pointing at them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from app.db.engine import get_engine
from app.db.types import utcnow
from app.services import workflows
from app.services.actor import SYSTEM

T = sa.table


def make_workflow(name: str, **own: int | None) -> int:
    """A workflow; `own` sets its keep_days / keep_last / keep_data_days columns directly."""
    saved = workflows.create_workflow(
        SYSTEM,
        {
            "name": name,
            "trigger": {"type": "manual"},
            "actions": [{"id": "calc", "type": "transform", "config": {"values": {"n": 1}}}],
        },
    )
    workflow_id = saved.workflow["id"]
    if own:
        with get_engine().begin() as conn:
            conn.execute(
                sa.text(
                    "UPDATE workflow SET "
                    + ", ".join(f"{k} = :{k}" for k in own)
                    + " WHERE id = :id"
                ),
                {**own, "id": workflow_id},
            )
    return int(workflow_id)


def add_execution(
    workflow_id: int,
    *,
    status: str = "succeeded",
    age_days: float = 40,
    steps: int = 3,
    now: datetime | None = None,
    parent: int | None = None,
    retry_of: int | None = None,
    with_extras: bool = False,
) -> int:
    """One execution that finished `age_days` ago (unfinished: started then), with steps."""
    now = now or utcnow()
    at = now - timedelta(days=age_days)
    final = status in ("succeeded", "failed", "cancelled", "interrupted")
    with get_engine().begin() as conn:
        execution_id = conn.execute(
            sa.text(
                "INSERT INTO execution (workflow_id, workflow_version, status, trigger_type,"
                " trigger_payload, priority_rank, queued_at, started_at, finished_at,"
                " steps_completed, steps_total, retry_of, parent_execution_id, depth)"
                " VALUES (:w, 1, :s, 'manual', :payload, 1, :q, :st, :f, 0, :n, :r, :p, 0)"
                " RETURNING id"
            ),
            {
                "w": workflow_id,
                "s": status,
                "payload": '{"secret_input": "payload"}',
                "q": _naive(at - timedelta(seconds=2)),
                "st": _naive(at - timedelta(seconds=1)),
                "f": _naive(at) if final else None,
                "n": steps,
                "r": retry_of,
                "p": parent,
            },
        ).scalar_one()
        for position in range(steps):
            step_id = conn.execute(
                sa.text(
                    "INSERT INTO execution_step (execution_id, position, action_id, name, type,"
                    " status, input, output, error, attempts, started_at, finished_at)"
                    " VALUES (:e, :p, :a, :a, 'transform', 'failed', :i, :o, 'boom', 1, :t, :t)"
                    " RETURNING id"
                ),
                {
                    "e": execution_id,
                    "p": position,
                    "a": f"s{position}",
                    "i": '{"in": "data"}',
                    "o": '{"out": "data"}',
                    "t": _naive(at),
                },
            ).scalar_one()
            conn.execute(
                sa.text(
                    "INSERT INTO step_attempt (step_id, number, started_at, error)"
                    " VALUES (:s, 1, :t, 'boom')"
                ),
                {"s": step_id, "t": _naive(at)},
            )
            if with_extras and position == 0:
                _extras(conn, execution_id, step_id, workflow_id, at)
    return int(execution_id)


def _extras(
    conn: sa.Connection, execution_id: int, step_id: int, workflow_id: int, at: Any
) -> None:
    conn.execute(
        sa.text(
            "INSERT INTO step_item (step_id, position, status, attempts, output)"
            " VALUES (:s, 0, 'succeeded', 1, '{\"item\": 1}')"
        ),
        {"s": step_id},
    )
    conn.execute(
        sa.text(
            "INSERT INTO step_wait (execution_id, step_id, action_id, kind, status, details,"
            " output, created_at) VALUES (:e, :s, 's0', 'timer', 'done', '{}', '{\"w\": 1}', :t)"
        ),
        {"e": execution_id, "s": step_id, "t": _naive(at)},
    )
    conn.execute(
        sa.text(
            "INSERT INTO approval (execution_id, step_id, workflow_id, action_id, message,"
            " approvers, on_timeout, status, created_at)"
            " VALUES (:e, :s, :w, 's0', 'ok?', '[]', 'reject', 'approved', :t)"
        ),
        {"e": execution_id, "s": step_id, "w": workflow_id, "t": _naive(at)},
    )


def _naive(value: datetime) -> datetime:
    return value.replace(tzinfo=None)


def count(table: str, where: str = "1=1", **params: Any) -> int:
    with get_engine().connect() as conn:
        return int(
            conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE {where}"), params).scalar()
        )
