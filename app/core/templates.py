"""Jinja2 templates in action configs and conditions, rendered in a hardened sandbox.

Authors write `{{ steps.fetch.output.id }}` in configs and `trigger.status == "ready"` as
conditions. Templates come from team members and context data (trigger payloads, step outputs)
from anyone, so on top of Jinja's immutable sandbox this refuses private attributes,
`str.format`, every callable outside a small allow-list, `self`, imports and macros, and it
bounds what can eat memory or CPU: `range`, loop iterations, `**`, repetition, concatenation,
filter inputs and output size. Data is only ever passed *into* templates, never compiled, so a
payload value `{{ 7*7 }}` stays that literal text.

The engine renders a step's condition and config with one `RenderBudget` (loop iterations,
output characters, a deadline, a cancel flag) in a worker thread; `RenderStopped` from the
sandbox passes through unchanged so that the engine can report a timeout. Calls without a
budget (alert messages, checks) get a fresh default budget per call.
"""

from __future__ import annotations

import functools
import re
from collections.abc import ItemsView, Iterator, KeysView, Mapping, ValuesView
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from jinja2 import meta
from jinja2.environment import Template, TemplateExpression
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.runtime import Undefined

from app.core.errors import InvalidInput
from app.core.sandbox import (
    MAX_OUTPUT,
    FlowdeckSandbox,
    RenderBudget,
    RenderStopped,
    approx_size,
    check_size,
    current_budget,
)
from app.core.template_help import explain_undefined

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
def _budgeted(budget: RenderBudget | None) -> Iterator[RenderBudget]:
    """Make `budget` (or a fresh default one) the budget of everything rendered inside."""
    budget = budget or RenderBudget()
    token = current_budget.set(budget)
    try:
        yield budget
    finally:
        current_budget.reset(token)


@contextmanager
def _sandboxed() -> Iterator[None]:
    """Turn every failure of a template into `TemplateError` (a stopped render stays as is)."""
    try:
        yield
    except (TemplateError, RenderStopped):
        raise
    except TemplateSyntaxError as exc:
        raise TemplateError(f"template error: syntax: {exc.message} (line {exc.lineno})") from exc
    except UndefinedError as exc:
        raise TemplateError(f"template error: undefined: {exc.message}") from exc
    except SecurityError as exc:
        raise TemplateError(f"template error: not allowed: {exc.message}") from exc
    except Exception as exc:  # anything a user's template can raise is the template's fault
        raise TemplateError(f"template error: {type(exc).__name__}: {exc}") from exc


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


@dataclass(frozen=True)
class _Where:
    """Where a string being rendered sits: its step and its path in the config."""

    step: str | None = None
    field: str = ""

    def at(self, key: str | int) -> _Where:
        if isinstance(key, int):
            return _Where(self.step, f"{self.field}[{key}]")
        return _Where(self.step, f"{self.field}.{key}" if self.field else str(key))


def _render_string(
    text: str, context: Mapping[str, Any], budget: RenderBudget, where: _Where
) -> Any:
    if not _has_syntax(text):
        return text
    try:
        return _render_template(text, context, budget)
    except TemplateError as exc:
        cause = exc.__cause__
        if not isinstance(cause, UndefinedError):
            raise
        message = explain_undefined(
            text, cause.message or "", context, step=where.step, field=where.field or None
        )
        raise TemplateError(message) from cause


def _render_template(text: str, context: Mapping[str, Any], budget: RenderBudget) -> Any:
    expression = _single_expression(text)
    with _sandboxed():
        if expression is not None:
            result = _compile_expression(expression)(context)
            check_size(result, "the value")
            result = _native(result)
            check_size(result, "the value")
            budget.spend_output(approx_size(result))
            return result
        chunks, length = [], 0
        for chunk in _compile_template(text).generate(context):
            length += len(chunk)
            if length > MAX_OUTPUT:
                raise SecurityError(f"output is limited to {MAX_OUTPUT} characters")
            budget.spend_output(len(chunk))
            chunks.append(chunk)
        return "".join(chunks)


def _render(value: Any, context: Mapping[str, Any], budget: RenderBudget, where: _Where) -> Any:
    if isinstance(value, str):
        return _render_string(value, context, budget, where)
    if isinstance(value, Mapping):
        return {key: _render(item, context, budget, where.at(key)) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_render(item, context, budget, where.at(i)) for i, item in enumerate(value)]
    return value


def render_value(
    value: Any,
    context: Mapping[str, Any],
    budget: RenderBudget | None = None,
    *,
    step: str | None = None,
    field: str = "",
) -> Any:
    """Render every string in `value` (recursing into dicts and lists) against `context`.

    A string that is exactly one `{{ expr }}` becomes the expression's native value (an int,
    a dict...), so `{"count": "{{ steps.a.output.n }}"}` keeps a number; any other string with
    template syntax renders to text. Dict keys and non-strings are returned unchanged. Every
    string spends from `budget` (a fresh default one when None). An undefined name is
    explained (`app.core.template_help`) with `step` and the string's path under `field`.
    """
    with _budgeted(budget) as spent:
        return _render(value, context, spent, _Where(step, field))


def _condition_source(expr: str) -> str:
    return _single_expression(expr.strip()) or expr.strip()


def evaluate_condition(
    expr: str,
    context: Mapping[str, Any],
    budget: RenderBudget | None = None,
    *,
    step: str | None = None,
) -> bool:
    """Truth of a condition such as `steps.fetch.output.status == 200` (`{{ }}` optional)."""
    source = _condition_source(expr)
    if not source:
        raise TemplateError("template error: the condition is empty")
    try:
        with _budgeted(budget), _sandboxed():
            return bool(_compile_expression(source)(context))
    except TemplateError as exc:
        if not isinstance(exc.__cause__, UndefinedError):
            raise
        message = explain_undefined(
            "{{ " + source + " }}", exc.__cause__.message or "", context, step=step
        )
        raise TemplateError(message) from exc.__cause__


@functools.lru_cache(maxsize=1024)
def _names_of_template(source: str) -> frozenset[str] | None:
    try:
        return frozenset(meta.find_undeclared_variables(_ENV.parse(source)))
    except TemplateSyntaxError:
        return None


def names_read(value: Any) -> frozenset[str] | None:
    """The top-level names (`trigger`, `steps`, `range`, …) the templates in `value` read, or
    None if one does not parse. Strings without template syntax read nothing."""
    if isinstance(value, str):
        if not _has_syntax(value):
            return frozenset()
        return None if len(value) > MAX_SOURCE else _names_of_template(value)
    if not isinstance(value, Mapping | list | tuple):
        return frozenset()
    items = value.values() if isinstance(value, Mapping) else value
    found: set[str] = set()
    for item in items:
        names = names_read(item)
        if names is None:
            return None
        found |= names
    return frozenset(found)


def condition_names(expr: str) -> frozenset[str] | None:
    """The top-level names a condition reads (`{{ }}` optional), or None if it does not parse."""
    source = _condition_source(expr)
    if not source or len(source) > MAX_SOURCE:
        return None
    return _names_of_template("{{ " + source + " }}")


def check_template(text: str) -> str | None:
    """Why `text` would not compile as a template (syntax, refused construct), or None."""
    if not _has_syntax(text):
        return None
    expression = _single_expression(text)
    try:
        with _budgeted(None), _sandboxed():
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
        with _budgeted(None), _sandboxed():
            _compile_expression(source)
    except TemplateError as exc:
        return exc.message
    return None
