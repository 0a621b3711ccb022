"""Versions → the change report: counts over a period, by person and by workflow."""

from __future__ import annotations

import reflex as rx

from app.services import auth, workflows
from app.ui.states.change_report import ChangeReportState
from tests.unit.ui import test_state_guards as guards
from tests.unit.ui.tabs import sign_in_tab
from tests.unit.ui.test_state_guards import People, call

people_template = guards.people_template
people = guards.people


async def report_tab(token: str) -> ChangeReportState:
    state = await rx.State().get_state(ChangeReportState)
    sign_in_tab(state, token)
    return state


async def test_the_report_counts_changes_by_person_and_workflow(people: People) -> None:
    member = auth.authenticate(people.tokens["member"])
    step = {"id": "t", "type": "transform", "config": {"values": {"a": 1}}}
    body = {"name": "Nightly", "trigger": {"type": "manual"}, "actions": [step]}
    wf = workflows.create_workflow(member, body).workflow["id"]
    workflows.update_workflow(member, wf, {**body, "description": "now with a description"})
    workflows.create_workflow(member, {**body, "name": "Hourly"})

    tab = await report_tab(people.tokens["admin"])
    await call(tab, "load")
    assert (tab.total, tab.workflows_changed, tab.problem) == (3, 2, "")
    assert tab.by_person == [{"who": "member@example.com", "changes": 3}]
    assert tab.most_changed[0] == {"id": wf, "name": "Nightly", "changes": 2}

    await call(tab, "set_period", "24 hours")
    assert tab.period == "24 hours" and tab.total == 3
    await call(tab, "set_period", "forever")  # not offered: ignored
    assert tab.period == "24 hours"


async def test_a_viewer_gets_no_numbers(people: People) -> None:
    tab = await report_tab(people.tokens["viewer"])
    await call(tab, "load")
    assert tab.problem != "" and tab.total == 0 and not tab.loaded
