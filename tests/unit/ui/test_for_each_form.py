"""The workflow form's `for_each` fields: a round trip, a save through the real service, and
the inner step's problems shown under the step field."""

from __future__ import annotations

import json

from app.services import auth, workflows
from app.ui.forms.step_kinds import FLOW_TYPES
from app.ui.forms.workflow_form import blank_action, definition_to_form, form_to_definition
from tests.unit.ui import test_state_guards as guards
from tests.unit.ui.test_state_guards import People, call
from tests.unit.ui.test_workflow_graph_form import _set, editor, views

people_template = guards.people_template
people = guards.people

LOOP = {
    "id": "loop",
    "type": "for_each",
    "config": {
        "items": "{{ steps.fetch.output.body.rows }}",
        "concurrency": 16,
        "step": {
            "type": "api_call",
            "config": {"url": "https://api.test/rows/{{ item.id }}"},
            "retry": {"strategy": "immediate", "max_attempts": 2},
            "continue_on_error": True,
        },
    },
}


def test_for_each_is_a_flow_step_and_round_trips_through_the_form() -> None:
    assert "for_each" in FLOW_TYPES
    definition = {"name": "F", "trigger": {"type": "manual", "config": {}}, "actions": [LOOP]}
    fields, trigger, actions = definition_to_form(definition)
    assert actions[0]["each_concurrency"] == "16"
    back, problems = form_to_definition(fields, trigger, actions)
    assert problems == []
    assert back["actions"][0]["config"] == LOOP["config"]


def test_a_new_for_each_has_a_working_default() -> None:
    form = blank_action(0, "for_each")
    definition, problems = form_to_definition({"name": "x"}, definition_to_form({})[1], [form])
    assert problems == []
    assert definition["actions"][0]["config"] == {
        "items": "{{ trigger.rows }}",
        "concurrency": 4,
        "step": {"type": "transform", "config": {"values": {"value": "{{ item }}"}}},
    }


async def test_saved_from_the_form_and_inner_problems_shown_under_the_step(
    people: People,
) -> None:
    state = await editor(people.tokens["admin"])
    await call(state, "load_new")
    await call(state, "set_field", "name", "Loop")
    await _set(state, 0, type="for_each", id="loop")
    bad = {"type": "api_call", "config": {"url": "ftp://nope"}}
    await _set(state, 0, each_step_json=json.dumps(bad), each_concurrency="99")
    await call(state, "save")
    assert state.workflow_id == 0
    fields = (await views(state)).action_field_errors[0]
    assert "must start with http://" in fields["config.step"].lower(), state.errors
    assert "less than or equal to 64" in fields["config.concurrency"].lower()

    good = {"type": "api_call", "config": {"url": "https://api.test/{{ item }}"}}
    await _set(state, 0, each_step_json=json.dumps(good), each_concurrency="8")
    await call(state, "save")
    assert state.workflow_id, state.errors
    saved = workflows.get_workflow(auth.authenticate(people.tokens["admin"]), state.workflow_id)
    assert saved["actions"][0]["config"]["step"] == good
    assert saved["actions"][0]["config"]["concurrency"] == 8
