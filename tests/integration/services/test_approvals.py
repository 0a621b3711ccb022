"""Approvals end to end on the real engine and a real SQLite file: who may decide, the branch
that runs after a decision, timeouts, audit, and the approvers' notifications."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.core.statuses import Role
from app.db.engine import session_scope
from app.db.models import AuditEvent, Notification
from app.db.types import utcnow
from app.engine import wait_clock
from app.engine.bus import bus
from app.engine.runner import Engine
from app.services import approvals, executions, workflows
from app.services.actor import SYSTEM, Actor
from app.services.approval_notices import ApprovalNotices
from app.services.users import create_user


def person(email: str, role: str) -> Actor:
    user = create_user(SYSTEM, email=email, role=role, password="a-long-password")
    return Actor(kind="user", user_id=user.id, email=user.email, role=Role(role))


def approval_flow(approvers: list[str], **config) -> list[dict]:
    """ask → (approved) yes / (rejected) no."""
    return [
        {
            "id": "ask",
            "type": "approval",
            "config": {"message": "Ship {{ trigger.what }}?", "approvers": approvers, **config},
        },
        {
            "id": "yes",
            "type": "transform",
            "depends_on": ["ask:approved"],
            "config": {"values": {"by": "{{ steps.ask.output.by }}"}},
        },
        {
            "id": "no",
            "type": "transform",
            "depends_on": ["ask:rejected"],
            "config": {"values": {"why": "{{ steps.ask.output.comment }}"}},
        },
    ]


async def start(engine: Engine, member: Actor, actions: list[dict]) -> tuple[int, int]:
    """Run the workflow until it waits; (execution id, approval id)."""
    data = {"name": "needs approval", "trigger": {"type": "manual"}, "actions": actions}
    wf = workflows.create_workflow(member, data).workflow["id"]
    started = await executions.execute_workflow(member, wf, payload={"what": "v2"})
    await engine.drain()
    result = executions.get_execution(member, started["id"])
    assert result["status"] == "waiting"
    pending = approvals.list_approvals(member, status="pending")["items"]
    [mine] = [item for item in pending if item["execution_id"] == started["id"]]
    return started["id"], mine["id"]


def steps(member: Actor, execution_id: int) -> dict[str, dict]:
    return {s["action_id"]: s for s in executions.get_execution(member, execution_id)["steps"]}


def audit_actions(target_id: int) -> list[tuple[str, str, dict]]:
    with session_scope() as session:
        rows = session.exec(
            select(AuditEvent).where(
                AuditEvent.target_type == "approval", AuditEvent.target_id == str(target_id)
            )
        ).all()
        return [(r.action, r.actor_label, r.details) for r in rows]


async def test_a_named_approver_approves_and_the_approved_branch_runs(
    engine: Engine, member: Actor
) -> None:
    alice = person("alice@example.com", "member")
    execution_id, approval_id = await start(engine, member, approval_flow(["Alice@Example.com"]))
    item = approvals.get_approval(alice, approval_id)
    assert item["message"] == "Ship v2?" and item["can_decide"] is True
    assert approvals.get_approval(member, approval_id)["can_decide"] is False

    decided = await approvals.decide(alice, approval_id, "approved", "  looks good ")
    assert decided["status"] == "approved" and decided["comment"] == "looks good"
    await engine.drain()

    result = executions.get_execution(member, execution_id)
    assert result["status"] == "succeeded"
    ran = steps(member, execution_id)
    assert ran["ask"]["output"]["decision"] == "approved"
    assert ran["ask"]["output"]["by"] == "alice@example.com"
    assert ran["yes"]["status"] == "succeeded"
    assert ran["yes"]["output"] == {"by": "alice@example.com"}
    assert ran["no"]["status"] == "skipped"
    [(action, label, details)] = audit_actions(approval_id)
    assert (action, label) == ("approval.approved", "alice@example.com")
    assert details["comment"] == "looks good" and details["execution_id"] == execution_id


async def test_people_who_are_not_named_are_refused_and_nothing_changes(
    engine: Engine, member: Actor
) -> None:
    admin = person("boss@example.com", "admin")
    viewer = person("viewer@example.com", "viewer")
    execution_id, approval_id = await start(
        engine, member, approval_flow(["alice@example.com", "member"])
    )
    # An admin is not an approver unless listed; the member role is listed, yet viewers never.
    with pytest.raises(PermissionDenied, match="named approvers"):
        await approvals.decide(admin, approval_id, "approved")
    with pytest.raises(PermissionDenied):
        await approvals.decide(viewer, approval_id, "approved")
    with pytest.raises(NotFound):
        await approvals.decide(member, 999_999, "approved")
    with pytest.raises(ValidationFailed, match="comment"):
        await approvals.decide(member, approval_id, "approved", "x" * 2001)
    with pytest.raises(ValidationFailed, match="decision"):
        await approvals.decide(member, approval_id, "maybe")
    assert approvals.get_approval(member, approval_id)["status"] == "pending"
    assert executions.get_execution(member, execution_id)["status"] == "waiting"
    assert audit_actions(approval_id) == []

    # The member role is listed: any member may decide, once.
    await approvals.decide(member, approval_id, "rejected", "not today")
    with pytest.raises(Conflict, match="already rejected by member@example.com"):
        await approvals.decide(member, approval_id, "approved")


async def test_reject_runs_the_rejected_branch(engine: Engine, member: Actor) -> None:
    execution_id, approval_id = await start(engine, member, approval_flow(["member"]))
    await approvals.decide(member, approval_id, "rejected", "too risky")
    await engine.drain()
    ran = steps(member, execution_id)
    assert ran["no"]["status"] == "succeeded" and ran["no"]["output"] == {"why": "too risky"}
    assert ran["yes"]["status"] == "skipped"
    assert executions.get_execution(member, execution_id)["status"] == "succeeded"


@pytest.mark.parametrize(("on_timeout", "branch"), [("approve", "yes"), ("reject", "no")])
async def test_the_deadline_decides_with_on_timeout(
    engine: Engine, member: Actor, on_timeout: str, branch: str
) -> None:
    flow = approval_flow(["member"], timeout_s=60, on_timeout=on_timeout)
    execution_id, approval_id = await start(engine, member, flow)
    item = approvals.get_approval(member, approval_id)
    assert item["deadline"] is not None and item["on_timeout"] == on_timeout
    assert wait_clock.wake_due(utcnow()) == 0  # not due yet
    assert wait_clock.wake_due(utcnow() + timedelta(seconds=61)) == 1
    await engine.drain()
    item = approvals.get_approval(member, approval_id)
    assert item["decided_by_label"] == "timeout" and item["decided_by"] is None
    ran = steps(member, execution_id)
    assert ran[branch]["status"] == "succeeded"
    with pytest.raises(Conflict):
        await approvals.decide(member, approval_id, "approved")


async def test_the_inbox_lists_pending_first_and_counts_mine(engine: Engine, member: Actor) -> None:
    alice = person("alice@example.com", "member")
    _, first = await start(engine, member, approval_flow(["alice@example.com"]))
    await approvals.decide(alice, first, "approved")
    _, second = await start(engine, member, approval_flow(["admin"]))
    _, third = await start(engine, member, approval_flow(["member"]))

    assert approvals.count_pending(alice) == 1  # third (member role); second is admin-only
    assert approvals.pending_count_of_user(alice.user_id or 0) == 1
    mine = approvals.list_approvals(alice, mine=True)
    assert [i["id"] for i in mine["items"]] == [third, first]  # pending first
    listed = approvals.list_approvals(member)
    assert [i["id"] for i in listed["items"]] == [third, second, first]
    assert listed["total"] == 3
    page = approvals.list_approvals(member, limit=1, offset=1)
    assert [i["id"] for i in page["items"]] == [second] and page["total"] == 3
    history = approvals.list_approvals(member, status="approved")
    assert [i["id"] for i in history["items"]] == [first]
    with pytest.raises(ValidationFailed, match="status"):
        approvals.list_approvals(member, status="maybe")
    viewer = person("viewer@example.com", "viewer")
    with pytest.raises(PermissionDenied):
        approvals.list_approvals(viewer)
    assert approvals.count_pending(viewer) == 0


async def test_every_named_approver_gets_a_notification(engine: Engine, member: Actor) -> None:
    alice = person("alice@example.com", "member")
    admin = person("boss@example.com", "admin")
    person("viewer@example.com", "viewer")
    notices = ApprovalNotices(bus)
    notices.start()
    created: list[dict] = []
    bus.subscribe("notification.created", lambda e: created.append(e.data))
    try:
        _, approval_id = await start(engine, member, approval_flow(["alice@example.com", "admin"]))
        await notices.drain()
    finally:
        await notices.stop()
    with session_scope() as session:
        notes = session.exec(select(Notification).order_by(Notification.user_id)).all()
        got = [(n.user_id, n.title, n.link) for n in notes]
    assert got == [
        (alice.user_id, "Approval needed: needs approval", "/admin/approvals"),
        (admin.user_id, "Approval needed: needs approval", "/admin/approvals"),
    ]
    assert sorted(e["user_id"] for e in created) == sorted([alice.user_id, admin.user_id])
    assert approvals.approver_user_ids(["alice@example.com", "admin"]) == sorted(
        [alice.user_id, admin.user_id]
    )
    assert approval_id


async def _recounts(engine: Engine, member: Actor, end) -> list[int]:
    """Users told to recount their approvals when an approval of `member`'s is ended by `end`."""
    notices = ApprovalNotices(bus)
    notices.start()
    told: list[int] = []

    def listen(event) -> None:
        if event.name == "notification.approvals":
            told.append(event.data["user_id"])

    bus.subscribe("notification.approvals", listen)
    try:
        flow = approval_flow(["member"], timeout_s=60)
        execution_id, approval_id = await start(engine, member, flow)
        await notices.drain()
        assert approvals.count_pending(member) == 1 and told == []
        await end(execution_id, approval_id)
        await engine.drain()
        await notices.drain()
    finally:
        bus.unsubscribe(listen)
        await notices.stop()
    assert approvals.count_pending(member) == 0
    return told


async def test_a_timeout_tells_the_approvers_bells(engine: Engine, member: Actor) -> None:
    async def deadline(execution_id: int, approval_id: int) -> None:
        assert wait_clock.wake_due(utcnow() + timedelta(seconds=61)) == 1

    assert await _recounts(engine, member, deadline) == [member.user_id]


async def test_a_cancelled_run_tells_the_approvers_bells(engine: Engine, member: Actor) -> None:
    async def cancel(execution_id: int, approval_id: int) -> None:
        await executions.cancel_execution(member, execution_id)
        assert approvals.get_approval(member, approval_id)["status"] == "cancelled"

    assert await _recounts(engine, member, cancel) == [member.user_id]
