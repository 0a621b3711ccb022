"""One lock order for alert delivery (#17): every transaction that writes both `alert` and
`alert_delivery` writes the alert rows first. Opposite orders deadlock on PostgreSQL (5 in 3
runs, a sent message recorded as failed); the order is checked here on the statements the
real delivery path sends. And the retry helper tries a transaction again after a real
SQLite snapshot conflict, but not after other errors."""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.alerts.delivery import AlertDispatcher
from app.db.engine import get_engine, session_scope
from app.db.models import AlertDelivery
from app.db.retry import with_retry
from app.engine.runner import Engine
from app.services import alerts
from app.services.actor import Actor
from tests.integration.alerts.conftest import Clock, failing_workflow, run
from tests.integration.alerts.counterparts import SLACK_HOOK, Counterparts

_WRITE = re.compile(r"^\s*(UPDATE|INSERT INTO|DELETE FROM)\s+\"?(alert_delivery|alert)\b", re.I)


class Transactions:
    """The tables each transaction on the engine wrote, in order."""

    def __init__(self) -> None:
        self.open: dict[int, list[str]] = defaultdict(list)
        self.done: list[list[str]] = []

    def statement(self, conn: Any, _cursor: Any, text: str, *_: Any) -> None:
        if (match := _WRITE.match(text)) is not None:
            self.open[id(conn)].append(match.group(2).lower())

    def commit(self, conn: Any) -> None:
        if writes := self.open.pop(id(conn), []):
            self.done.append(writes)


async def test_alert_rows_are_written_before_delivery_rows(
    engine: Engine,
    dispatcher: AlertDispatcher,
    member: Actor,
    counterparts: Counterparts,
    clock: Clock,
) -> None:
    wf = failing_workflow(member, counterparts.base_url)
    for name in ("first", "second"):  # two alerts: one plan writes both
        alerts.create_alert(
            member,
            {"name": name, "workflowId": wf, "alertType": "slack", "events": ["workflow_fail"],
             "channel": counterparts.base_url + SLACK_HOOK, "severity": "error"},
        )  # fmt: skip
    seen = Transactions()
    db_engine = get_engine()
    sa.event.listen(db_engine, "before_cursor_execute", seen.statement)
    sa.event.listen(db_engine, "commit", seen.commit)
    try:
        await run(member, engine, dispatcher, wf)  # two new deliveries, sent, finished
        clock.advance(1)
        await run(member, engine, dispatcher, wf)  # inside the storm window: absorbed
    finally:
        sa.event.remove(db_engine, "before_cursor_execute", seen.statement)
        sa.event.remove(db_engine, "commit", seen.commit)
    with session_scope() as session:
        rows = session.exec(select(AlertDelivery)).all()
    assert sorted((r.status, r.occurrences) for r in rows) == [("delivered", 2)] * 2
    both = [writes for writes in seen.done if {"alert", "alert_delivery"} <= set(writes)]
    assert len(both) >= 4  # two plans and (at least) the two ends of the deliveries
    for writes in both:
        last_alert = max(i for i, table in enumerate(writes) if table == "alert")
        first_delivery = writes.index("alert_delivery")
        assert last_alert < first_delivery, writes


def _snapshot_conflict_once(path: Path) -> tuple[list[int], Any]:
    """A transaction that reads, then writes; on its first try another connection commits
    in between, which SQLite answers with SQLITE_BUSY_SNAPSHOT."""
    tries: list[int] = []

    def transaction() -> int:
        tries.append(1)
        with get_engine().connect() as conn:
            conn.exec_driver_sql("BEGIN")  # the read holds its snapshot (pysqlite defers BEGIN)
            value = conn.execute(sa.text("SELECT n FROM counter")).scalar_one()
            if len(tries) == 1:
                other = sqlite3.connect(path, isolation_level=None)
                other.execute("UPDATE counter SET n = n + 100")
                other.close()
            conn.execute(sa.text("UPDATE counter SET n = :n"), {"n": value + 1})
            conn.commit()
        return value + 1

    return tries, transaction


def test_a_snapshot_conflict_is_tried_again(db: Path) -> None:
    with get_engine().begin() as conn:
        conn.execute(sa.text("CREATE TABLE counter (n INTEGER)"))
        conn.execute(sa.text("INSERT INTO counter VALUES (0)"))
    tries, transaction = _snapshot_conflict_once(db / "flowdeck.db")
    assert with_retry(transaction) == 101  # the second try read the other writer's value
    assert len(tries) == 2


def test_other_errors_are_not_tried_again(db: Path) -> None:
    tries: list[int] = []

    def transaction() -> None:
        tries.append(1)
        with get_engine().begin() as conn:
            conn.execute(sa.text("INSERT INTO no_such_table VALUES (1)"))

    with pytest.raises(sa.exc.OperationalError):
        with_retry(transaction)
    assert len(tries) == 1
