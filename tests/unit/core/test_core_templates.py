"""Templates and conditions: native values, nested rendering, strict undefined, literal data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from app.core.errors import InvalidInput
from app.core.statuses import ExecutionStatus
from app.core.templates import (
    TemplateError,
    check_condition,
    check_template,
    evaluate_condition,
    render_value,
)

CONTEXT: dict[str, Any] = {
    "trigger": {
        "x": "{{ 7*7 }}",
        "n": 5,
        "_id": "abc",
        "tags": ["a", "b"],
        "nested": {"ok": True},
        "status": ExecutionStatus.SUCCEEDED,
    },
    "steps": {"fetch": {"output": {"status": 200, "body": {"items": [1, 2, 3]}, "ok": True}}},
    "workflow": {"id": 7, "name": "Daily digest"},
    "env": {"region": "eu"},
    "now": datetime(2026, 5, 4, 9, 30, tzinfo=UTC),
}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain text", "plain text"),
        ("{{ trigger.n }}", 5),
        ("{{trigger.n}}", 5),
        ("{{- trigger.n -}}", 5),
        ("{{ trigger.n * 2 }}", 10),
        ("{{ trigger.n > 3 }}", True),
        ("{{ steps.fetch.output.body }}", {"items": [1, 2, 3]}),
        ("{{ steps.fetch.output.body['items'] | length }}", 3),
        ("{{ trigger.tags }}", ["a", "b"]),
        ("{{ trigger.tags | map('upper') }}", ["A", "B"]),
        ("{{ range(3) }}", [0, 1, 2]),
        ("{{ none }}", None),
        ("{{ trigger.status }}", "succeeded"),
        ("n = {{ trigger.n }}", "n = 5"),
        ("{{ trigger.n }}{{ trigger.n }}", "55"),
        (" {{ trigger.n }}", " 5"),
        ("{{ workflow.name | lower | replace(' ', '-') }}", "daily-digest"),
        ("{{ now.strftime('%Y-%m-%d') }}", "2026-05-04"),
        ("{{ now.isoformat() }}", "2026-05-04T09:30:00+00:00"),
        ("{% for t in trigger.tags %}{{ loop.index }}{{ t }} {% endfor %}", "1a 2b "),
        ("{% if trigger.n > 3 %}big{% else %}small{% endif %}", "big"),
        ("{{ trigger.tags | join(',') }}", "a,b"),
        ("{{ env.region ~ '-' ~ workflow.id }}", "eu-7"),
        ("{{ '%03d' % trigger.n }}", "005"),
        ("{{ trigger._id }}", "abc"),
        ("{{ trigger.get('missing', 'fallback') }}", "fallback"),
        ("{{ trigger.missing | default('d') }}", "d"),
        ("{{ dict(a=trigger.n) }}", {"a": 5}),
        ("line\n", "line\n"),
        ("{{ '}}' }}", "}}"),
    ],
)
def test_render_strings(value: str, expected: Any) -> None:
    assert render_value(value, CONTEXT) == expected


def test_render_value_recurses_into_dicts_and_lists_and_keeps_other_types() -> None:
    config = {
        "url": "https://api.test/items/{{ trigger.n }}",
        "json": {"count": "{{ trigger.n }}", "tags": ["{{ trigger.tags[0] }}", 3, None]},
        "{{ not_a_template_key }}": True,
        "timeout": 2.5,
    }
    assert render_value(config, CONTEXT) == {
        "url": "https://api.test/items/5",
        "json": {"count": 5, "tags": ["a", 3, None]},
        "{{ not_a_template_key }}": True,
        "timeout": 2.5,
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("{{ trigger.x }}", "{{ 7*7 }}"),
        ("before {{ trigger.x }} after", "before {{ 7*7 }} after"),
        ("{{ trigger.x | trim }}", "{{ 7*7 }}"),
        ({"deep": ["{{ trigger.x }}"]}, {"deep": ["{{ 7*7 }}"]}),
    ],
)
def test_data_is_never_rendered_as_a_template(value: Any, expected: Any) -> None:
    assert render_value(value, CONTEXT) == expected


def test_native_value_is_a_copy_not_the_context_object() -> None:
    body = render_value("{{ steps.fetch.output.body }}", CONTEXT)
    body["items"].append(4)
    assert CONTEXT["steps"]["fetch"]["output"]["body"]["items"] == [1, 2, 3]


@pytest.mark.parametrize(
    ("template", "name"),
    [
        ("{{ missing }}", "'missing' is undefined"),
        ("{{ missing.attr }}", "'missing' is undefined"),
        ("hello {{ missing }}", "'missing' is undefined"),
        ("{{ steps.nope.output }}", "'nope'"),
        ("{{ steps.fetch.output.nope }}", "'nope'"),
        ("{{ [missing] }}", "'missing' is undefined"),
        ("{{ missing() }}", "'missing' is undefined"),
    ],
)
def test_strict_undefined_names_the_variable(template: str, name: str) -> None:
    with pytest.raises(TemplateError, match="undefined") as info:
        render_value(template, CONTEXT)
    assert name in info.value.message


def test_template_error_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        render_value("{{ 1 / 0 }}", CONTEXT)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("steps.fetch.output.status == 200", True),
        ("steps.fetch.output.status != 200", False),
        ("{{ steps.fetch.output.ok }}", True),
        ("trigger.n > 3 and 'a' in trigger.tags", True),
        ("trigger.tags | length == 3", False),
        ("trigger.nested.ok", True),
        ("trigger.missing is defined", False),
        ("not trigger.nested.ok", False),
        ("trigger.status == 'succeeded'", True),
        ("[]", False),
    ],
)
def test_evaluate_condition(condition: str, expected: bool) -> None:
    assert evaluate_condition(condition, CONTEXT) is expected


@pytest.mark.parametrize(
    ("condition", "fragment"),
    [
        ("steps.missing.output.status == 200", "'missing'"),
        ("", "empty"),
        ("   ", "empty"),
        ("a ==", "syntax"),
        ("trigger.n > ", "syntax"),
    ],
)
def test_evaluate_condition_errors(condition: str, fragment: str) -> None:
    with pytest.raises(TemplateError, match=fragment):
        evaluate_condition(condition, CONTEXT)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("plain", None),
        ("{{ a.b }} and {% if c %}d{% endif %}", None),
        ("{{ undefined_is_fine_at_check_time }}", None),
        ("{{ a b }}", "syntax"),
        ("{{ x", "syntax"),
        ("{% if x %}no end", "syntax"),
        ("{{ x | no_such_filter }}", "no_such_filter"),
        ("{% include 'other' %}", "include"),
        ("{{ self }}", "self"),
    ],
)
def test_check_template(text: str, fragment: str | None) -> None:
    problem = check_template(text)
    if fragment is None:
        assert problem is None
    else:
        assert problem is not None and problem.startswith("template error") and fragment in problem


@pytest.mark.parametrize(
    ("expr", "ok"),
    [("a == 1", True), ("{{ a }}", True), ("a ==", False), ("", False), ("a b", False)],
)
def test_check_condition(expr: str, ok: bool) -> None:
    assert (check_condition(expr) is None) is ok


def test_compiled_templates_are_cached() -> None:
    from app.core import templates

    templates._compile_template.cache_clear()
    for _ in range(3):
        render_value("cached {{ trigger.n }}", CONTEXT)
    info = templates._compile_template.cache_info()
    assert info.misses == 1 and info.hits == 2
