"""n8n expressions → Flowdeck templates: what is translated, and what is kept as text."""

from __future__ import annotations

import time

import pytest

from app.core.n8n_conditions import filter_condition, if_condition
from app.core.n8n_expressions import Scope, operand, translate_value
from app.core.templates import evaluate_condition, render_value

SCOPE = Scope(
    json="steps.fetch.output.body",
    nodes={"Webhook": "trigger", "Set Fields": "steps.set_fields.output", "Code": None},
)


@pytest.mark.parametrize(
    ("n8n", "flowdeck"),
    [
        ("={{ $json.x }}", "{{ steps.fetch.output.body.x }}"),
        ("={{$json.a.b}}", "{{ steps.fetch.output.body.a.b }}"),
        ('={{ $json["first name"] }}', '{{ steps.fetch.output.body["first name"] }}'),
        ("=Hi {{ $json.name }}!", "Hi {{ steps.fetch.output.body.name }}!"),
        ("={{ $('Set Fields').item.json.total + 1 }}", "{{ steps.set_fields.output.total + 1 }}"),
        ("={{ $('Set Fields').first().json.total }}", "{{ steps.set_fields.output.total }}"),
        ('={{ $node["Webhook"].json.body.id }}', "{{ trigger.body.id }}"),
        ("={{ $input.item.json.id }}", "{{ steps.fetch.output.body.id }}"),
        ("={{ $now }}", "{{ now }}"),
        ("={{ $execution.id }}", "{{ execution.id }}"),
        ("={{ $workflow.name }}", "{{ workflow.name }}"),
        ("={{ $json.rows.length > 0 }}", "{{ steps.fetch.output.body.rows | length > 0 }}"),
        ("={{ $json.items[0] }}", '{{ steps.fetch.output.body["items"][0] }}'),
        ("={{ $json.x == null }}", "{{ steps.fetch.output.body.x == none }}"),
        ('={{ "#" + $json.id }}', '{{ "#" + steps.fetch.output.body.id }}'),
        ("plain text", "plain text"),
        (42, 42),
    ],
)
def test_clear_expressions_are_translated(n8n: object, flowdeck: object) -> None:
    result = translate_value(n8n, SCOPE)
    assert result.value == flowdeck
    assert result.untranslated == ()


@pytest.mark.parametrize(
    "n8n",
    [
        "={{ $json.name.toUpperCase() }}",
        "={{ $json.a && $json.b }}",
        "={{ $json.a === 1 }}",
        "={{ $json.ok ? 'yes' : 'no' }}",
        "={{ $input.all().map(i => i.json.x) }}",
        "={{ $now.toISO() }}",
        "={{ $('Code').item.json.x }}",  # a node whose output has no Flowdeck path
        "={{ $('Nowhere').item.json.x }}",
        "={{ Math.round($json.price) }}",
        "={{ `${$json.a}` }}",
        "={{ $env.TOKEN }}",
    ],
)
def test_javascript_is_kept_as_text_and_listed(n8n: str) -> None:
    result = translate_value(n8n, SCOPE)
    assert result.untranslated  # reported
    assert render_value(result.value, {}) == n8n[1:]  # renders to the n8n text, runs nothing


def test_json_with_no_clear_source_is_untranslated() -> None:
    result = translate_value("={{ $json.x }}", Scope(json=None))
    assert result.untranslated == ("{{ $json.x }}",)


def test_literal_braces_stay_literal() -> None:
    result = translate_value("not {{ an expression }}", SCOPE)
    assert render_value(result.value, {}) == "not {{ an expression }}"
    assert result.untranslated == ()


def test_translation_recurses_into_objects_and_lists() -> None:
    result = translate_value({"a": ["={{ $json.x }}", "={{ $json.y() }}"]}, SCOPE)
    assert result.value["a"][0] == "{{ steps.fetch.output.body.x }}"
    assert result.untranslated == ("{{ $json.y() }}",)


def test_operand_joins_text_and_expressions() -> None:
    assert operand("=id-{{ $json.x }}", SCOPE).value == '"id-" ~ (steps.fetch.output.body.x)'
    assert operand("={{ $json.x }}", SCOPE).value == "steps.fetch.output.body.x"
    assert operand(5, SCOPE).value == "5"
    assert operand('say "hi"', SCOPE).value == '"say \\"hi\\""'


def _condition(operation: str, kind: str, left: object, right: object, **options: object) -> dict:
    return {
        "conditions": [
            {
                "leftValue": left,
                "rightValue": right,
                "operator": {"type": kind, "operation": operation},
            }
        ],
        "combinator": "and",
        "options": options,
    }


@pytest.mark.parametrize(
    ("operation", "kind", "value", "right", "expected"),
    [
        ("equals", "string", "urgent", "urgent", True),
        ("notEquals", "string", "urgent", "urgent", False),
        ("gt", "number", 12, "10", True),
        ("lt", "number", 12, 10, False),
        ("gte", "number", 10, 10, True),
        ("lte", "number", 11, 10, False),
        ("contains", "string", "an invoice", "invoice", True),
        ("notContains", "string", "an invoice", "invoice", False),
        ("startsWith", "string", "INV-1", "INV", True),
        ("endsWith", "string", "INV-1", "-2", False),
        ("exists", "string", "x", "", True),
        ("empty", "string", "", "", True),
        ("notEmpty", "array", [1], "", True),
        ("true", "boolean", True, "", True),
        ("false", "boolean", True, "", False),
        ("lengthGt", "array", [1, 2, 3], 2, True),
    ],
)
def test_filter_operators_mean_what_they_mean_in_n8n(
    operation: str, kind: str, value: object, right: object, expected: bool
) -> None:
    scope = Scope(json="trigger")
    condition = filter_condition(_condition(operation, kind, "={{ $json.v }}", right), scope)
    assert condition.value is not None, condition
    assert evaluate_condition(condition.value, {"trigger": {"v": value}}) is expected


def test_case_insensitive_string_comparison() -> None:
    spec = _condition("contains", "string", "={{ $json.v }}", "invoice", caseSensitive=False)
    condition = filter_condition(spec, Scope(json="trigger"))
    assert evaluate_condition(str(condition.value), {"trigger": {"v": "INVOICE 7"}}) is True


def test_regex_has_no_clear_meaning() -> None:
    spec = _condition("regex", "string", "={{ $json.v }}", "^a")
    assert filter_condition(spec, Scope(json="trigger")).value is None


@pytest.mark.parametrize(
    ("combine", "n", "s", "expected"),
    [
        ("all", 1, "x", True),
        ("all", 1, "y", False),
        ("any", 1, "y", True),
        ("any", 5, "y", False),
    ],
)
def test_if_v1_conditions_and_their_combination(
    combine: str, n: int, s: str, expected: bool
) -> None:
    parameters = {
        "conditions": {
            "number": [{"value1": "={{ $json.n }}", "operation": "smaller", "value2": 2}],
            "string": [{"value1": "={{ $json.s }}", "value2": "x"}],  # default: equal
        },
        "combineOperation": combine,
    }
    condition = if_condition(parameters, 1, Scope(json="trigger"))
    assert evaluate_condition(str(condition.value), {"trigger": {"n": n, "s": s}}) is expected


@pytest.mark.parametrize(
    "text",
    [
        "=" + "{{" * 200_000,  # no closing braces: was scanned to the end from every "{{"
        "=" + "{{ $json.a }}" * 50_000,
        "={{" + "$json.a + " * 50_000 + "1 }}",
        "=" + "{{ $(" * 100_000,
    ],
)
def test_huge_expressions_take_linear_time(text: str) -> None:
    started = time.perf_counter()
    result = translate_value(text, SCOPE)
    operand(text, SCOPE)
    assert time.perf_counter() - started < 2  # about 0.01 s; quadratic was minutes
    assert isinstance(result.value, str) and len(result.untranslated) <= 5
