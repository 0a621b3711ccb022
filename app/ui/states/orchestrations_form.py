"""The orchestration form as plain strings, and its way to and from a definition (no I/O).

A card per call holds text the person types: JSON text for headers, query, body and extract,
"200, 201" for expected status codes. `form_to_definition` turns the form into the definition
the service validates and reports what it could not even read (bad JSON, a number that is
not one) with the same paths the service uses (`calls[1].headers`), so every problem is shown
next to its field the same way. What the form has no field for (a call's own retry policy)
rides along as JSON text and comes back unchanged.
"""

from __future__ import annotations

import json
from typing import Any, TypedDict

from app.core.errors import Problem

MODES = ["sequential", "parallel", "conditional", "pipeline"]
MODE_HINTS = {
    "sequential": "Calls run one at a time in listed order; a failed call stops the rest.",
    "parallel": "Every call whose dependencies are met runs at once; independent calls together.",
    "conditional": "Like parallel; a call whose condition is false is skipped with its dependents.",
    "pipeline": "In listed order; each call sees the previous call's response and values as prev.",
}
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]
RETRY_STRATEGIES = ["none", "immediate", "linear", "exponential"]
NO_CONNECTION = "none"
#: The card fields a problem path (`calls[i].<field>…`) is shown under.
CALL_FIELDS = (
    "id",
    "name",
    "method",
    "url",
    "connection",
    "headers",
    "query",
    "body",
    "depends_on",
    "condition",
    "extract",
    "expected_status",
    "timeout_s",
    "continue_on_error",
)


class CallForm(TypedDict):
    id: str
    name: str
    method: str
    url: str
    connection: str  # a connection's id or name, or NO_CONNECTION
    headers: str  # JSON object text
    query: str
    body: str  # JSON text ("" for no body)
    depends_on: list[str]
    condition: str
    extract: str  # JSON object text: name → path
    expected_status: str  # "200, 201"
    timeout_s: str
    continue_on_error: bool
    retry: str  # the call's own retry policy as JSON text ("" = the default), no field


def default_fields() -> dict[str, str]:
    return {
        "name": "",
        "description": "",
        "mode": "sequential",
        "timeout_s": "300",
        "max_parallel": "8",
        "retry_strategy": "none",
        "retry_max": "3",
        "retry_delay": "1",
        "is_active": "true",
    }


def blank_call(taken: list[str]) -> CallForm:
    number = len(taken) + 1
    while f"call{number}" in taken:
        number += 1
    return CallForm(
        id=f"call{number}",
        name="",
        method="GET",
        url="",
        connection=NO_CONNECTION,
        headers="{}",
        query="{}",
        body="",
        depends_on=[],
        condition="",
        extract="{}",
        expected_status="",
        timeout_s="30",
        continue_on_error=False,
        retry="",
    )


def _json_text(value: Any, empty: str = "{}") -> str:
    if value is None or value == {}:
        return empty
    return json.dumps(value, indent=2, ensure_ascii=False)


def _number_text(value: Any, default: str) -> str:
    if value is None:
        return default
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def call_to_form(call: dict[str, Any]) -> CallForm:
    connection = call.get("connection")
    depends = call.get("depends_on", call.get("dependsOn"))
    expected = call.get("expected_status", call.get("expectedStatus")) or []
    retry = call.get("retry")
    return CallForm(
        id=str(call.get("id") or ""),
        name=str(call.get("name") or ""),
        method=str(call.get("method") or "GET").upper(),
        url=str(call.get("url") or ""),
        connection=NO_CONNECTION if connection in (None, "") else str(connection),
        headers=_json_text(call.get("headers")),
        query=_json_text(call.get("query")),
        body=_json_text(call.get("body"), ""),
        depends_on=[str(d) for d in depends] if isinstance(depends, list) else [],
        condition=str(call.get("condition") or ""),
        extract=_json_text(call.get("extract")),
        expected_status=", ".join(str(c) for c in expected) if isinstance(expected, list) else "",
        timeout_s=_number_text(call.get("timeout_s", call.get("timeoutS")), "30"),
        continue_on_error=bool(call.get("continue_on_error", call.get("continueOnError"))),
        retry=_json_text(retry, "") if retry else "",
    )


def definition_to_form(data: dict[str, Any]) -> tuple[dict[str, str], list[CallForm]]:
    retry = data.get("retry") or {}
    retry_on = (retry.get("strategy") or "none") != "none"
    fields = {
        "name": str(data.get("name") or ""),
        "description": str(data.get("description") or ""),
        "mode": str(data.get("mode") or "sequential"),
        "timeout_s": _number_text(data.get("timeout_s", data.get("timeoutS")), "300"),
        "max_parallel": _number_text(data.get("max_parallel", data.get("maxParallel")), "8"),
        "retry_strategy": str(retry.get("strategy") or "none"),
        "retry_max": _number_text(retry.get("max_attempts"), "3") if retry_on else "3",
        "retry_delay": _number_text(retry.get("delay_s"), "1"),
        "is_active": "false"
        if data.get("is_active", data.get("isActive", True)) is False
        else "true",
    }
    calls = [call_to_form(c) for c in data.get("calls") or [] if isinstance(c, dict)]
    return fields, calls


# -- form → definition ----------------------------------------------------------------------


def _json(text: str, path: str, problems: list[Problem], *, obj: bool = True) -> Any:
    if not text.strip():
        return {} if obj else None
    try:
        value = json.loads(text)
    except ValueError as exc:
        problems.append(Problem(path, f"not valid JSON: {exc}"))
        return {} if obj else None
    if obj and not isinstance(value, dict):
        problems.append(Problem(path, "must be a JSON object"))
        return {}
    return value


JSON_FIELDS = ("headers", "query", "body", "extract")


def json_field_problem(name: str, text: str) -> str:
    """What is wrong with a call card's JSON field as typed ("" when it reads)."""
    problems: list[Problem] = []
    _json(text, name, problems, obj=name != "body")
    return _sentence(problems[0].message) if problems else ""


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def _number(text: str, path: str, problems: list[Problem], kind: type = float) -> Any:
    try:
        value = kind(text.strip())
    except ValueError:
        problems.append(Problem(path, "must be a number" if kind is float else "a whole number"))
        return None
    return int(value) if kind is float and float(value).is_integer() else value


def _status_codes(text: str, path: str, problems: list[Problem]) -> list[int]:
    codes = []
    for part in text.replace(";", ",").split(","):
        if part.strip():
            if not part.strip().isdigit():
                problems.append(Problem(path, f'"{part.strip()}" is not a status code'))
                continue
            codes.append(int(part.strip()))
    return codes


def _connection(text: str) -> int | str | None:
    text = text.strip()
    if not text or text == NO_CONNECTION:
        return None
    return int(text) if text.isdigit() else text


def call_to_definition(form: CallForm, index: int, problems: list[Problem]) -> dict[str, Any]:
    at = f"calls[{index}]"
    call: dict[str, Any] = {
        "id": form["id"].strip(),
        "method": form["method"],
        "url": form["url"].strip(),
    }
    if form["name"].strip():
        call["name"] = form["name"].strip()
    if (connection := _connection(form["connection"])) is not None:
        call["connection"] = connection
    for key in ("headers", "query"):
        if value := _json(form[key], f"{at}.{key}", problems):  # type: ignore[literal-required]
            call[key] = value
    body = _json(form["body"], f"{at}.body", problems, obj=False)
    if body is not None:
        call["body"] = body
    if form["depends_on"]:
        call["depends_on"] = list(form["depends_on"])
    if form["condition"].strip():
        call["condition"] = form["condition"].strip()
    if extract := _json(form["extract"], f"{at}.extract", problems):
        call["extract"] = extract
    if codes := _status_codes(form["expected_status"], f"{at}.expected_status", problems):
        call["expected_status"] = codes
    if form["timeout_s"].strip():
        call["timeout_s"] = _number(form["timeout_s"], f"{at}.timeout_s", problems)
    if form["continue_on_error"]:
        call["continue_on_error"] = True
    if form["retry"].strip():
        call["retry"] = _json(form["retry"], f"{at}.retry", problems)
    return call


def _retry(fields: dict[str, str], problems: list[Problem]) -> dict[str, Any]:
    strategy = fields.get("retry_strategy") or "none"
    if strategy == "none":
        return {"strategy": "none"}
    return {
        "strategy": strategy,
        "max_attempts": _number(fields["retry_max"], "retry.max_attempts", problems, int),
        "delay_s": _number(fields["retry_delay"], "retry.delay_s", problems),
    }


def form_to_definition(
    fields: dict[str, str], calls: list[CallForm]
) -> tuple[dict[str, Any], list[Problem]]:
    """The definition for the service, and the problems found reading the form's text."""
    problems: list[Problem] = []
    definition = {
        "name": fields.get("name", "").strip(),
        "description": fields.get("description", ""),
        "mode": fields.get("mode") or "sequential",
        "timeout_s": _number(fields.get("timeout_s", ""), "timeout_s", problems),
        "max_parallel": _number(fields.get("max_parallel", ""), "max_parallel", problems, int),
        "retry": _retry(fields, problems),
        "is_active": fields.get("is_active", "true") != "false",
        "calls": [call_to_definition(c, i, problems) for i, c in enumerate(calls)],
    }
    return definition, problems


# -- editing helpers --------------------------------------------------------------------------


def rename_in(depends_on: list[str], old: str, new: str) -> list[str]:
    return [new if d == old else d for d in depends_on]


def call_field_of(path: str, index: int) -> str | None:
    """The card field of a problem path of call `index`: "url", "" for the card, None if the
    path is not this call's."""
    prefix = f"calls[{index}]"
    if path != prefix and not path.startswith((f"{prefix}.", f"{prefix}[")):
        return None
    rest = path.removeprefix(prefix).lstrip(".")
    head = rest.split(".", 1)[0].split("[", 1)[0]
    return head if head in CALL_FIELDS else ""


def group_call_errors(errors: dict[str, str], count: int) -> list[dict[str, str]]:
    """Per card, field → its problems (several joined by lines); "" holds the card's others."""
    grouped: list[dict[str, list[str]]] = [{} for _ in range(count)]
    for path, message in errors.items():
        head = path.partition("]")[0]
        if not head.startswith("calls[") or not head[6:].isdigit() or int(head[6:]) >= count:
            continue
        index = int(head[6:])
        key = call_field_of(path, index) or ""
        rest = path.removeprefix(f"calls[{index}]").lstrip(".")
        line = message if rest == key or not rest else f"{rest}: {message}"
        grouped[index].setdefault(key, []).append(line)
    return [{key: "\n".join(lines) for key, lines in card.items()} for card in grouped]


def problem_lines(errors: dict[str, str]) -> list[str]:
    """Every problem as one line for the list at the top of the form."""
    return [
        f"{path}: {message}" if path and path != "form" else message
        for path, message in errors.items()
    ]
