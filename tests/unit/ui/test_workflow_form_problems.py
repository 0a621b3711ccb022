"""The workflow form shows every problem at once, each under its own input, in one save."""

from __future__ import annotations

import pytest
import reflex as rx
from reflex.istate.data import PageData

from app.ui.forms.workflow_form import input_of
from app.ui.states.workflow_editor import (
    SCROLL_TO_FIRST_PROBLEM,
    WorkflowEditorErrors,
    WorkflowEditorState,
)
from tests.unit.ui import test_state_guards as guards
from tests.unit.ui.tabs import sign_in_tab
from tests.unit.ui.test_state_guards import People, call, toasts

people_template = guards.people_template
people = guards.people


@pytest.mark.parametrize(
    ("action_type", "rest", "expected"),
    [
        ("api_call", "config.url", "url"),
        ("api_call", "config.headers.Accept", "headers_json"),
        ("api_call", "config.json", "body_json"),
        ("api_call", "config.expected_status[1]", "expected_status"),
        ("api_call", "config.timeout_s", "timeout_call"),  # the request's, not the step's
        ("api_call", "timeout_s", "timeout_s"),
        ("transform", "config.values", "values_json"),
        ("transform", "config.values.city", "values_json"),
        ("delay", "config.seconds", "seconds"),
        ("monitor", "config.sources[0]", "connection"),
        ("monitor", "config.urls", "list_text"),
        ("share", "config.connections", "list_text"),
        ("notify", "config.alert", "alert"),
        ("delay", "retry.max_attempts", "retry_max"),
        ("delay", "retry.delay_s", "retry_delay"),
        ("delay", "condition", "condition"),
        ("delay", "id", "id"),
        ("plugin_step", "config.x", "extra_json"),  # a type without a form: its raw JSON config
        ("script", "config.code", ""),  # a flow-field type: mapped by the form's FLOW_FIELDS
        ("switch", "config.whatever", ""),  # a flow step's own fields are mapped elsewhere
        ("api_call", "config.nothing_like_it", ""),  # the card lists it
        ("delay", "", ""),
        ("delay", "identity", ""),  # not `id`: a whole segment must match
    ],
)
def test_a_step_problem_belongs_under(action_type: str, rest: str, expected: str) -> None:
    assert input_of(action_type, rest) == expected


async def editor(token: str) -> WorkflowEditorState:
    root = rx.State()
    root.rx_router_page = PageData(path="/admin/workflows/new", params={})
    state = await root.get_state(WorkflowEditorState)
    sign_in_tab(state, token)
    return state


async def test_one_save_shows_every_problem_under_its_own_input(people: People) -> None:
    state = await editor(people.tokens["admin"])
    await call(state, "load_new")
    await call(state, "set_field", "concurrency_limit", "many")  # the form's own check
    await call(state, "set_action_field", 0, "values_json", "{oops")  # the form's own check
    await call(state, "add_action", "api_call")  # no URL: only the service says so
    await call(state, "set_trigger_field", "type", "schedule")
    await call(state, "set_trigger_field", "cron", "61 * * * *")  # the service's check
    await call(state, "set_trigger_field", "timezone", "Mars/Olympus")  # the service's check
    answer = await call(state, "save")  # the name is empty too: the service's check

    assert state.workflow_id == 0
    assert set(state.errors) >= {
        "name",
        "concurrency_limit",
        "actions[0].config.values",
        "actions[1].config.url",
        "trigger.config.cron",
        "trigger.config.timezone",
    }, state.errors
    assert "whole number" in state.errors["concurrency_limit"]
    assert "Not valid JSON" in state.errors["actions[0].config.values"]
    shown = await state.get_state(WorkflowEditorErrors)
    assert shown.action_field_errors[0]["values_json"].startswith("Not valid JSON")
    assert shown.action_field_errors[1]["url"]
    assert shown.action_errors == ["", ""]  # nothing left over on the cards
    assert shown.trigger_error == ""  # cron and time zone are under their inputs
    count = len(state.errors)
    assert toasts(answer) == [("error", f"{count} fields need attention")]
    scripts = [str(spec) for spec in answer if "scrollIntoView" in str(spec)]
    assert scripts, "the page scrolls to the first problem"
    assert "[data-problem]" in SCROLL_TO_FIRST_PROBLEM


async def test_a_fixed_field_loses_its_problem_and_the_save_goes_through(people: People) -> None:
    state = await editor(people.tokens["admin"])
    await call(state, "load_new")
    await call(state, "set_action_field", 0, "values_json", "{oops")
    await call(state, "save")
    assert set(state.errors) == {"name", "actions[0].config.values"}, state.errors
    await call(state, "set_field", "name", "Fixed")
    assert "name" not in state.errors
    await call(state, "set_action_field", 0, "values_json", '{"a": 1}')
    answer = await call(state, "save")
    assert state.errors == {} and state.workflow_id, state.errors
    assert ("success", "Saved Fixed") in toasts(answer)


async def test_the_time_zone_field_finds_names_and_clears_its_problem(people: People) -> None:
    state = await editor(people.tokens["admin"])
    await call(state, "load_new")
    await call(state, "set_trigger_field", "type", "schedule")
    await call(state, "set_trigger_field", "timezone", "Mars/Olympus")
    await call(state, "save")
    assert state.errors["trigger.config.timezone"] == "Unknown time zone"
    await call(state, "set_trigger_field", "timezone", "berlin")
    assert "trigger.config.timezone" not in state.errors  # typing again clears it
    assert state.tz_matches[0] == "Europe/Berlin"
    await call(state, "set_trigger_field", "timezone", "Europe/Berlin")
    assert state.tz_matches == []
    assert state.next_runs and all(run.endswith(("CET", "CEST")) for run in state.next_runs)
