"""Audit reports (#16, original 004) on a real SQLite file: known answers and roles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.core.errors import AuthenticationFailed, NotFound, PermissionDenied, ValidationFailed
from app.core.statuses import Role
from app.db.engine import session_scope
from app.db.models import AuditEvent, Execution
from app.services import audit, audit_reports, auth, users, workflows
from app.services.actor import SYSTEM, Actor

FLOW = {
    "trigger": {"type": "manual"},
    "actions": [{"id": "calc", "type": "transform", "config": {"values": {"n": 1}}}],
}


def _person(email: str, role: Role) -> Actor:
    user = users.create_user(SYSTEM, email=email, role=role.value, password="pass-word-1234")
    return Actor(kind="user", user_id=user.id, email=email, role=role)


def _at(action: str, who: Actor | None, at: datetime, **kw: object) -> None:
    """An audit row written as `audit.record` writes it, then dated `at`."""
    with session_scope() as session:
        audit.record(session, who, action, **kw)  # type: ignore[arg-type]
        newest = session.exec(
            AuditEvent.__table__.select().order_by(AuditEvent.id.desc()).limit(1)  # type: ignore[attr-defined,union-attr]
        ).first()
        session.exec(
            AuditEvent.__table__.update().where(AuditEvent.id == newest.id).values(at=at)  # type: ignore[attr-defined]
        )


def _run(workflow_id: int, started: datetime) -> None:
    with session_scope() as session:
        session.add(
            Execution(
                workflow_id=workflow_id, status="succeeded", queued_at=started, started_at=started
            )
        )


@pytest.fixture
def people(db: Path) -> dict[str, Actor]:
    return {
        "admin": _person("boss@example.com", Role.ADMIN),
        "ann": _person("ann@example.com", Role.MEMBER),
        "bob": _person("bob@example.com", Role.MEMBER),
        "vic": _person("vic@example.com", Role.VIEWER),
    }


def test_workflow_summary_counts_changes_runs_and_people(people: dict[str, Actor]) -> None:
    ann, bob = people["ann"], people["bob"]
    wid = workflows.create_workflow(ann, {**FLOW, "name": "summarized"}).workflow["id"]
    workflows.update_workflow(bob, wid, {"description": "changed"})
    workflows.set_active(bob, wid, False)
    other = workflows.create_workflow(ann, {**FLOW, "name": "other"}).workflow["id"]
    now = datetime.now(UTC)
    for _ in range(3):
        _at("workflow.run", ann, now, target_type="workflow", target_id=wid)
        _run(wid, now)
    _run(wid, now - timedelta(hours=1))  # a scheduled run: nobody's audit row
    _run(wid, now - timedelta(days=40))  # outside 30 days
    _run(other, now)
    _at("workflow.updated", bob, now - timedelta(days=40), target_type="workflow", target_id=wid)

    admin = people["admin"]
    summary = audit_reports.workflow_summary(admin, wid, days=30)
    assert summary["workflow"] == {"id": wid, "name": "summarized"}
    assert summary["changes"] == 3  # created, updated, paused (the 40-day-old one is outside)
    assert summary["runs"] == 4 and summary["other_runs"] == 1
    assert {a["action"]: a["count"] for a in summary["by_action"]} == {
        "workflow.created": 1,
        "workflow.updated": 1,
        "workflow.paused": 1,
    }
    assert summary["by_actor"] == [
        {"actor_label": "ann@example.com", "changes": 1, "runs": 3},
        {"actor_label": "bob@example.com", "changes": 2, "runs": 0},
    ]
    assert [c["action"] for c in summary["last_changes"]] == [
        "workflow.paused",
        "workflow.updated",
        "workflow.created",
    ]
    assert summary["last_changes"][0]["summary"].startswith("version ")
    assert audit_reports.workflow_summary(admin, wid, days=60)["changes"] == 4

    assert audit_reports.workflow_summary(admin, wid, days=1)["runs"] == 3 + (
        1 if (now - timedelta(hours=1)).date() == now.date() else 0
    )
    for who in ("ann", "bob", "vic"):  # admins only, even for its own author
        with pytest.raises(PermissionDenied):
            audit_reports.workflow_summary(people[who], wid, days=7)
    with pytest.raises(NotFound):
        audit_reports.workflow_summary(admin, 999_999, days=7)


def test_user_activity_is_yours_alone_unless_admin(people: dict[str, Actor]) -> None:
    ann = people["ann"]
    now = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
    _at("workflow.updated", ann, now - timedelta(hours=1), target_type="workflow", target_id=1)
    _at("workflow.updated", ann, now - timedelta(days=1), target_type="workflow", target_id=1)
    _at("connection.created", ann, now - timedelta(days=2), target_type="connection")
    _at("connection.created", ann, now - timedelta(days=9), target_type="connection")
    _at("auth.login", people["bob"], now, target_type="user")

    report = audit_reports.user_activity(ann, ann.user_id or 0, days=3, now=now)
    assert report["user"]["email"] == "ann@example.com"
    assert report["period"]["start"] == "2026-06-08T00:00:00+00:00"
    assert report["by_day"] == [
        {"day": "2026-06-08", "count": 1},
        {"day": "2026-06-09", "count": 1},
        {"day": "2026-06-10", "count": 1},
    ]
    assert report["by_action"] == [
        {"action": "workflow.updated", "count": 2},
        {"action": "connection.created", "count": 1},
    ]
    assert report["total_events"] == 3
    assert [e["action"] for e in report["recent"]] == [
        "workflow.updated",
        "workflow.updated",
        "connection.created",
    ]
    week = audit_reports.user_activity(people["admin"], ann.user_id or 0, days=7, now=now)
    assert len(week["by_day"]) == 7 and week["total_events"] == 3
    assert audit_reports.user_activity(people["vic"], people["vic"].user_id or 0, days=7)

    with pytest.raises(PermissionDenied):
        audit_reports.user_activity(ann, people["bob"].user_id or 0, days=7)
    with pytest.raises(PermissionDenied):  # a member cannot probe which ids are people
        audit_reports.user_activity(ann, 999_999, days=7)
    with pytest.raises(NotFound):
        audit_reports.user_activity(people["admin"], 999_999, days=7)
    for bad in (0, 367, True, "7"):
        with pytest.raises(ValidationFailed):
            audit_reports.user_activity(ann, ann.user_id or 0, days=bad)  # type: ignore[arg-type]


def test_system_stats_types_days_people_and_failed_logins(people: dict[str, Actor]) -> None:
    admin, ann = people["admin"], people["ann"]
    for attempt in range(2):
        with pytest.raises(AuthenticationFailed):
            auth.login(email="ann@example.com", password=f"wrong-{attempt}", ip="203.0.113.9")
    with pytest.raises(AuthenticationFailed):
        auth.login(email="nobody@example.com", password="guess", ip="198.51.100.4")
    workflows.create_workflow(ann, {**FLOW, "name": "stats one"})
    workflows.create_workflow(ann, {**FLOW, "name": "stats two"})
    workflows.create_workflow(people["bob"], {**FLOW, "name": "stats three"})
    _at("auth.login_failed", None, datetime.now(UTC) - timedelta(days=20), ip="192.0.2.1")

    stats = audit_reports.system_stats(admin, days=7)
    by_type = {t["action"]: t["count"] for t in stats["by_type"]}
    assert by_type["auth.login_failed"] == 3
    assert by_type["workflow.created"] == 3
    assert len(stats["by_day"]) == 7
    assert (
        sum(d["count"] for d in stats["by_day"]) == stats["total_events"] == sum(by_type.values())
    )
    top = stats["most_active"]
    assert top[0]["actor_label"] == "ann@example.com" and top[0]["count"] == 2
    assert top[1]["actor_label"] == "bob@example.com"
    failed = stats["failed_logins"]
    assert failed["count"] == 3
    assert failed["by_day"][-1]["count"] == 3
    assert {(i["ip"], i["count"]) for i in failed["recent_ips"]} == {
        ("203.0.113.9", 2),
        ("198.51.100.4", 1),
    }
    assert failed["recent"][0]["email"] == "nobody@example.com"
    assert failed["recent"][0]["reason"] == "unknown email"
    assert audit_reports.system_stats(admin, days=30)["failed_logins"]["count"] == 4

    for who in ("ann", "vic"):
        with pytest.raises(PermissionDenied):
            audit_reports.system_stats(people[who], days=7)
    with pytest.raises(ValidationFailed):
        audit_reports.system_stats(admin, days=0)


def test_find_person_by_id_email_or_unique_part(people: dict[str, Actor]) -> None:
    admin, ann = people["admin"], people["ann"]
    assert audit_reports.find_person(admin, str(ann.user_id)) == ann.user_id
    assert audit_reports.find_person(admin, "ANN@example.com") == ann.user_id
    assert audit_reports.find_person(admin, "bob@") == people["bob"].user_id
    assert audit_reports.find_person(admin, "example.com") is None  # not one person
    assert audit_reports.find_person(admin, "%") is None
    assert audit_reports.find_person(admin, "999999") is None
    with pytest.raises(PermissionDenied):
        audit_reports.find_person(ann, "bob@example.com")


def test_summaries_say_what_a_row_did() -> None:
    summarize = audit_reports.summarize
    assert summarize("workflow.updated", {"name": "x", "version": 3}) == "version 3"
    rolled = {"restored_from": 2, "reason": "broke prod", "version": 5}
    assert summarize("workflow.rolled_back", rolled) == "restored version 2, because: broke prod"
    assert summarize("workflow.created", {"name": "Daily"}) == "Daily"
    assert summarize("workflow.run", {"trigger_type": "manual"}) == "by manual"
    assert summarize("auth.login", {"known_device": False}) == "new device"
    assert summarize("auth.login_failed", {"reason": "throttled"}) == "throttled"
    assert summarize("audit.exported", {}) == ""
