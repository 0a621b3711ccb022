"""Jinja2 templates in action configs and conditions, rendered in a hardened sandbox.

Authors write `{{ steps.fetch.output.id }}` in configs and `trigger.status == "ready"` as
conditions. Templates come from team members and context data (trigger payloads, step outputs)
from anyone, so on top of Jinja's immutable sandbox this refuses private attributes,
`str.format`, every callable outside a small allow-list, `self`, imports and macros, and it
bounds what can eat memory or CPU: `range`, loop iterations, `**`, repetition, concatenation,
filter inputs and output size. Data is only ever passed *into* templates, never compiled, so a
payload value `{{ 7*7 }}` stays that literal text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import ItemsView, Iterator, KeysView, Mapping, ValuesView
from contextlib import contextmanager
from typing import Any

from jinja2.environment import Template, TemplateExpression
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.runtime import Undefined

from app.core.errors import InvalidInput
from app.core.sandbox import (
    MAX_LOOP_ITERATIONS,
    MAX_OUTPUT,
    FlowdeckSandbox,
    check_size,
    loop_budget,
)

MAX_SOURCE = 100_000  # characters of one template or condition
_SINGLE_EXPRESSION = re.compile(r"\{\{-?(?P<expr>.*?)-?\}\}", re.DOTALL)


class TemplateError(InvalidInput):
    """A template or condition could not be compiled or rendered; the message says why."""

    code = "template_error"


_ENV = FlowdeckSandbox()


@functools.lru_cache(maxsize=1024)
def _compile_template(source: str) -> Template:
    if len(source) > MAX_SOURCE:
        raise SecurityError(f"templates are limited to {MAX_SOURCE} characters")
    return _ENV.from_string(source)


@functools.lru_cache(maxsize=1024)
def _compile_expression(source: str) -> TemplateExpression:
    if len(source) > MAX_SOURCE:
        raise SecurityError(f"expressions are limited to {MAX_SOURCE} characters")
    return _ENV.compile_expression(source, undefined_to_none=False)


@contextmanager
def _sandboxed() -> Iterator[None]:
    """Give the render a fresh loop budget and turn every failure into `TemplateError`."""
    token = loop_budget.set([MAX_LOOP_ITERATIONS])
    try:
        yield
    except TemplateError:
        raise
    except TemplateSyntaxError as exc:
        raise TemplateError(f"template error: syntax: {exc.message} (line {exc.lineno})") from exc
    except UndefinedError as exc:
        raise TemplateError(f"template error: undefined: {exc.message}") from exc
    except SecurityError as exc:
        raise TemplateError(f"template error: not allowed: {exc.message}") from exc
    except Exception as exc:  # anything a user's template can raise is the template's fault
        raise TemplateError(f"template error: {type(exc).__name__}: {exc}") from exc
    finally:
        loop_budget.reset(token)


def _has_syntax(text: str) -> bool:
    return "{{" in text or "{%" in text or "{#" in text


def _single_expression(text: str) -> str | None:
    """The expression inside `text` if `text` is exactly one `{{ expr }}`, else None."""
    match = _SINGLE_EXPRESSION.fullmatch(text)
    if match is None or any(mark in match["expr"] for mark in ("{{", "}}", "{%", "{#")):
        return None
    return match["expr"].strip()


def _native(value: Any) -> Any:
    """Plain JSON-like data: lists for iterators and tuples, str for Markup and StrEnums."""
    if isinstance(value, Undefined):
        str(value)  # StrictUndefined raises, naming the missing variable
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Mapping):
        return {key: _native(item) for key, item in value.items()}
    if isinstance(value, list | tuple | range | Iterator | KeysView | ValuesView | ItemsView):
        return [_native(item) for item in value]
    return value


def _render_string(text: str, context: Mapping[str, Any]) -> Any:
    if not _has_syntax(text):
        return text
    expression = _single_expression(text)
    with _sandboxed():
        if expression is not None:
            result = _compile_expression(expression)(context)
            check_size(result, "the value")
            result = _native(result)
            check_size(result, "the value")
            return result
        chunks, length = [], 0
        for chunk in _compile_template(text).generate(context):
            length += len(chunk)
            if length > MAX_OUTPUT:
                raise SecurityError(f"output is limited to {MAX_OUTPUT} characters")
            chunks.append(chunk)
        return "".join(chunks)


def render_value(value: Any, context: Mapping[str, Any]) -> Any:
    """Render every string in `value` (recursing into dicts and lists) against `context`.

    A string that is exactly one `{{ expr }}` becomes the expression's native value (an int,
    a dict...), so `{"count": "{{ steps.a.output.n }}"}` keeps a number; any other string with
    template syntax renders to text. Dict keys and non-strings are returned unchanged.
    """
    if isinstance(value, str):
        return _render_string(value, context)
    if isinstance(value, Mapping):
        return {key: render_value(item, context) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [render_value(item, context) for item in value]
    return value


def _condition_source(expr: str) -> str:
    return _single_expression(expr.strip()) or expr.strip()


def evaluate_condition(expr: str, context: Mapping[str, Any]) -> bool:
    """Truth of a condition such as `steps.fetch.output.status == 200` (`{{ }}` optional)."""
    source = _condition_source(expr)
    if not source:
        raise TemplateError("template error: the condition is empty")
    with _sandboxed():
        return bool(_compile_expression(source)(context))


def check_template(text: str) -> str | None:
    """Why `text` would not compile as a template (syntax, refused construct), or None."""
    if not _has_syntax(text):
        return None
    expression = _single_expression(text)
    try:
        with _sandboxed():
            if expression is not None:
                _compile_expression(expression)
            else:
                _compile_template(text)
    except TemplateError as exc:
        return exc.message
    return None


def check_condition(expr: str) -> str | None:
    """Why `expr` would not compile as a condition, or None."""
    source = _condition_source(expr)
    if not source:
        return "template error: the condition is empty"
    try:
        with _sandboxed():
            _compile_expression(source)
    except TemplateError as exc:
        return exc.message
    return None
