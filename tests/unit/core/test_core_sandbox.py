"""The template sandbox: escapes and resource exhaustion must all end in TemplateError."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.templates import TemplateError, check_template, render_value

CONTEXT: dict[str, Any] = {
    "trigger": {"items": [1, 2, 3], "_id": "x", "text": "abc"},
    "steps": {},
}

BIG = "{% set a = 'a' * 100000 %}"

ESCAPES = [
    # classic attribute walks to Python internals
    "{{ ''.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ''['__class__'] }}",
    "{{ trigger.__class__ }}",
    "{{ trigger['__class__'] }}",
    "{{ (1).__class__.__base__ }}",
    "{{ trigger.items.__self__ }}",
    "{{ x.mro() }}",
    "{{ ''|attr('__class__') }}",
    "{{ ''|attr('format') }}",
    "{{ trigger['items']|map(attribute='__class__')|list }}",
    "{{ trigger['items']|selectattr('__class__')|list }}",
    # str.format, which reaches attributes through the format mini-language
    "{{ 'a'.format_map({}) }}",
    "{{ '{0.__class__}'.format(1) }}",
    # globals Jinja ships but a config template has no use for
    "{{ lipsum.__globals__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ joiner() }}",
    "{{ namespace(a=1) }}",
    # template internals and host-framework names
    "{{ self }}",
    "{{ self._TemplateReference__context }}",
    "{{ config }}",
    "{{ request }}",
    "{% include 'x' %}",
    "{% extends 'x' %}",
    "{% import 'x' as y %}",
    "{% from 'x' import y %}",
    "{% macro m() %}{% endmacro %}",
    "{% call m() %}{% endcall %}",
    # callables outside the allow-list, mutation of data
    "{{ 'a'.encode() }}",
    "{{ 'a'.center(10) }}",
    "{{ trigger.pop('items') }}",
    "{{ trigger['items'].append(4) }}",
    "{% for x in trigger['items'] recursive %}{{ loop([]) }}{% endfor %}",
    # numbers too big to compute
    "{{ 9**9**9 }}",
    "{{ 2**100000 }}",
    "{{ 1000001 ** 2 }}",
    "{% set x = 10**6 ** 100 %}{{ x * x * x }}",
    # strings and lists too big to build
    "{{ 'a'*10**8 }}",
    "{{ 10**8 * 'a' }}",
    "{{ [1]*10**8 }}",
    "{{ range(10**9)|list }}",
    "{{ range(1001)|list }}",
    BIG + "{{ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a }}",
    BIG + "{{ a + a + a + a + a + a + a + a + a + a + a }}",
    BIG + "{{ [a, a, a, a, a, a, a, a, a, a, a] }}",
    BIG + "{{ [a, a, a, a, a, a, a, a, a, a, a]|join }}",
    BIG + "{{ ''.join([a, a, a, a, a, a, a, a, a, a, a]) }}",
    BIG + "{{ [a, a, a, a, a, a, a, a, a, a, a]|tojson }}",
    BIG + "{{ a.replace('a', 'aaaaaaaaaaaa') }}",
    BIG + "{{ a|replace('a', 'aaaaaaaaaaaa') }}",
    BIG + "{{ [a] * 11 }}",
    BIG + "{% for i in range(11) %}{{ a }}{% endfor %}",
    "{{ '%0999999999d' % 1 }}",
    "{{ '%*d' % (10, 1) }}",
    "{{ '%.9999999f'|format(1.0) }}",
    "{{ 'a'|indent(10**6) }}",
    "{{ 'a'|center(10**9) }}",
    "{{ [[1]]|sum(start=[]) }}",
    # loops that would burn CPU without producing output
    "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}",
]


@pytest.mark.parametrize("template", ESCAPES)
def test_sandbox_refuses(template: str) -> None:
    with pytest.raises(TemplateError):
        render_value(template, CONTEXT)


@pytest.mark.parametrize(
    ("template", "fragment"),
    [
        ("{{ ''.__class__ }}", "not allowed: access to attribute '__class__'"),
        ("{{ 'a'.format_map({}) }}", "'format_map'"),
        ("{{ 9**9**9 }}", "**"),
        ("{{ 'a'*10**8 }}", "repetition"),
        ("{{ range(10**9)|list }}", "range() is limited to 1000"),
        ("{{ self }}", "'self'"),
        ("{{ config }}", "'config' is undefined"),
        ("{% include 'x' %}", "{% include %}"),
        ("{{ 'a'.encode() }}", "calling str.encode"),
        ("{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}", "loops"),
    ],
)
def test_refusals_say_why(template: str, fragment: str) -> None:
    with pytest.raises(TemplateError) as info:
        render_value(template, CONTEXT)
    assert fragment in info.value.message


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ trigger._id }}", "x"),  # a data key with an underscore is data, not an internal
        ("{{ trigger['_id'] }}", "x"),
        ("{{ 2 ** 10 }}", 1024),
        ("{{ 'ab' * 3 }}", "ababab"),
        ("{{ [0] * 3 }}", [0, 0, 0]),
        ("{{ range(1000)|list|length }}", 1000),
        ("{{ ('a' * 100000) | length }}", 100000),
        ("{% for i in range(300) %}{% for j in range(300) %}{% endfor %}{% endfor %}ok", "ok"),
        ("{{ trigger.text.upper() }}", "ABC"),
        ("{{ trigger.text.replace('b', 'B') }}", "aBc"),
        ("{{ '%5.1f'|format(3.14159) }}", "  3.1"),
        ("{{ trigger['items']|sum }}", 6),
        ("{{ 'x'|indent(2, true) }}", "  x"),
    ],
)
def test_sandbox_still_allows_ordinary_use(template: str, expected: Any) -> None:
    assert render_value(template, CONTEXT) == expected


def test_static_refusals_are_reported_by_check_template() -> None:
    for template in ("{{ self }}", "{% include 'x' %}", "{% macro m() %}{% endmacro %}"):
        assert check_template(template) is not None
