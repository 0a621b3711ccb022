"""The form keeps a step's canvas position: saving from the form never drops the designer's."""

from __future__ import annotations

from app.ui.forms.workflow_form import definition_to_form, form_to_definition


def _definition(**ui) -> dict:
    step = {"id": "a", "type": "delay", "config": {"seconds": 1}, **ui}
    return {"name": "w", "trigger": {"type": "manual", "config": {}}, "actions": [step]}


def test_a_position_survives_the_form():
    fields, trigger, actions = definition_to_form(_definition(ui={"x": 12.5, "y": -40}))
    definition, problems = form_to_definition(fields, trigger, actions)
    assert problems == [] and definition["actions"][0]["ui"] == {"x": 12.5, "y": -40}


def test_no_position_stays_none():
    fields, trigger, actions = definition_to_form(_definition())
    definition, _ = form_to_definition(fields, trigger, actions)
    assert "ui" not in definition["actions"][0]
