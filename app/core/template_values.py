"""The variables of a workflow template: their types, and checking a value people typed. Pure.

A form sends text, an API client sends JSON: `coerce` takes either ("5" or 5 for an integer,
"a@x.io, b@x.io" or a list for an email list) and gives the typed value, or a clear message
("must be an email address"). Bounds (`min`/`max`) apply to a number's value, a text's length
and a list's item count; `pattern` to a text (and to each item of a list of strings).
"""

from __future__ import annotations

import math
import re
from typing import Any, Literal
from urllib.parse import urlsplit

from app.core.cron import validate_cron

VariableType = Literal[
    "string",
    "text",
    "integer",
    "number",
    "boolean",
    "email",
    "email_list",
    "url",
    "cron",
    "choice",
    "string_list",
    "connection",
]
VARIABLE_TYPES: tuple[str, ...] = VariableType.__args__  # type: ignore[attr-defined]
LIST_TYPES = ("email_list", "string_list")
MAX_TEXT = 20_000  # characters of a `text` value
MAX_STRING = 2_000  # characters of any other text value
MAX_ITEMS = 200  # items of a list value
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


class ValueProblem(ValueError):
    """Why a value does not fit its variable (the message is shown next to the field)."""


def _text(value: Any, limit: int = MAX_STRING) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueProblem("must be text")
    text = str(value)
    if len(text) > limit:
        raise ValueProblem(f"must be at most {limit:,} characters")
    return text


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueProblem("must be a whole number")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d{1,18}\s*", value):
        return int(value)
    if isinstance(value, int) and abs(value) < 10**18:
        return value
    raise ValueProblem("must be a whole number")


def _number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise ValueProblem("must be a number")
    if isinstance(value, str) and len(value) <= 40:
        try:
            value = float(value) if any(c in value for c in ".eE") else int(value)
        except ValueError:
            raise ValueProblem("must be a number") from None
    if isinstance(value, int) and abs(value) < 10**18:
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    raise ValueProblem("must be a number")


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueProblem("must be true or false")


def _email(value: Any) -> str:
    text = _text(value, 320).strip()
    if not _EMAIL.match(text):
        raise ValueProblem("must be an email address")
    return text


def _url(value: Any) -> str:
    text = _text(value).strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueProblem("must be a web address starting with http:// or https://")
    return text


def _cron(value: Any) -> str:
    text = " ".join(_text(value, 200).split())
    why = validate_cron(text)
    if why:
        raise ValueProblem(f"must be a cron expression such as '0 9 * * MON' ({why})")
    return text


def _items(value: Any) -> list[Any]:
    if isinstance(value, str):
        value = [part.strip() for part in re.split(r"[,;\n]", value) if part.strip()]
    if not isinstance(value, list):
        raise ValueProblem("must be a list")
    if len(value) > MAX_ITEMS:
        raise ValueProblem(f"must have at most {MAX_ITEMS} items")
    return value


def _email_list(value: Any) -> list[str]:
    out = []
    for item in _items(value):
        try:
            out.append(_email(item))
        except ValueProblem:
            raise ValueProblem(f"must be email addresses; {str(item)[:80]!r} is not one") from None
    return out


def _string_list(value: Any) -> list[str]:
    out = []
    for item in _items(value):
        try:
            out.append(_text(item).strip())
        except ValueProblem:
            raise ValueProblem("must be a list of texts") from None
    return out


def _connection(value: Any) -> int | str:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str) and value.strip() and len(value) <= 200:
        return value.strip()
    raise ValueProblem("must be a connection (its name or id)")


_COERCE = {
    "string": _text,
    "text": lambda v: _text(v, MAX_TEXT),
    "integer": _integer,
    "number": _number,
    "boolean": _boolean,
    "email": _email,
    "email_list": _email_list,
    "url": _url,
    "cron": _cron,
    "choice": _text,
    "string_list": _string_list,
    "connection": _connection,
}


def is_blank(value: Any) -> bool:
    """Nothing given: missing, null, empty or blank text, or an empty list."""
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _bounds(kind: str, value: Any, low: float | None, high: float | None) -> None:
    if kind in ("integer", "number"):
        size, what = value, ""
    elif kind in LIST_TYPES:
        size, what = len(value), " items"
    elif isinstance(value, str):
        size, what = len(value), " characters"
    else:
        return
    if low is not None and size < low:
        raise ValueProblem(f"must be at least {low:g}{what}")
    if high is not None and size > high:
        raise ValueProblem(f"must be at most {high:g}{what}")


def coerce(
    kind: str,
    value: Any,
    *,
    options: list[str] | None = None,
    low: float | None = None,
    high: float | None = None,
    pattern: str | None = None,
) -> Any:
    """`value` as the variable type `kind` takes it, or `ValueProblem` saying what it must be."""
    typed = _COERCE[kind](value)
    if kind == "choice" and options is not None and typed not in options:
        shown = ", ".join(options[:20])
        raise ValueProblem(f"must be one of: {shown}")
    _bounds(kind, typed, low, high)
    if pattern and kind in ("string", "text", "string_list"):
        for item in typed if isinstance(typed, list) else [typed]:
            if not re.fullmatch(pattern, item):
                raise ValueProblem(f"must match the pattern {pattern}")
    return typed
