"""Rows the template gallery draws, made from the template service's answers (no Reflex state).

Each variable becomes a `VarField` telling the "Use template" form which widget to draw: a
text input, a text area (long text and lists), a select (choices, connections of the variable's
platform) or a switch (booleans). A connection variable with no connection of its platform yet
gets the widget `missing`, which says where to add one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from app.core.errors import Problem

MAX_CHIPS = 6
INPUT_TYPES = {"integer": "number", "number": "number", "email": "email", "url": "url"}


class TemplateCard(TypedDict):
    id: str
    name: str
    description: str
    category: str
    icon: str
    origin: str  # "Built-in" or "Saved · v2"
    builtin: bool
    chips: list[str]
    facts: str


class VarField(TypedDict):
    name: str
    label: str
    help: str
    widget: str  # input, textarea, select, switch, missing
    input_type: str
    required: bool
    default: str
    placeholder: str
    options: list[str]
    platform: str


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def template_card(item: Mapping[str, Any]) -> TemplateCard:
    version = int(item.get("version") or 1)
    uses = int(item.get("uses") or 0)
    facts = [_plural(int(item.get("step_count") or 0), "step")]
    facts.append(_plural(len(item.get("variables") or []), "field"))
    if uses:
        facts.append(f"used {_plural(uses, 'time')}")
    return {
        "id": str(item["id"]),
        "name": str(item.get("name") or item["id"]),
        "description": str(item.get("description") or ""),
        "category": str(item.get("category") or ""),
        "icon": str(item.get("icon") or "workflow"),
        "origin": "Built-in" if item.get("builtin") else f"Saved · v{version}",
        "builtin": bool(item.get("builtin")),
        "chips": [str(t).replace("_", " ") for t in (item.get("step_types") or [])][:MAX_CHIPS],
        "facts": " · ".join(facts),
    }


def _text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _widget(kind: str, options: list[str]) -> str:
    if kind == "boolean":
        return "switch"
    if kind == "choice":
        return "select"
    if kind == "connection":
        return "select" if options else "missing"
    if kind in ("text", "email_list", "string_list"):
        return "textarea"
    return "input"


def var_field(variable: Mapping[str, Any], connections: Mapping[str, list[str]]) -> VarField:
    """The form field of one template variable; `connections`: platform → connection names."""
    kind = str(variable.get("type") or "string")
    platform = str(variable.get("platform") or "")
    if kind == "connection":
        options = list(connections.get(platform, []))
    else:
        options = [str(o) for o in variable.get("options") or []]
    default = _text_of(variable.get("default"))
    if kind == "connection" and not default and len(options) == 1:
        default = options[0]
    placeholder = str(variable.get("placeholder") or "")
    if not placeholder and kind in ("email_list", "string_list"):
        placeholder = "one per line, or separated by commas"
    return {
        "name": str(variable["name"]),
        "label": str(variable.get("label") or variable["name"]),
        "help": str(variable.get("help") or ""),
        "widget": _widget(kind, options),
        "input_type": INPUT_TYPES.get(kind, "text"),
        "required": bool(variable.get("required", "default" not in variable)),
        "default": default,
        "placeholder": placeholder,
        "options": options,
        "platform": platform,
    }


def form_values(fields: list[VarField], data: Mapping[str, Any]) -> dict[str, Any]:
    """The submitted form as the service takes it: switches missing from the form are off,
    empty fields are left out (the template's default, or "required")."""
    values: dict[str, Any] = {}
    for item in fields:
        name = item["name"]
        if item["widget"] == "switch":
            values[name] = str(data.get(name, "")).lower() in ("on", "true", "1")
            continue
        text = str(data.get(name, "")).strip()
        if text:
            values[name] = text
    return values


def split_problems(problems: list[Problem]) -> tuple[dict[str, str], str, str]:
    """Problems by variable name, the name field's problem, and the rest as one line."""
    by_field: dict[str, str] = {}
    name_error = ""
    rest: list[str] = []
    for problem in problems:
        path = problem.path or ""
        if path.startswith("variables."):
            key = path.removeprefix("variables.").split(".", 1)[0].split("[", 1)[0]
            by_field.setdefault(key, problem.message)
        elif path == "name":
            name_error = problem.message
        else:
            rest.append(f"{path}: {problem.message}" if path else problem.message)
    return by_field, name_error, "; ".join(rest)[:600]
