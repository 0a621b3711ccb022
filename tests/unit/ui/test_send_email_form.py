"""The workflow form's `send_email` step: offered among the content steps and the designer's
palette, its fields read from a stored config and written back unchanged."""

from __future__ import annotations

from app.ui.forms.step_kinds import CONTENT_TYPES, FLOW_FIELDS
from app.ui.forms.workflow_form import blank_action, definition_to_form, form_to_definition
from app.ui.states.designer import PALETTE


def _definition(config: dict) -> dict:
    action = {"id": "mail", "name": "Welcome", "type": "send_email", "config": config}
    return {"name": "Onboarding", "trigger": {"type": "webhook", "config": {}}, "actions": [action]}


def test_offered_in_the_form_and_the_palette() -> None:
    assert "send_email" in CONTENT_TYPES
    assert any("send_email" in kinds for _, kinds in PALETTE)
    blank = blank_action(0, "send_email")
    assert blank["email_to"] == "" and set(f.key for f in FLOW_FIELDS["send_email"]) <= set(blank)


def test_a_stored_config_round_trips_through_the_form() -> None:
    config = {"connection": "Mail", "to": ["{{ trigger.body.email }}", "b@example.com"],
              "bcc": "audit@example.com", "template": "welcome_email",
              "subject": "Hi {{ trigger.body.name }}", "body": "Line 1\nLine 2"}  # fmt: skip
    fields, trigger, actions = definition_to_form(_definition(config))
    assert actions[0]["email_to"] == "{{ trigger.body.email }}, b@example.com"
    definition, problems = form_to_definition(fields, trigger, actions)
    assert problems == []
    written = definition["actions"][0]["config"]
    assert written == {**config, "to": "{{ trigger.body.email }}, b@example.com"}


def test_empty_optional_fields_are_left_out() -> None:
    fields, trigger, actions = definition_to_form(_definition({"to": "a@example.com"}))
    definition, _ = form_to_definition(fields, trigger, actions)
    assert definition["actions"][0]["config"] == {"to": "a@example.com"}


def test_an_api_calls_connection_is_kept_by_the_form() -> None:
    """002's CALL_API path is called on the `api` connection: saving the form keeps it."""
    config = {"method": "POST", "url": "/api/customers", "connection": "api",
              "json": "{{trigger.body.customer_data}}"}  # fmt: skip
    definition = _definition(config)
    definition["actions"][0]["type"] = "api_call"
    fields, trigger, actions = definition_to_form(definition)
    assert actions[0]["connection"] == "api"
    written, problems = form_to_definition(fields, trigger, actions)
    assert problems == [] and written["actions"][0]["config"]["connection"] == "api"
    actions[0]["connection"] = ""
    written, _ = form_to_definition(fields, trigger, actions)
    assert "connection" not in written["actions"][0]["config"]
