"""The Audit tab's reports state against a real database: admins get the system statistics
and a filtered person's or workflow's report; a member or viewer only their own activity,
whatever the filters say; a signed-out tab is sent to sign in."""

from __future__ import annotations

from typing import Any

import pytest
import reflex as rx

from app.services import auth, workflows
from app.ui.states.audit import AuditState
from app.ui.states.audit_reports import AuditReportsState, by_day_figure, by_type_figure
from tests.unit.ui import test_state_guards as guards
from tests.unit.ui.tabs import sign_in_tab
from tests.unit.ui.test_state_guards import People, call, redirect_target

people_template = guards.people_template
people = guards.people


async def tab(token: str) -> tuple[AuditReportsState, AuditState]:
    root = rx.State()
    reports = await root.get_state(AuditReportsState)
    trail = await root.get_state(AuditState)
    sign_in_tab(reports, token)
    sign_in_tab(trail, token)
    return reports, trail


def a_workflow(people: People) -> int:
    member = auth.authenticate(people.tokens["member"])
    step = {"id": "shape", "type": "transform", "config": {"values": {"n": 1}}}
    made = workflows.create_workflow(
        member, {"name": "Reported", "trigger": {"type": "manual"}, "actions": [step]}
    )
    workflows.update_workflow(member, made.workflow["id"], {"description": "edited"})
    return made.workflow["id"]


async def test_admin_sees_system_stats_and_the_filtered_reports(people: People) -> None:
    wid = a_workflow(people)
    reports, trail = await tab(people.tokens["admin"])
    assert await call(reports, "refresh") is None
    assert reports.admin_view and reports.problem == "" and reports.loaded
    assert reports.total_events > 0 and reports.total_events_label.endswith("events")
    assert any(p["label"] == "member@example.com" for p in reports.most_active)
    assert reports.person_label == "" and reports.workflow_name == ""

    trail.actor, trail.target_type, trail.target_id = "member@example.com", "workflow", str(wid)
    await call(reports, "set_days", "7")
    assert reports.days == "7" and reports.period_label == "7 days"
    assert reports.person_label == "member@example.com"
    assert {a["label"] for a in reports.person_actions} >= {"workflow.created"}
    assert reports.workflow_name == "Reported"
    assert (reports.workflow_changes, reports.workflow_runs) == (2, 0)
    assert [r["action"] for r in reports.workflow_last] == ["workflow.updated", "workflow.created"]

    await call(reports, "set_days", "9999")  # not a period: the default
    assert reports.days == "30"
    answer = await call(reports, "show_person", str(people.member_id))
    assert isinstance(answer, list) and len(answer) == 2


@pytest.mark.parametrize("who", ["member", "viewer"])
async def test_others_get_only_their_own_activity(people: People, who: str) -> None:
    wid = a_workflow(people)
    reports, trail = await tab(people.tokens[who])
    trail.actor = "admin@example.com"  # a forged filter: still only their own activity
    trail.target_type, trail.target_id = "workflow", str(wid)
    await call(reports, "refresh")
    assert not reports.admin_view and reports.problem == ""
    assert reports.person_label == f"{who}@example.com"
    assert reports.total_events == 0 and reports.most_active == [] and reports.failed_ips == []
    assert reports.workflow_name == ""  # a workflow's summary is for admins only


async def test_a_signed_out_tab_is_sent_to_sign_in(people: People) -> None:
    reports, _ = await tab("")
    answer: Any = await call(reports, "refresh")
    assert redirect_target(answer) == "/login"
    assert reports.most_active == [] and reports.person_label == ""


def test_figures_have_every_day_and_the_top_types() -> None:
    days = [{"day": f"2026-01-0{n}", "count": n} for n in range(1, 4)]
    fig = by_day_figure(days, [{"day": d["day"], "count": 0} for d in days])
    assert list(fig.data[0].x) == ["2026-01-01", "2026-01-02", "2026-01-03"]
    assert fig.data[1].name == "failed sign-ins" and fig.layout.yaxis.dtick == 1
    types = [{"action": f"a{n}", "count": 100 - n} for n in range(15)]
    bars = by_type_figure(types).data[0]
    assert len(bars.y) == 10 and bars.y[-1] == "a0"  # the biggest on top
