"""Which templates only look values up (and may be rendered without a hop to a thread)."""

from __future__ import annotations

import pytest

from app.core.template_shape import condition_lookup_only, lookup_only


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain text", True),
        (42, True),
        (None, True),
        ("{{ prev.token }}", True),
        ("Bearer {{ calls.login.token }}", True),
        ("{{ calls['login'].response.body.items[0].id }}", True),
        ("{{ calls[inputs.name].token }}", True),
        ("{# a note #}{{ inputs.x }}", True),
        ("{{ inputs.a == 1 and not inputs.b }}", True),
        ({"h": "{{ prev.token }}", "l": ["{{ inputs.a }}", 3]}, True),
        ("{% for i in range(10) %}{{ i }}{% endfor %}", False),
        ("{{ inputs.name | upper }}", False),
        ("{{ inputs.name.upper() }}", False),
        ("{{ inputs.a ~ inputs.b }}", False),
        ("{{ inputs.a * 1000 }}", False),
        ("{{ 9 ** 9 }}", False),
        ("{{ inputs.a is defined }}", False),
        ("{{ inputs.items[1:] }}", False),
        ("{% set x = 1 %}{{ x }}", False),
        ("{% if inputs.a %}a{% endif %}", False),
        ("{{ [inputs.a, inputs.b] }}", False),
        ("{{ unclosed", False),
        ({"ok": "{{ a }}", "bad": "{{ a | length }}"}, False),
        (["{{ a }}", {"deep": "{{ range(3) }}"}], False),
        ("{{ x }}" + " " * 100_001, False),  # longer than a template may be
    ],
)
def test_lookup_only(value: object, expected: bool) -> None:
    assert lookup_only(value) is expected


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("inputs.send", True),
        ("inputs.send and calls.check.response.status == 200", True),
        ("{{ calls.a.response.status != 404 or not inputs.strict }}", True),
        ("inputs.kind in ['a', 'b']", False),  # a list literal
        ("inputs.n > 1", True),
        ("inputs.items | length > 0", False),
        ("range(5) | list", False),
        ("inputs.(", False),
    ],
)
def test_condition_lookup_only(expr: str, expected: bool) -> None:
    assert condition_lookup_only(expr) is expected
