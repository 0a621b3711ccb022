"""The status snapshot names the workflows whose recent runs keep failing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from app.db.engine import session_scope
from app.db.models import Execution
from app.db.types import utcnow
from app.services import status, workflows
from app.services.actor import Actor

STEP = {"id": "a", "type": "transform", "config": {"values": {"x": 1}}}


def _workflow(member: Actor, name: str) -> int:
    body = {"name": name, "trigger": {"type": "manual"}, "actions": [STEP]}
    return workflows.create_workflow(member, body).workflow["id"]


def _runs(workflow_id: int, statuses: list[str], *, hours_ago: float = 1) -> None:
    """Ended runs, oldest first, a minute apart, ending `hours_ago` hours ago."""
    end = utcnow() - timedelta(hours=hours_ago)
    with session_scope() as session:
        for i, state in enumerate(statuses):
            started = end - timedelta(minutes=len(statuses) - i)
            session.add(
                Execution(workflow_id=workflow_id, status=state, started_at=started,
                          finished_at=started + timedelta(seconds=1))
            )  # fmt: skip


def test_the_snapshot_names_what_keeps_failing(db: Path, member: Actor) -> None:
    assert status.snapshot(member).failing == ""  # nothing has run

    nightly = _workflow(member, "Nightly import")
    _runs(nightly, ["succeeded", "failed", "failed", "failed", "failed"])
    healthy = _workflow(member, "Digest")
    _runs(healthy, ["failed", "succeeded", "succeeded", "succeeded", "succeeded"])
    recovered = _workflow(member, "Recovered")
    _runs(recovered, ["failed"] * 4 + ["succeeded"] * 5)

    snap = status.snapshot(member)
    assert snap.failing == "4 of the last 5 runs of Nightly import failed"
    assert snap.database == "ok"  # the system itself answers: the banner says which runs fail

    _runs(nightly, ["succeeded"] * 3, hours_ago=0.5)
    assert status.snapshot(member).failing == ""  # it recovered


def test_only_failures_of_the_last_day_raise_the_banner(db: Path, member: Actor) -> None:
    old = _workflow(member, "Last week")
    _runs(old, ["failed"] * 5, hours_ago=30)
    assert status.snapshot(member).failing == ""
