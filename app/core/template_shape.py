"""Whether templates only look values up: no loops, filters, calls or arithmetic. Pure.

`{{ prev.token }}`, `Bearer {{ calls.login.token }}`, `inputs.send and calls.a.response.status
== 200`: such a template does a handful of dictionary lookups and comparisons, whatever data it
meets; it cannot loop, build big values or call anything. Rendering it costs microseconds,
less than the hop to a render thread, so a caller may render it where it is (the sandbox and
its budget still apply). Anything else (a `for`, a filter, a call, `~`, `*`, `**`, a test, a
`set`) is not lookup-only and goes to a render thread as usual.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from jinja2 import Environment, nodes
from jinja2.exceptions import TemplateSyntaxError

from app.core.templates import MAX_SOURCE

_ALLOWED: tuple[type[nodes.Node], ...] = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.Getattr,
    nodes.Getitem,
    nodes.Const,
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
)
_PARSER = Environment()  # parsing only: nothing parsed here is compiled or run


@functools.lru_cache(maxsize=1024)
def _lookup_only_source(source: str) -> bool:
    if len(source) > MAX_SOURCE:
        return False
    try:
        tree = _PARSER.parse(source)
    except TemplateSyntaxError:
        return False
    for node in (tree, *tree.find_all(nodes.Node)):
        if not isinstance(node, _ALLOWED):
            return False
        if isinstance(node, nodes.Name) and node.ctx != "load":
            return False
    return True


def _has_syntax(text: str) -> bool:
    return "{{" in text or "{%" in text or "{#" in text


def lookup_only(value: Any) -> bool:
    """Whether every template in `value` (strings, recursing into dicts and lists) only looks
    values up. Text without template syntax and non-strings qualify."""
    if isinstance(value, str):
        return not _has_syntax(value) or _lookup_only_source(value)
    if isinstance(value, Mapping):
        return all(lookup_only(item) for item in value.values())
    if isinstance(value, list | tuple):
        return all(lookup_only(item) for item in value)
    return True


def condition_lookup_only(expr: str) -> bool:
    """Whether a condition (`{{ }}` optional) only looks values up and compares them."""
    source = expr.strip()
    if not (source.startswith("{{") and source.endswith("}}")):
        source = "{{ " + source + " }}"
    return _lookup_only_source(source)
