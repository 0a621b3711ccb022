"""The workflow form's `api_call` step keeps its query params and raw body (they had no fields
and were dropped on every save from the form)."""

from __future__ import annotations

import pytest

from app.ui.forms.step_kinds import FLOW_FIELDS
from app.ui.forms.workflow_form import blank_action, definition_to_form, form_to_definition


def _definition(config: dict) -> dict:
    action = {"id": "fetch", "name": "Fetch", "type": "api_call", "config": config}
    return {"name": "Weather", "trigger": {"type": "manual", "config": {}}, "actions": [action]}


def _saved(config: dict) -> dict:
    fields, trigger, actions = definition_to_form(_definition(config))
    definition, problems = form_to_definition(fields, trigger, actions)
    assert problems == []
    return definition["actions"][0]["config"]


@pytest.mark.parametrize(
    "config",
    [
        {"method": "GET", "url": "https://x.example/w", "query": {"city": "{{ trigger.city }}"}},
        {"method": "POST", "url": "https://x.example/w", "body": "id={{ trigger.id }}&x=1"},
        {"method": "POST", "url": "https://x.example/w", "json": {"a": "{{ trigger.a }}"},
         "query": {"page": 2, "q": "x"}},
    ],
)  # fmt: skip
def test_query_and_body_survive_a_form_save(config: dict) -> None:
    written = _saved({**config, "timeout_s": 30})
    assert written == {**config, "timeout_s": 30}


def test_empty_fields_are_left_out() -> None:
    written = _saved({"method": "GET", "url": "https://x.example/w", "timeout_s": 30})
    assert "query" not in written and "body" not in written


def test_bad_query_json_is_reported_at_its_config_path() -> None:
    fields, trigger, actions = definition_to_form(_definition({"url": "https://x.example"}))
    actions[0]["api_query_json"] = "{nope"
    _, problems = form_to_definition(fields, trigger, actions)
    assert [p.path for p in problems] == ["actions[0].config.query"]


def test_the_fields_are_described_once_for_form_and_designer() -> None:
    keys = {f.config_key for f in FLOW_FIELDS["api_call"]}
    assert keys == {"query", "body"}
    blank = blank_action(0, "api_call")
    assert blank["api_query_json"] == "" and blank["api_body"] == ""
