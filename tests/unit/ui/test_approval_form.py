"""The form fields of an `approval` step: to a config (blank optional fields left out) and back."""

from __future__ import annotations

import json

import pytest

from app.core.errors import Problem
from app.core.workflow import parse_action_config
from app.ui.forms.step_kinds import FLOW_TYPES, flow_config, flow_defaults, flow_form


def _form(**fields: str) -> dict:
    return {**flow_defaults(), "type": "approval", "approval_message": "Ship it?", **fields}


def test_approval_is_offered_with_the_flow_steps() -> None:
    assert "approval" in FLOW_TYPES


@pytest.mark.parametrize(
    ("fields", "config"),
    [
        ({}, {"message": "Ship it?", "approvers": ["admin"], "on_timeout": "reject"}),
        (
            {"approval_approvers_json": '["ops@example.com", "member"]',
             "approval_timeout": "3600", "approval_on_timeout": "approve",
             "approval_alert": "4"},
            {"message": "Ship it?", "approvers": ["ops@example.com", "member"],
             "timeout_s": 3600, "on_timeout": "approve", "notify_alert_id": 4},
        ),
    ],
)  # fmt: skip
def test_fields_make_a_valid_config(fields: dict, config: dict) -> None:
    problems: list[Problem] = []
    made = flow_config(_form(**fields), "actions[0]", problems)
    assert made == config and problems == []
    parse_action_config("approval", made)
    back = flow_form("approval", made)
    assert json.loads(back["approval_approvers_json"]) == config["approvers"]
    assert back.get("approval_timeout", "") == fields.get("approval_timeout", "")


def test_bad_approvers_json_is_reported_at_the_config_path() -> None:
    problems: list[Problem] = []
    flow_config(_form(approval_approvers_json="[admin"), "actions[2]", problems)
    assert [p.path for p in problems] == ["actions[2].config.approvers"]
