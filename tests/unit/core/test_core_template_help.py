"""Undefined names in templates explained: the path, the missing key, what exists there."""

from __future__ import annotations

import pytest

from app.core.template_help import (
    MAX_KEYS_LISTED,
    Missing,
    explain_undefined,
    parse_undefined,
    template_paths,
)
from app.core.templates import TemplateError, render_value

CONTEXT = {
    "trigger": {"city": "Oslo", "api_token": "s3cr3t-token"},
    "steps": {
        "fetch": {
            "output": {
                "status": 200,
                "headers": {"content-type": "application/json"},
                "body": {"order_id": 7, "rows": [{"id": 1}, {"id": 2}]},
            },
            "status": "succeeded",
        },
        "skipped": {"output": None, "status": "skipped"},
    },
    "workflow": {"name": "Orders"},
}


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("'missing' is undefined", Missing("missing", True)),
        ("'dict object' has no attribute 'order_id'", Missing("order_id", False)),
        ("list object has no element 5", Missing(5, False)),
        ("'str object' has no attribute \"it's\"", Missing("it's", False)),
        ("something else entirely", None),
    ],
)
def test_parse_undefined(message: str, expected: Missing | None) -> None:
    assert parse_undefined(message) == expected


@pytest.mark.parametrize(
    ("template", "message", "fragments"),
    [
        (
            "{{ steps.fetch.output.order_id }}",
            "'dict object' has no attribute 'order_id'",
            ["undefined 'order_id'", "steps.fetch.output has no 'order_id'",
             "it has 'status', 'headers', 'body'",
             "did you mean steps.fetch.output.body.order_id?"],
        ),
        (
            "Total: {{ steps.fetch.output.body.total }}!",
            "'dict object' has no attribute 'total'",
            ["steps.fetch.output.body has no 'total'", "it has 'order_id', 'rows'"],
        ),
        (
            "{{ steps.fecth.output }}",
            "'dict object' has no attribute 'fecth'",
            ["steps has no 'fecth'", "it has 'fetch', 'skipped'", "did you mean steps.fetch?"],
        ),
        (
            "{{ stepz.fetch }}",
            "'stepz' is undefined",
            ["'stepz' is undefined", "names that exist: 'trigger', 'steps', 'workflow'"],
        ),
        (
            "{{ steps.fetch.output.body.rows[5].id }}",
            "list object has no element 5",
            ["undefined [5]", "it is a list of 2 items (steps.fetch.output.body.rows[0] …"],
        ),
        (
            "{{ steps.fetch.output.body.rows.id }}",
            "'list object' has no attribute 'id'",
            ["did you mean steps.fetch.output.body.rows[0].id?"],
        ),
        (
            "{{ trigger.city.name }}",
            "'str object' has no attribute 'name'",
            ["trigger.city has no 'name'; it is text, not an object"],
        ),
        (
            "{{ steps.skipped.output.x }}",
            "'None' has no attribute 'x'",
            ["steps.skipped.output has no 'x'; it is empty (null)"],
        ),
        (
            "{% for r in steps.fetch.output.body.rows %}{{ r.sku }}{% endfor %}",
            "'dict object' has no attribute 'sku'",
            ["r has no 'sku'"],
        ),
        ("{{ x }}", "a message Jinja never writes", ["a message Jinja never writes"]),
    ],
)  # fmt: skip
def test_explanations(template: str, message: str, fragments: list[str]) -> None:
    text = explain_undefined(template, message, CONTEXT, step="report", field="config.values.t")
    assert text.startswith("template error")
    assert "in config.values.t of step 'report'" in text
    for fragment in fragments:
        assert fragment in text, text


def test_values_never_reach_the_message() -> None:
    text = explain_undefined("{{ trigger.token }}", "'dict object' has no attribute 'token'",
                             CONTEXT)  # fmt: skip
    assert "'api_token'" in text and "s3cr3t" not in text and "Oslo" not in text


def test_many_keys_are_bounded() -> None:
    context = {"big": {f"k{i}": i for i in range(500)}}
    text = explain_undefined("{{ big.nope }}", "'dict object' has no attribute 'nope'", context)
    assert f"and {500 - MAX_KEYS_LISTED} more" in text and "'k499'" not in text


def test_template_paths() -> None:
    paths = template_paths("{{ a.b['c d'][0] }} {% if x.y %}{{ z }}{% endif %}")
    assert ["a", "b", "c d", 0] in paths and ["x", "y"] in paths and ["z"] in paths
    assert template_paths("{{ broken") == []


def test_render_value_names_the_field_path() -> None:
    config = {"values": {"lines": ["ok", "{{ steps.fetch.output.order_id }}"]}}
    with pytest.raises(TemplateError) as info:
        render_value(config, CONTEXT, step="report", field="config")
    message = info.value.message
    assert "in config.values.lines[1] of step 'report'" in message
    assert "it has 'status', 'headers', 'body'" in message
