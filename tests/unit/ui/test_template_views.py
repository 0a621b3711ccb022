"""The gallery's rows and the "Use template" form: widgets per variable type, the submitted
form as the service takes it, and problems put next to their fields."""

from __future__ import annotations

import pytest

from app.core.errors import Problem
from app.ui.states.template_views import form_values, split_problems, template_card, var_field

NAMES = {"slack": ["Team Slack"], "http": ["CRM", "Tickets"]}


@pytest.mark.parametrize(
    ("variable", "widget", "default"),
    [
        ({"name": "a", "type": "string"}, "input", ""),
        ({"name": "a", "type": "text"}, "textarea", ""),
        ({"name": "a", "type": "email_list", "default": ["x@y.io", "z@y.io"]}, "textarea",
         "x@y.io, z@y.io"),
        ({"name": "a", "type": "boolean", "default": True}, "switch", "true"),
        ({"name": "a", "type": "choice", "options": ["low", "high"]}, "select", ""),
        ({"name": "a", "type": "connection", "platform": "slack"}, "select", "Team Slack"),
        ({"name": "a", "type": "connection", "platform": "http"}, "select", ""),
        ({"name": "a", "type": "connection", "platform": "telegram"}, "missing", ""),
        ({"name": "a", "type": "integer", "default": 900}, "input", "900"),
    ],
)  # fmt: skip
def test_each_type_gets_its_widget(variable: dict, widget: str, default: str) -> None:
    field = var_field(variable, NAMES)
    assert (field["widget"], field["default"]) == (widget, default)


def test_required_unless_a_default() -> None:
    assert var_field({"name": "a", "type": "url"}, {})["required"] is True
    assert (
        var_field({"name": "a", "type": "url", "default": "https://x.io"}, {})["required"] is False
    )
    assert var_field({"name": "a", "type": "url", "required": False}, {})["required"] is False


def test_inputs_of_numbers_and_addresses() -> None:
    assert var_field({"name": "a", "type": "integer"}, {})["input_type"] == "number"
    assert var_field({"name": "a", "type": "email"}, {})["input_type"] == "email"
    assert var_field({"name": "a", "type": "cron"}, {})["input_type"] == "text"


def test_form_values_drop_blanks_and_read_switches() -> None:
    kinds = [("title", "string"), ("note", "text"), ("on", "boolean"), ("off", "boolean")]
    fields = [var_field({"name": n, "type": t}, NAMES) for n, t in kinds]
    values = form_values(fields, {"title": "  Hello ", "note": "   ", "on": "on"})
    assert values == {"title": "Hello", "on": True, "off": False}


def test_problems_go_next_to_their_fields() -> None:
    by_field, name_error, rest = split_problems(
        [
            Problem("variables.slack", "no slack connection named 'x'"),
            Problem("variables.team[1]", "must be an email address"),
            Problem("name", "already taken"),
            Problem("actions[0].config.url", "must be an http(s) URL"),
        ]
    )
    assert by_field == {
        "slack": "no slack connection named 'x'",
        "team": "must be an email address",
    }
    assert name_error == "already taken"
    assert rest == "actions[0].config.url: must be an http(s) URL"


def test_card_facts_and_origin() -> None:
    card = template_card(
        {"id": "t", "name": "T", "builtin": False, "version": 3, "uses": 1, "step_count": 2,
         "step_types": ["api_call", "for_each"], "variables": [{}]}
    )  # fmt: skip
    assert card["origin"] == "Saved · v3"
    assert card["facts"] == "2 steps · 1 field · used 1 time"
    assert card["chips"] == ["api call", "for each"]
