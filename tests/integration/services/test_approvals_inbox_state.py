"""The Approvals inbox state against the real service and engine: a named approver decides with
a comment; an admin who is not named, or a viewer, forging the same events changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import reflex as rx

from app.engine import runtime
from app.engine.runner import Engine
from app.services import approvals, auth, executions, workflows
from app.ui.states.approvals import ApprovalsState
from tests.unit.ui import test_state_guards as guards
from tests.unit.ui.tabs import sign_in_tab
from tests.unit.ui.test_state_guards import People, call, redirect_target, toasts

people_template = guards.people_template
people = guards.people


@pytest.fixture
async def running(people: People) -> AsyncIterator[Engine]:
    engine = Engine(max_concurrent=4)
    runtime.install(engine)
    await engine.start()
    yield engine
    await engine.stop()
    runtime.install(None)


async def tab(token: str) -> ApprovalsState:
    state = await rx.State().get_state(ApprovalsState)
    sign_in_tab(state, token)
    return state


async def waiting_approval(people: People, engine: Engine, approvers: list[str]) -> int:
    member = auth.authenticate(people.tokens["member"])
    flow = {
        "name": "Release",
        "trigger": {"type": "manual"},
        "actions": [
            {"id": "ask", "type": "approval",
             "config": {"message": "Ship it?", "approvers": approvers, "timeout_s": 3600}},
            {"id": "go", "type": "transform", "depends_on": ["ask:approved"],
             "config": {"values": {"ok": True}}},
        ],
    }  # fmt: skip
    wf = workflows.create_workflow(member, flow).workflow["id"]
    run = await executions.execute_workflow(member, wf)
    await engine.drain()
    [item] = [
        i
        for i in approvals.list_approvals(member, status="pending")["items"]
        if i["execution_id"] == run["id"]
    ]
    return item["id"]


async def test_a_named_approver_decides_from_the_inbox(people: People, running: Engine) -> None:
    approval_id = await waiting_approval(people, running, ["member"])
    inbox = await tab(people.tokens["member"])
    assert await call(inbox, "load") is None
    [row] = inbox.rows
    assert row["id"] == approval_id and row["can_decide"] and row["status"] == "pending"
    assert row["workflow"] == "Release" and row["message"] == "Ship it?"
    assert row["execution_href"].startswith("/admin/executions/")
    assert row["deadline"].endswith("UTC (then reject)")

    await call(inbox, "open_decision", approval_id, "approved")
    assert inbox.dialog_open and inbox.dialog_title == "Approve this step?"
    await call(inbox, "set_comment", "ship it")
    answer = await call(inbox, "confirm")
    assert toasts(answer) == [("success", "Approved. The workflow goes on.")]
    assert not inbox.dialog_open
    [row] = inbox.rows  # stays in place, showing the decision, until the next refresh
    assert row["status"] == "approved" and not row["can_decide"]
    assert row["decision"].startswith("approved by member@example.com on ")
    assert row["decision"].endswith(": “ship it”")
    decided = approvals.get_approval(auth.authenticate(people.tokens["member"]), approval_id)
    assert decided["comment"] == "ship it"

    await call(inbox, "refresh")
    assert inbox.rows == []  # no longer pending
    await call(inbox, "set_status_filter", "approved")  # the history
    assert [r["id"] for r in inbox.rows] == [approval_id]


async def test_an_admin_not_named_and_a_viewer_are_refused(people: People, running: Engine) -> None:
    approval_id = await waiting_approval(people, running, ["member@example.com"])
    admin = await tab(people.tokens["admin"])
    await call(admin, "load")
    assert [r["can_decide"] for r in admin.rows] == [False]  # no buttons for them
    await call(admin, "open_decision", approval_id, "approved")  # a forged click
    [(kind, message)] = toasts(await call(admin, "confirm"))
    assert kind == "error" and "named approvers" in message

    viewer = await tab(people.tokens["viewer"])
    assert redirect_target(await call(viewer, "load")) == "/status"
    viewer.rows = admin.rows  # as if the event carried a row anyway
    await call(viewer, "open_decision", approval_id, "rejected")
    [(kind, _)] = toasts(await call(viewer, "confirm"))
    assert kind == "error"
    member = auth.authenticate(people.tokens["member"])
    assert approvals.get_approval(member, approval_id)["status"] == "pending"
