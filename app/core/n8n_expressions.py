"""n8n expressions in Flowdeck's template language, where the meaning is clear. Pure.

An n8n parameter whose text starts with `=` is an expression: text with `{{ … }}` parts holding
JavaScript. Flowdeck's templates are Jinja, with the same braces. The common references carry
over one for one: `$json.x` (the item the node received) becomes the path of the step that
produced it (`steps.fetch.output.body.x`, `trigger.body.x`, or `item.x` inside a loop),
`$('Node').item.json.x` and `$node["Node"].json.x` the path of that node, `$now` becomes `now`,
`$execution.id` and `$workflow.name` their Flowdeck names. Path access (`.x`, `["x"]`, `[0]`),
literals and arithmetic or comparison operators mean the same in both languages.

Anything else is JavaScript whose meaning Flowdeck cannot promise (method calls, `&&`, `?:`,
arrow functions, `$items()`…): such a value is kept *as text* (so it cannot run by accident)
and reported, and a person rewrites it. Nothing here evaluates anything.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.core.templates import check_template

MAX_EXPRESSION = 20_000  # characters of one n8n expression text that are translated
_ACCESSOR = r"\s*\.\s*(?:item|first\(\s*\)|last\(\s*\))\s*\.\s*json\b"
_TOKEN = re.compile(
    r"""(?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    |(?P<call>\$\(\s*(?P<q>['"])(?P<name>.*?)(?P=q)\s*\)"""
    + _ACCESSOR
    + r""")
    |(?P<node>\$node\s*\[\s*(?P<q2>['"])(?P<name2>.*?)(?P=q2)\s*\]\s*\.\s*json\b)
    |(?P<input>\$input"""
    + _ACCESSOR
    + r""")
    |(?P<json>\$json\b)
    |(?P<now>\$now\b(?!\s*\.))
    |(?P<exec>\$execution\s*\.\s*id\b)
    |(?P<wf>\$workflow\s*\.\s*(?P<wfkey>id|name)\b)
    |(?P<other>\$|`)""",
    re.VERBOSE | re.DOTALL,
)
#: JavaScript that has no one-for-one Jinja meaning (checked outside string literals).
_JS_ONLY = ("=>", "===", "!==", "&&", "||", "?", "{", "}", ";", "++", "--")
_IDENTIFIER = re.compile(r"(?<![\w.\]])([A-Za-z_]\w*)")
_CALL = re.compile(r"[\w\]]\s*\(")
_METHOD_NAMES = re.compile(r"\.\s*(items|keys|values|get|count|index|pop|copy|update)\b")
_BARE_WORDS = {"true": "true", "false": "false", "null": "none"}


@dataclass(frozen=True)
class Scope:
    """What n8n's names mean at one node, as Flowdeck paths (None: no clear meaning).

    `json`: the item the node received. `nodes`: each n8n node name's output item.
    """

    json: str | None = None
    nodes: Mapping[str, str | None] = field(default_factory=dict)


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=")


def literal_text(text: str) -> str:
    """`text` as a Flowdeck value that renders to exactly `text` (braces and all)."""
    if "{{" not in text and "{%" not in text and "{#" not in text:
        return text
    if "endraw" not in text:
        return "{% raw %}" + text + "{% endraw %}"
    return "{{ " + jinja_string(text) + " }}"


def jinja_string(text: str) -> str:
    """A Jinja string literal of `text` (JSON's escapes are Jinja's)."""
    return json.dumps(text, ensure_ascii=False)


def jinja_literal(value: Any) -> str | None:
    """A Jinja literal of a JSON scalar; None for anything else."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return jinja_string(value)
    return None


def _reference(match: re.Match[str], scope: Scope) -> str | None:
    kind = match.lastgroup
    if kind in ("json", "input"):
        return scope.json
    if kind == "call":
        return scope.nodes.get(match["name"])
    if kind == "node":
        return scope.nodes.get(match["name2"])
    if kind == "now":
        return "now"
    if kind == "exec":
        return "execution.id"
    if kind == "wf":
        return f"workflow.{match['wfkey']}"
    return None


def _clear_gap(gap: str) -> str | None:
    """A stretch between references and strings in Jinja, or None if it is JavaScript."""
    if any(mark in gap for mark in _JS_ONLY) or _CALL.search(gap):
        return None
    if re.search(r"!(?!=)", gap):
        return None
    for word in _IDENTIFIER.findall(gap):
        if word not in _BARE_WORDS:
            return None
    gap = _IDENTIFIER.sub(lambda m: _BARE_WORDS[m[1]], gap)
    gap = re.sub(r"\.\s*length\b", " | length", gap)
    # `body.items` would be the dict's method in Jinja; a subscript reads the key.
    return _METHOD_NAMES.sub(lambda m: f'["{m[1]}"]', gap)


def translate_expression(source: str, scope: Scope) -> str | None:
    """The Jinja expression for one n8n `{{ … }}` body, or None when its meaning is unclear."""
    out: list[str] = []
    position = 0
    for match in _TOKEN.finditer(source):
        gap = _clear_gap(source[position : match.start()])
        if gap is None:
            return None
        out.append(gap)
        if match.lastgroup == "str":
            out.append(match.group())
        else:
            path = _reference(match, scope)
            if path is None:
                return None
            out.append(path)
        position = match.end()
    tail = _clear_gap(source[position:])
    if tail is None:
        return None
    text = "".join([*out, tail]).strip()
    return text or None


@dataclass(frozen=True)
class Translated:
    """A translated value and the n8n expressions that were left as text."""

    value: Any
    untranslated: tuple[str, ...] = ()


def _parts(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, body) of each `{{ body }}`, found in one pass (no backtracking)."""
    position = 0
    while (start := text.find("{{", position)) != -1:
        end = text.find("}}", start + 2)
        if end == -1:
            return
        yield start, end + 2, text[start + 2 : end]
        position = end + 2


def _shortened(text: str) -> str:
    return text if len(text) <= 200 else text[:200] + "…"


def translate_template(text: str, scope: Scope) -> Translated:
    """An n8n expression text (without its `=`) as a Flowdeck template, or kept as text."""
    if len(text) > MAX_EXPRESSION:
        return Translated(literal_text(text), (_shortened(text),))
    parts: list[str] = []
    failed: list[str] = []
    position = 0
    for start, end, body in _parts(text):
        parts.append(literal_text(text[position:start]))
        expression = translate_expression(body, scope)
        if expression is None:
            failed.append(_shortened("{{" + body + "}}"))
        parts.append("{{ " + (expression or "") + " }}")
        position = end
    parts.append(literal_text(text[position:]))
    result = "".join(parts)
    if not failed and check_template(result) is not None:  # the sandbox would refuse it
        failed = [text]
    if failed:
        return Translated(literal_text(text), tuple(failed[:5]))
    return Translated(result)


def translate_value(value: Any, scope: Scope) -> Translated:
    """Every string in `value` (dicts and lists too): expressions translated, text kept as text."""
    if isinstance(value, str):
        if is_expression(value):
            return translate_template(value[1:], scope)
        return Translated(literal_text(value))
    if isinstance(value, Mapping):
        results = {str(key): translate_value(item, scope) for key, item in value.items()}
        failed = tuple(text for result in results.values() for text in result.untranslated)
        return Translated({key: result.value for key, result in results.items()}, failed)
    if isinstance(value, list):
        items = [translate_value(item, scope) for item in value]
        failed = tuple(text for result in items for text in result.untranslated)
        return Translated([result.value for result in items], failed)
    return Translated(value)


def operand(value: Any, scope: Scope) -> Translated:
    """A value as a Jinja *expression* (for conditions); `value` None when it is unclear."""
    if not is_expression(value):
        literal = jinja_literal(value)
        return Translated(literal) if literal is not None else Translated(None, (str(value),))
    text = value[1:]
    if len(text) > MAX_EXPRESSION:
        return Translated(None, (_shortened(text),))
    pieces: list[str] = []
    position = 0
    for start, end, body in _parts(text):
        if before := text[position:start]:
            pieces.append(jinja_string(before))
        expression = translate_expression(body, scope)
        if expression is None:
            return Translated(None, (_shortened(text),))
        pieces.append(f"({expression})")
        position = end
    if rest := text[position:]:
        pieces.append(jinja_string(rest))
    if not pieces:
        return Translated('""')
    if len(pieces) == 1:  # one expression alone needs no parentheses
        single = pieces[0]
        return Translated(single[1:-1] if single.startswith("(") else single)
    return Translated(" ~ ".join(pieces))
