"""The workflow form's `script` and `database` steps: offered as basic steps and in the
designer's palette, their fields read from a stored config and written back unchanged."""

from __future__ import annotations

import pytest

from app.ui.forms.step_kinds import BASIC_TYPES, FLOW_FIELDS
from app.ui.forms.workflow_form import blank_action, definition_to_form, form_to_definition
from app.ui.states.designer import PALETTE


def _definition(kind: str, config: dict) -> dict:
    action = {"id": "step", "name": "Step", "type": kind, "config": config}
    return {"name": "Flow", "trigger": {"type": "manual", "config": {}}, "actions": [action]}


@pytest.mark.parametrize("kind", ["script", "database"])
def test_offered_in_the_form_and_the_palette(kind: str) -> None:
    assert kind in BASIC_TYPES
    assert any(kind in kinds for _, kinds in PALETTE)
    blank = blank_action(0, kind)
    assert set(f.key for f in FLOW_FIELDS[kind]) <= set(blank)


def test_a_blank_script_step_is_a_valid_one() -> None:
    fields, trigger, actions = definition_to_form(_definition("transform", {"values": {}}))
    definition, problems = form_to_definition(fields, trigger, [blank_action(0, "script")])
    assert problems == []
    config = definition["actions"][0]["config"]
    assert "json.load(sys.stdin)" in config["code"] and set(config) == {"code", "input"}


@pytest.mark.parametrize(
    ("kind", "config"),
    [
        ("script", {"code": "import json\nprint(json.dumps({'a': '{{ x }}'}))\n",
                    "input": {"n": "{{ trigger.n }}"}, "timeout_s": 5, "cpu_s": 2,
                    "memory_mb": 128}),
        ("script", {"code": "print(1)", "input": "{{ trigger }}"}),
        ("database", {"connection": "reports", "query": "SELECT * FROM t WHERE id = :id",
                      "params": {"id": "{{ trigger.id }}"}, "write": True, "max_rows": 5}),
        ("database", {"connection": 3, "query": "SELECT 1", "params": {}}),
        ("script", {"code": "print(1)"}),
        ("database", {"connection": "c", "query": "SELECT 1"}),
    ],
)  # fmt: skip
def test_a_stored_config_round_trips_through_the_form(kind: str, config: dict) -> None:
    fields, trigger, actions = definition_to_form(_definition(kind, config))
    definition, problems = form_to_definition(fields, trigger, actions)
    assert problems == []
    assert definition["actions"][0]["config"] == config


def test_bad_input_json_is_reported_at_its_field() -> None:
    fields, trigger, actions = definition_to_form(_definition("script", {"code": "print(1)"}))
    actions[0]["script_input_json"] = "{not json"
    _, problems = form_to_definition(fields, trigger, actions)
    assert [p.path for p in problems] == ["actions[0].config.input"]
