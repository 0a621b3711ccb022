"""The form fields of `wait` and `sub_workflow` steps: to a config and back."""

from __future__ import annotations

import pytest

from app.core.errors import Problem
from app.core.workflow import parse_action_config
from app.ui.forms.step_kinds import flow_config, flow_defaults, flow_form


def _form(kind: str, **fields: str) -> dict:
    return {**flow_defaults(), "type": kind, **fields}


@pytest.mark.parametrize(
    ("fields", "config"),
    [
        ({}, {"seconds": 60}),
        ({"wait_seconds": "2.5"}, {"seconds": 2.5}),
        (
            {"wait_seconds": "", "wait_until": "{{ trigger.at }}"},
            {"until": "{{ trigger.at }}"},
        ),
        (
            {"wait_seconds": "", "wait_webhook": "true", "wait_timeout": "600"},
            {"webhook": True, "timeout_s": 600},
        ),
        ({"wait_seconds": "{{ trigger.n }}"}, {"seconds": "{{ trigger.n }}"}),
    ],
)
def test_wait_fields_make_a_config_without_blank_keys(fields: dict, config: dict) -> None:
    problems: list[Problem] = []
    made = flow_config(_form("wait", **fields), "actions[0]", problems)
    assert made == config and problems == []
    if "{{" not in str(config):
        parse_action_config("wait", made)
    # Read back, the form shows what was typed (the blank fields stay at their defaults).
    typed = {k: v for k, v in _form("wait", **fields).items() if k.startswith("wait_")}
    assert flow_form("wait", made) == {k: v for k, v in typed.items() if v not in ("", "false")}


def test_sub_workflow_fields_round_trip() -> None:
    problems: list[Problem] = []
    form = _form(
        "sub_workflow", sub_workflow_id="12", sub_payload_json='{"n": 1}', sub_wait="false"
    )
    config = flow_config(form, "actions[0]", problems)
    assert config == {"workflow_id": 12, "payload": {"n": 1}, "wait": False}
    parse_action_config("sub_workflow", config)
    assert flow_form("sub_workflow", config) == {
        "sub_workflow_id": "12",
        "sub_payload_json": '{\n  "n": 1\n}',
        "sub_wait": "false",
    }


def test_bad_payload_json_is_reported_at_its_config_path() -> None:
    problems: list[Problem] = []
    flow_config(_form("sub_workflow", sub_workflow_id="3", sub_payload_json="{no"), "a", problems)
    assert [p.path for p in problems] == ["a.config.payload"]
