"""What the variable picker inserts: a template in template fields, a bare path in conditions
(which are expressions: `{{ a }} == 1` would not parse as one)."""

from __future__ import annotations

import pytest

from app.core.templates import check_condition, check_template
from app.ui.states.template_help import field_id, insertion


@pytest.mark.parametrize(
    ("key", "inserted"),
    [
        ("values_json", "{{ steps.fetch.output.body.city }}"),
        ("url", "{{ steps.fetch.output.body.city }}"),
        ("condition", "steps.fetch.output.body.city"),
        ("branch_condition", "steps.fetch.output.body.city"),
    ],
)
def test_insertion(key: str, inserted: str) -> None:
    text = insertion(key, "steps.fetch.output.body.city")
    assert text == inserted
    if key.endswith("condition"):
        assert check_condition(text + " == 'Oslo'") is None
    else:
        assert check_template("in " + text) is None


def test_field_ids_are_per_card_and_field() -> None:
    assert field_id(2, "url") == "tpl-2-url"
