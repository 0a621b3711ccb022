"""Workflow versions against a real SQLite file: words per save, compare, rollback, report."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from app.core.errors import Conflict, NotFound, ValidationFailed
from app.db.engine import session_scope
from app.db.models import AuditEvent, WorkflowVersion
from app.db.types import utcnow
from app.services import workflow_history, workflows
from app.services.actor import SYSTEM, Actor
from app.services.users import create_user


def _definition(url: str = "https://a.example/feed") -> dict[str, Any]:
    return {
        "name": "Digest",
        "trigger": {"type": "schedule", "config": {"cron": "0 9 * * *"}},
        "actions": [
            {"id": "fetch", "type": "api_call", "config": {"method": "GET", "url": url}},
            {"id": "shape", "type": "transform", "config": {"values": {"n": 1}}},
        ],
    }


def _three_versions(member: Actor) -> int:
    wf = workflows.create_workflow(member, _definition()).workflow["id"]
    workflows.update_workflow(member, wf, _definition("https://b.example/feed"))
    notify = {"id": "notify", "type": "transform", "config": {"values": {"m": "done"}}}
    changed = _definition("https://b.example/feed")
    changed["actions"].append(notify)
    changed["trigger"]["config"]["cron"] = "0 10 * * *"
    workflows.update_workflow(member, wf, {**changed, "change_description": "more"})
    return wf


def test_every_save_stores_its_change_in_words(db: Path, member: Actor) -> None:
    wf = _three_versions(member)
    workflows.set_active(member, wf, False)
    page = workflow_history.list_versions(member, wf)
    assert page["total"] == 4 and page["current_version"] == 4
    assert [(v["version_number"], v["change_summary"]) for v in page["items"]] == [
        (4, ["paused"]),
        (3, ["schedule 0 9 * * * → 0 10 * * *", "added action `notify`"]),
        (2, ["changed `actions.fetch.config.url`"]),
        (1, ["created"]),
    ]
    v3 = workflow_history.get_version(member, wf, 3)
    assert v3["change_description"] == "more" and v3["changed_by"] == member.user_id
    assert v3["definition"]["actions"][2]["id"] == "notify" and v3["change_type"] == "edited"
    with pytest.raises(NotFound):
        workflow_history.get_version(member, wf, 9)


def test_compare_any_two_versions(db: Path, member: Actor) -> None:
    wf = _three_versions(member)
    result = workflow_history.compare(member, wf, 1, 3)
    assert result["summary"] == [
        "schedule 0 9 * * * → 0 10 * * *",
        "added action `notify`",
        "changed `actions.fetch.config.url`",
    ]
    assert "root['trigger']['config']['cron']" in result["diff"]["values_changed"]
    backwards = workflow_history.compare(member, wf, 3, 1)
    assert "removed action `notify`" in backwards["summary"]
    with pytest.raises(NotFound):
        workflow_history.compare(member, wf, 1, 7)


def test_rollback_is_a_new_version_with_restored_from_and_reason(db: Path, member: Actor) -> None:
    wf = _three_versions(member)
    result = workflow_history.rollback(member, wf, 1, "  v2 broke the feed  ")
    version = result["version"]
    assert (version["version_number"], version["restored_from"]) == (4, 1)
    assert version["reason"] == "v2 broke the feed" and version["change_type"] == "rolled_back"
    assert version["change_description"] == "rolled back to version 1"
    assert version["definition"] == workflow_history.get_version(member, wf, 1)["definition"]
    assert "removed action `notify`" in version["change_summary"]
    current = workflows.get_workflow(member, wf)
    assert current["version"] == 4 and current["trigger"]["config"]["cron"] == "0 9 * * *"
    with session_scope() as session:
        row = session.exec(
            select(AuditEvent).where(AuditEvent.action == "workflow.rolled_back")
        ).one()
    assert row.target_id == str(wf)
    assert row.details == {
        "name": "Digest",
        "version": 4,
        "restored_from": 1,
        "reason": "v2 broke the feed",
    }


@pytest.mark.parametrize(
    ("number", "reason", "error", "text"),
    [
        (1, "", ValidationFailed, "reason"),
        (1, "   ", ValidationFailed, "reason"),
        (1, "x" * 2001, ValidationFailed, "at most"),
        (9, "because", NotFound, "no version 9"),
        (3, "because", Conflict, "already matches version 3"),
    ],
)
def test_bad_rollbacks_change_nothing(
    db: Path, member: Actor, number: int, reason: str, error: type[Exception], text: str
) -> None:
    wf = _three_versions(member)
    with pytest.raises(error, match=text):
        workflow_history.rollback(member, wf, number, reason)
    with session_scope() as session:
        count = len(session.exec(select(WorkflowVersion)).all())
    assert count == 3 and workflows.get_workflow(member, wf)["version"] == 3


def test_rollback_of_a_missing_workflow_is_404(db: Path, member: Actor) -> None:
    with pytest.raises(NotFound, match="workflow 404"):
        workflow_history.rollback(member, 404, 1, "why not")


def test_change_summary_report(db: Path, member: Actor) -> None:
    other_user = create_user(SYSTEM, email="ops@example.com", role="member", password="x" * 12)
    ops = Actor(kind="user", user_id=other_user.id, email="ops@example.com", role=member.role)
    busy = _three_versions(member)
    quiet = workflows.create_workflow(ops, {**_definition(), "name": "Quiet"}).workflow["id"]
    workflows.set_active(ops, busy, False)
    report = workflow_history.change_summary_report(member)
    assert report["total_changes"] == 5 and report["workflows_changed"] == 2
    assert report["by_person"] == [
        {"user_id": member.user_id, "email": "member@example.com", "changes": 3},
        {"user_id": ops.user_id, "email": "ops@example.com", "changes": 2},
    ]
    assert report["most_changed"] == [
        {"workflow_id": busy, "name": "Digest", "changes": 4},
        {"workflow_id": quiet, "name": "Quiet", "changes": 1},
    ]
    later = workflow_history.change_summary_report(member, since=utcnow() + timedelta(hours=1))
    assert later["total_changes"] == 0 and later["most_changed"] == []
    past = workflow_history.change_summary_report(member, until=utcnow() - timedelta(days=1))
    assert past["total_changes"] == 0
