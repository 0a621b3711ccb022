"""`flowdeck rollups-rebuild` as a subprocess: rollups wiped by hand come back from the rows,
`--since` takes a UTC day, a bad day is refused without a traceback, and the rebuild is
audited."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.db.types import utcnow
from app.engine import store
from app.services import workflows
from app.services.actor import Actor
from tests.integration.test_cli import flowdeck, query


def test_rollups_rebuild_restores_the_rollups(db: Path, member: Actor) -> None:
    data = {"name": "wf", "trigger": {"type": "manual"},
            "actions": [{"id": "a", "type": "transform", "config": {"values": {}}}]}  # fmt: skip
    wf = workflows.create_workflow(member, data).workflow["id"]
    for _ in range(3):
        execution_id, _ = store.insert_execution(
            {"workflow_id": wf, "status": "queued", "queued_at": utcnow()}
        )
        assert store.cancel_queued(execution_id)
    assert query(db, "SELECT sum(runs), sum(cancelled) FROM execution_hour") == [(3, 3)]
    with sqlite3.connect(db / "flowdeck.db") as conn:
        conn.execute("DELETE FROM execution_hour")
        conn.execute("DELETE FROM execution_day")

    done = flowdeck(db, "rollups-rebuild")
    assert done.returncode == 0, done.stderr
    assert "rebuilt the analytics rollups from the first run: 1 workflow-hour(s)" in done.stdout
    assert query(db, "SELECT sum(runs), sum(cancelled) FROM execution_hour") == [(3, 3)]
    assert query(db, "SELECT sum(runs) FROM execution_day") == [(3,)]

    today = utcnow().date().isoformat()
    again = flowdeck(db, "rollups-rebuild", "--since", today)
    assert again.returncode == 0, again.stderr
    assert f"from {today}" in again.stdout
    assert query(db, "SELECT sum(runs) FROM execution_hour") == [(3,)]
    assert query(
        db, "SELECT count(*) FROM audit_event WHERE action = 'analytics.rollups_rebuilt'"
    ) == [(2,)]

    bad = flowdeck(db, "rollups-rebuild", "--since", "yesterday")
    assert bad.returncode == 2 and "not a date" in bad.stderr
    assert "Traceback" not in bad.stderr
