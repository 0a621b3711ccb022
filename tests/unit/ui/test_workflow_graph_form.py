"""The workflow form's graph fields against a real database: Runs after, trigger rules, flow steps.

A form built through the handlers a browser calls is saved by the real service, reopened, and
must give back the same choices; a workflow saved without graph fields stays without them; the
service's problems (`actions[2].depends_on[0]`, a cycle at `actions[i].depends_on`,
`actions[1].trigger_rule`) land under the field they are about, not in the card's catch-all.
"""

from __future__ import annotations

from typing import Any

import pytest
import reflex as rx
from reflex.istate.data import PageData

from app.engine.actions import action_types
from app.services import auth, workflows
from app.ui.forms.step_kinds import (
    ACTION_TYPES,
    BASIC_TYPES,
    CONTENT_TYPES,
    FLOW_TYPES,
    OPS_TYPES,
    dependency_choices,
    missing_dependencies,
)
from app.ui.forms.workflow_form import blank_action, definition_to_form, form_to_definition
from app.ui.states.workflow_editor import WorkflowEditorErrors, WorkflowEditorState
from tests.unit.ui import test_state_guards as guards
from tests.unit.ui.tabs import sign_in_tab
from tests.unit.ui.test_state_guards import People, call

people_template = guards.people_template
people = guards.people


async def editor(token: str, **params: str) -> WorkflowEditorState:
    """The editor's state (its handlers) in a signed-in tab."""
    root = rx.State()
    root.rx_router_page = PageData(path="/admin/workflows/new", params=params)
    state = await root.get_state(WorkflowEditorState)
    sign_in_tab(state, token)
    return state


async def views(state: WorkflowEditorState) -> WorkflowEditorErrors:
    """The substate whose computed vars the cards read (options, errors per field)."""
    return await state.get_state(WorkflowEditorErrors)


async def _set(state: WorkflowEditorState, index: int, **values: Any) -> None:
    for name, value in values.items():
        await call(state, "set_action_field", index, name, value)


async def build_branch(state: WorkflowEditorState) -> None:
    """check (if) → yes / no on its outputs → join after both, none_failed."""
    await call(state, "load_new")
    await call(state, "set_field", "name", "Branchy")
    await call(state, "set_field", "max_parallel", "3")
    await _set(state, 0, type="if", id="check", branch_condition="trigger.n > 1")
    for step_id in ("yes", "no", "join"):
        await call(state, "add_action", "transform")
        await _set(state, len(state.actions) - 1, id=step_id)
    await call(state, "toggle_dependency", 1, "check:true", True)
    await call(state, "toggle_dependency", 2, "check:false", True)
    await call(state, "toggle_dependency", 3, "yes", True)
    await call(state, "toggle_dependency", 3, "no", True)
    await _set(state, 3, trigger_rule="none_failed")


def test_every_registered_type_is_offered_once_in_a_group() -> None:
    assert sorted(ACTION_TYPES) == sorted(action_types())
    assert BASIC_TYPES + FLOW_TYPES + OPS_TYPES + CONTENT_TYPES == ACTION_TYPES
    assert FLOW_TYPES[:3] == ["if", "switch", "merge"]
    assert {"wait", "sub_workflow"} <= set(FLOW_TYPES)
    assert ACTION_TYPES[0] == "transform"


async def test_runs_after_offers_other_steps_and_branch_outputs(people: People) -> None:
    state = await editor(people.tokens["admin"])
    await build_branch(state)
    await call(state, "add_action", "switch")
    await _set(state, 4, id="route", cases_json='{"big": 10}')
    shown = await views(state)
    choices = shown.dependency_choices
    assert [o["value"] for o in choices] == [
        "check", "check:true", "check:false", "check:failed", "yes", "yes:failed", "no",
        "no:failed", "join", "join:failed", "route", "route:big", "route:default", "route:failed",
    ]  # fmt: skip
    labels = [o["label"] for o in choices]
    assert "check: true" in labels and "route: default" in labels and "yes failed" in labels
    # A card leaves out its own entries (by `source`); the form offers the rest.
    own_of_join = [o["value"] for o in choices if o["source"] == "join"]
    assert own_of_join == ["join", "join:failed"]
    assert {o["source"] for o in choices if o["value"].startswith("check")} == {"check"}
    assert shown.missing_dependencies == [[], [], [], [], []]


async def test_a_chosen_dependency_nobody_offers_stays_listed_to_uncheck(people: People) -> None:
    state = await editor(people.tokens["admin"])
    await build_branch(state)
    await call(state, "toggle_dependency", 3, "join", True)  # itself
    await _set(state, 1, id="yes2")  # renames "yes": join's choice follows the new name
    missing = (await views(state)).missing_dependencies
    assert [o["value"] for o in missing[3]] == ["join"]
    assert missing[3][0]["label"] == "join (not found)"


def test_the_choices_grow_with_the_steps_not_their_square() -> None:
    actions = [
        {"id": f"s{i}", "type": "if" if i % 2 else "transform", "depends_on": []}
        for i in range(200)
    ]
    # each step, its "failed" output, and an if's true and false
    assert len(dependency_choices(actions)) == 100 * 2 + 100 * 4
    assert missing_dependencies(actions, dependency_choices(actions)) == [[]] * 200


async def test_previous_and_start_choices(people: People) -> None:
    state = await editor(people.tokens["admin"])
    await build_branch(state)
    await call(state, "run_at_start", 3, True)
    assert state.actions[3]["at_start"] and state.actions[3]["depends_on"] == []
    definition, _ = form_to_definition(state.fields, state.trigger, state.actions)
    assert definition["actions"][3]["depends_on"] == []
    await call(state, "toggle_dependency", 3, "yes", True)
    assert not state.actions[3]["at_start"]
    await call(state, "run_after_previous", 3, True)
    definition, _ = form_to_definition(state.fields, state.trigger, state.actions)
    assert "depends_on" not in definition["actions"][3]


async def test_renaming_or_removing_a_step_follows_in_runs_after(people: People) -> None:
    state = await editor(people.tokens["admin"])
    await build_branch(state)
    await _set(state, 0, id="gate")
    assert state.actions[1]["depends_on"] == ["gate:true"]
    await _set(state, 1, id="no")  # "yes" takes the id of "no" for a moment …
    await _set(state, 1, id="yes2")  # … which must not carry "no"'s followers along
    assert state.actions[3]["depends_on"] == ["yes", "no"]
    await _set(state, 1, id="yes")
    await call(state, "remove_action", 1)  # "yes"
    assert state.actions[2]["id"] == "join" and state.actions[2]["depends_on"] == ["no"]


async def test_saved_graph_comes_back_when_reopened(people: People) -> None:
    state = await editor(people.tokens["admin"])
    await build_branch(state)
    await call(state, "save")
    assert state.errors == {} and state.form_error == "", state.errors
    stored = workflows.get_workflow(auth.authenticate(people.tokens["admin"]), state.workflow_id)
    assert stored["max_parallel"] == 3
    assert stored["actions"][0]["config"] == {"condition": "trigger.n > 1"}
    assert stored["actions"][3]["depends_on"] == ["yes", "no"]
    assert stored["actions"][3]["trigger_rule"] == "none_failed"
    assert "depends_on" not in stored["actions"][0] and "trigger_rule" not in stored["actions"][1]

    again = await editor(people.tokens["admin"], workflow_id=str(state.workflow_id))
    await call(again, "load_edit")
    assert again.fields["max_parallel"] == "3"
    assert [a["depends_on"] for a in again.actions] == [[], ["check:true"], ["check:false"],
                                                        ["yes", "no"]]  # fmt: skip
    assert [a["trigger_rule"] for a in again.actions][3] == "none_failed"
    assert again.actions[0]["branch_condition"] == "trigger.n > 1"
    assert not again.actions[0]["at_start"]


def test_a_workflow_without_graph_fields_stays_without_them() -> None:
    plain = {
        "name": "Plain",
        "max_parallel": 8,
        "trigger": {"type": "manual", "config": {}},
        "actions": [
            {"id": "a", "type": "transform", "config": {"values": {"x": 1}}},
            {"id": "b", "type": "delay", "config": {"seconds": 1}},
        ],
    }
    fields, trigger, actions = definition_to_form(plain)
    definition, problems = form_to_definition(fields, trigger, actions)
    assert problems == []
    for action in definition["actions"]:
        assert "depends_on" not in action and "trigger_rule" not in action


def test_flow_steps_round_trip_through_the_form() -> None:
    steps = [
        {"id": "route", "type": "switch", "config": {"value": "{{ trigger.k }}",
                                                     "cases": {"a": 1, "b": "x"}}},
        {"id": "both", "type": "merge", "config": {"mode": "append"},
         "depends_on": ["route:a", "route:default"], "trigger_rule": "any_succeeded"},
        {"id": "first", "type": "transform", "config": {"values": {}}, "depends_on": []},
    ]  # fmt: skip
    definition = {"name": "F", "trigger": {"type": "manual", "config": {}}, "actions": steps}
    fields, trigger, actions = definition_to_form(definition)
    back, problems = form_to_definition(fields, trigger, actions)
    assert problems == []
    for got, want in zip(back["actions"], steps, strict=True):
        for key in ("config", "depends_on", "trigger_rule"):
            assert got.get(key) == want.get(key), key


def test_bad_cases_json_is_reported_at_its_config_path() -> None:
    form = blank_action(0, "switch")
    form["cases_json"] = "{nope"
    _, problems = form_to_definition({"name": "x"}, definition_to_form({})[1], [form])
    assert [p.path for p in problems] == ["actions[0].config.cases"]


async def test_service_problems_land_under_their_fields(people: People) -> None:
    state = await editor(people.tokens["admin"])
    await build_branch(state)
    await call(state, "toggle_dependency", 2, "check:maybe", True)  # not an output of an if
    await _set(state, 0, branch_condition="")
    await call(state, "toggle_dependency", 0, "join", True)  # check → … → join → check: cycle
    await call(state, "set_field", "max_parallel", "99")
    await call(state, "save")
    assert state.workflow_id == 0
    shown = await views(state)
    fields = shown.action_field_errors
    assert "check:maybe" in fields[2]["depends_on"], state.errors
    assert fields[0].get("depends_on") and "cycle" in str(state.errors).lower()
    assert fields[0]["config.condition"]
    assert "max_parallel" in state.errors
    assert "depends_on" not in shown.action_errors[2]
    assert "condition" not in shown.action_errors[0]


async def test_a_bad_trigger_rule_shows_under_the_trigger_rule(people: People) -> None:
    state = await editor(people.tokens["admin"])
    await build_branch(state)
    await _set(state, 1, trigger_rule="sometimes")
    await call(state, "save")
    shown = await views(state)
    assert shown.action_field_errors[1]["trigger_rule"], state.errors
    assert shown.action_errors[1] == ""


@pytest.mark.parametrize("bad", ["0", "65"])
def test_max_parallel_is_sent_as_typed(bad: str) -> None:
    fields, trigger, actions = definition_to_form({"name": "x", "actions": [{"id": "a"}]})
    definition, _ = form_to_definition({**fields, "max_parallel": bad}, trigger, actions)
    assert definition["max_parallel"] == int(bad)  # the service says what the range is
