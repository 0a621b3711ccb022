"""The form fields of an `orchestration` step: to a config and back, bad input named."""

from __future__ import annotations

from app.core.errors import Problem
from app.core.workflow import parse_action_config
from app.engine.actions import action_types
from app.ui.forms.step_kinds import BASIC_TYPES, flow_config, flow_defaults, flow_form


def _form(**fields: str) -> dict:
    return {**flow_defaults(), "type": "orchestration", **fields}


def test_the_step_is_offered_among_the_basic_steps() -> None:
    assert "orchestration" in action_types() and "orchestration" in BASIC_TYPES


def test_id_and_inputs_make_a_config_and_read_back() -> None:
    problems: list[Problem] = []
    form = _form(orch_id="7", orch_inputs_json='{"user": "{{ trigger.user }}"}')
    config = flow_config(form, "actions[0]", problems)
    assert problems == []
    assert config == {"orchestration_id": 7, "inputs": {"user": "{{ trigger.user }}"}}
    parse_action_config("orchestration", config)
    assert flow_form("orchestration", config) == {
        "orch_id": "7",
        "orch_inputs_json": '{\n  "user": "{{ trigger.user }}"\n}',
    }


def test_bad_inputs_json_is_named_at_its_config_path() -> None:
    problems: list[Problem] = []
    flow_config(_form(orch_id="7", orch_inputs_json="{no"), "actions[2]", problems)
    assert [p.path for p in problems] == ["actions[2].config.inputs"]
