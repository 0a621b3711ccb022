"""What a template's undefined name means: which path, which key, and what exists there.

Jinja says `'dict object' has no attribute 'order_id'`, which names neither the field nor the
object. `explain_undefined` reads the template's own paths (`steps.fetch.output.order_id`),
finds the one whose prefix resolves in the context but lacks the missing key, and says so:
"steps.fetch.output has no key 'order_id'; it has 'status', 'headers', 'body' (did you mean
steps.fetch.output.body.order_id?)". Only key names are ever listed, never values, so a secret
in a payload or step output cannot reach an error message. Pure: no I/O.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, nodes
from jinja2.exceptions import TemplateSyntaxError

MAX_KEYS_LISTED = 20
MAX_KEY_CHARS = 40
SUGGEST_DEPTH = 3  # levels below the failing one searched for the missing key
SUGGEST_NODES = 2_000  # values looked at while searching
_PARSER = Environment()  # parsing only: nothing is ever rendered with it
_NAME = re.compile(r"^(?P<name>'.*'|\".*\") is undefined$", re.DOTALL)
_MEMBER = re.compile(r" has no (?:attribute|element) (?P<name>.+)$", re.DOTALL)
_MISSING = object()


@dataclass(frozen=True)
class Missing:
    """The name Jinja found undefined: a top-level name (`top`) or a key of some object."""

    name: str | int
    top: bool


def parse_undefined(message: str) -> Missing | None:
    """The missing name in one of Jinja's undefined messages, or None if it is not one."""
    message = message.strip()
    if match := _NAME.match(message):
        name, top = match["name"], True
    elif match := _MEMBER.search(message):
        name, top = match["name"], False
    else:
        return None
    try:
        value = ast.literal_eval(name)
    except (ValueError, SyntaxError):
        return None
    return Missing(value, top) if isinstance(value, str | int) else None


def _chain(node: nodes.Node) -> list[str | int] | None:
    """`steps.fetch.output["x"]` → ["steps", "fetch", "output", "x"]; None if not static."""
    parts: list[str | int] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            if not isinstance(node.arg.value, str | int):
                return None
            parts.append(node.arg.value)
            node = node.node
        elif isinstance(node, nodes.Name):
            parts.append(node.name)
            return parts[::-1]
        else:
            return None


def template_paths(source: str) -> list[list[str | int]]:
    """Every static path (`a.b["c"]`) the template reads, longest forms included, in order."""
    try:
        tree = _PARSER.parse(source)
    except TemplateSyntaxError:
        return []
    found: list[list[str | int]] = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Name)):
        chain = _chain(node)
        if chain is not None and chain not in found:
            found.append(chain)
    return found


def _step(value: Any, part: str | int) -> Any:
    if isinstance(value, Mapping):
        return value.get(part, _MISSING)
    if isinstance(value, Sequence) and not isinstance(value, str) and isinstance(part, int):
        return value[part] if -len(value) <= part < len(value) else _MISSING
    return _MISSING


def resolve(context: Mapping[str, Any], path: Sequence[str | int]) -> Any:
    """The value at `path` in `context`, or `MISSING` (module constant) if there is none."""
    value: Any = context
    for part in path:
        value = _step(value, part)
        if value is _MISSING:
            return _MISSING
    return value


def dotted(path: Sequence[str | int]) -> str:
    """`["steps", "a", 0, "b c"]` → `steps.a[0]["b c"]`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part.isidentifier():
            text += f".{part}" if text else part
        else:
            text += f"[{part!r}]"
    return text


def _key(key: Any) -> str:
    if isinstance(key, int):
        return f"[{key}]"
    text = str(key)
    return repr(text if len(text) <= MAX_KEY_CHARS else text[: MAX_KEY_CHARS - 1] + "…")


def list_keys(keys: Sequence[Any]) -> str:
    """`'a', 'b', 'c'` (at most `MAX_KEYS_LISTED`, then how many more)."""
    shown = ", ".join(_key(k) for k in keys[:MAX_KEYS_LISTED])
    more = len(keys) - MAX_KEYS_LISTED
    return f"{shown} and {more} more" if more > 0 else shown


def describe_level(where: str, value: Any) -> str:
    """What exists at `where`: its keys, its length, or its kind (never a value)."""
    if isinstance(value, Mapping):
        keys = list(value.keys())
        return f"{where} has {list_keys(keys)}" if keys else f"{where} is an empty object"
    if isinstance(value, str):
        return f"{where} is text, not an object"
    if isinstance(value, Sequence):
        if not value:
            return f"{where} is an empty list"
        if len(value) == 1:
            return f"{where} is a list of 1 item ({where}[0])"
        return f"{where} is a list of {len(value)} items ({where}[0] … {where}[{len(value) - 1}])"
    if value is None:
        return f"{where} is empty (null)"
    return f"{where} is a {type(value).__name__}, not an object"


def find_key(value: Any, name: str | int, base: Sequence[str | int]) -> list[str | int] | None:
    """The nearest path under `value` (breadth first, a few levels) holding key `name`."""
    queue: list[tuple[Any, list[str | int]]] = [(value, list(base))]
    seen = 0
    while queue and seen < SUGGEST_NODES:
        current, path = queue.pop(0)
        seen += 1
        if len(path) - len(base) > SUGGEST_DEPTH:
            continue
        children: list[tuple[str | int, Any]] = []
        if isinstance(current, Mapping):
            if len(path) > len(base) and name in current:
                return [*path, name]
            children = list(current.items())
        elif isinstance(current, Sequence) and not isinstance(current, str) and current:
            children = [(0, current[0])]  # lists: the first item stands for all
        queue.extend((child, [*path, key]) for key, child in children)
    return None


def _where(step: str | None, field: str | None) -> str:
    parts = [f"in {field}" if field else "", f"of step {step!r}" if step else ""]
    return " ".join(p for p in parts if p)


def explain_undefined(
    source: str,
    message: str,
    context: Mapping[str, Any],
    *,
    step: str | None = None,
    field: str | None = None,
) -> str:
    """The error to show for Jinja's undefined `message` raised rendering `source`.

    Names the step and field when given, the path that failed, the missing key, the keys that
    exist at that level, and a nearby path holding the key if there is one.
    """
    where = _where(step, field)
    missing = parse_undefined(message)
    if missing is None:
        return " ".join(p for p in ("template error: undefined", where) if p) + f": {message}"
    name = missing.name
    if missing.top:
        head = f"template error: {name!r} is undefined" + (f" {where}" if where else "")
        return f"{head}; names that exist: {list_keys(list(context.keys()))}"
    head = f"template error: undefined {_key(name)}" + (f" {where}" if where else "")
    fallback: str | None = None
    for path in template_paths(source):
        for i in range(1, len(path)):
            if path[i] != name:
                continue
            prefix = path[:i]
            level = resolve(context, prefix)
            if level is _MISSING:
                fallback = fallback or f"{dotted(prefix)} has no {_key(name)}"
                continue
            if _step(level, name) is not _MISSING:
                continue  # this prefix has the key: another path is the one that failed
            text = f"{head}: {dotted(prefix)} has no {_key(name)}; "
            text += describe_level(dotted(prefix), level).replace(f"{dotted(prefix)} ", "it ", 1)
            if isinstance(name, str) and (found := find_key(level, name, prefix)):
                text += f" (did you mean {dotted(found)}?)"
            elif isinstance(name, str) and isinstance(level, Mapping):
                keys = [str(k) for k in level]
                if close := difflib.get_close_matches(name, keys, n=1, cutoff=0.75):
                    text += f" (did you mean {dotted([*prefix, close[0]])}?)"
            return text
    return f"{head}: {fallback}" if fallback else f"{head}: {message}"


#: The value `resolve` returns for a path that does not exist.
MISSING = _MISSING
