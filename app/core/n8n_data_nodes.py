"""n8n's data nodes as Flowdeck steps: HTTP Request → `api_call`, Set / Edit Fields → `transform`.

Both read every version of the node's parameters: HTTP Request v1-v2 (`requestMethod`,
`…ParametersUi`) and v3+ (`method`, `sendQuery` / `queryParameters`, `sendBody` with a key/value
list or a JSON text), Set v1-v2 (`values.string[]`…), v3.0-3.2 (`fields.values[]`) and v3.3+
(`assignments.assignments[]`), with dotted names nested as n8n nests them. Pure.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from app.core.n8n_expressions import is_expression
from app.core.n8n_model import (
    MAX_DEPTH,
    Builder,
    Context,
    Mapped,
    N8nNode,
    Unmapped,
    listed,
    too_deep,
)

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")


def _pairs(container: Any, key: str = "parameters") -> list[tuple[str, Any]]:
    """`{parameters: [{name, value}]}` (n8n's key/value lists) as pairs."""
    rows = container.get(key) if isinstance(container, Mapping) else None
    return [
        (str(row.get("name", "")), row.get("value", ""))
        for row in listed(rows)
        if isinstance(row, Mapping) and str(row.get("name", "")).strip()
    ]


def http_request(node: N8nNode, context: Context) -> Mapped | Unmapped:
    params, b = node.parameters, Builder(context)
    method = str(params.get("method") or params.get("requestMethod") or "GET").upper()
    attention: list[str] = []
    if method not in _METHODS:
        attention.append(f"method {method} is not offered by Flowdeck: GET used instead")
        method = "GET"
    config: dict[str, Any] = {"method": method, "url": b.value(params.get("url", ""), "url")}
    v3 = node.version >= 3
    query = (
        _pairs(params.get("queryParameters"))
        if v3
        else _pairs(params.get("queryParametersUi"), "parameter")
    )
    headers = (
        _pairs(params.get("headerParameters"))
        if v3
        else _pairs(params.get("headerParametersUi"), "parameter")
    )
    if query:
        config["query"] = {k: b.value(v, f"query.{k}") for k, v in query}
    if headers:
        config["headers"] = {k: str(b.value(v, f"headers.{k}")) for k, v in headers}
    _http_body(node, b, config, attention)
    timeout = (
        params.get("options", {}).get("timeout")
        if isinstance(params.get("options"), Mapping)
        else None
    )
    if isinstance(timeout, int | float) and not isinstance(timeout, bool) and timeout > 0:
        config["timeout_s"] = min(timeout / 1000, 3600)
    if params.get("authentication") not in (None, "none"):
        attention.append(
            "n8n credentials are not imported: set the step's `connection` (a Flowdeck "
            "connection holds the secret)"
        )
    return b.mapped("api_call", config, attention=attention)


def _http_body(node: N8nNode, b: Builder, config: dict[str, Any], attention: list[str]) -> None:
    params = node.parameters
    if node.version < 3:
        if params.get("jsonParameters"):
            raw = params.get("bodyParametersJson")
            if raw not in (None, ""):
                _json_text(raw, b, config)
        elif pairs := _pairs(params.get("bodyParametersUi"), "parameter"):
            config["json"] = {k: b.value(v, f"json.{k}") for k, v in pairs}
        return
    if not params.get("sendBody"):
        return
    content = params.get("contentType", "json")
    if content == "json" and params.get("specifyBody") == "json":
        _json_text(params.get("jsonBody", ""), b, config)
    elif content == "json":
        pairs = _pairs(params.get("bodyParameters"))
        config["json"] = {k: b.value(v, f"json.{k}") for k, v in pairs}
    elif content == "raw":
        config["body"] = str(b.value(params.get("body", ""), "body"))
        kind = params.get("rawContentType")
        if isinstance(kind, str) and kind:
            config.setdefault("headers", {})["Content-Type"] = kind
    else:
        attention.append(f"a {content} body is not imported: Flowdeck sends JSON or text")


def _json_text(raw: Any, b: Builder, config: dict[str, Any]) -> None:
    """A JSON body written as text: parsed when literal, else a JSON-typed text template."""
    if isinstance(raw, str) and not is_expression(raw):
        try:
            parsed = json.loads(raw) if raw.strip() else None
        except (ValueError, RecursionError):
            parsed = ...
        if parsed is not ... and not too_deep(parsed):
            config["json"] = b.value(parsed, "json")  # braces in its strings stay text
            return
    config["body"] = str(b.value(raw, "body"))
    config.setdefault("headers", {})["Content-Type"] = "application/json"


def _nested(values: dict[str, Any], name: str, value: Any, dotted: bool) -> None:
    """`values[name] = value`, or with `dotted`, `a.b` as `values["a"]["b"]` (as n8n sets it)."""
    *heads, last = name.split(".")[:MAX_DEPTH] if dotted else [name]
    for head in heads:
        inner = values.get(head)
        values = inner if isinstance(inner, dict) else values.setdefault(head, {})
        if not isinstance(values, dict):  # setdefault met a value: n8n overwrites it
            values = {}
    values[last] = value


def _set_fields(params: Mapping[str, Any]) -> list[tuple[str, Any, str]]:
    """(name, raw value, type) of a Set node of any version."""
    assignments = params.get("assignments")
    if isinstance(assignments, Mapping):
        rows = listed(assignments.get("assignments"))
        return [
            (str(r.get("name", "")), r.get("value"), str(r.get("type", "string")))
            for r in rows
            if isinstance(r, Mapping)
        ]
    fields = params.get("fields")
    if isinstance(fields, Mapping):
        found = []
        for row in listed(fields.get("values")):
            if isinstance(row, Mapping):
                kind = str(row.get("type", "stringValue")).removesuffix("Value")
                raw = row.get(f"{kind}Value", row.get(kind, ""))
                found.append((str(row.get("name", "")), raw, kind))
        return found
    values = params.get("values")
    if isinstance(values, Mapping):
        return [
            (str(row.get("name", "")), row.get("value"), str(kind))
            for kind, rows in values.items()
            for row in (rows if isinstance(rows, list) else [])
            if isinstance(row, Mapping)
        ]
    return []


def set_fields(node: N8nNode, context: Context) -> Mapped | Unmapped:
    params, b = node.parameters, Builder(context)
    notes: list[str] = []
    if params.get("mode") == "raw":
        raw = params.get("jsonOutput", "{}")
        try:
            parsed = json.loads(raw) if isinstance(raw, str) and not is_expression(raw) else None
        except (ValueError, RecursionError):
            parsed = None
        if not isinstance(parsed, dict) or too_deep(parsed):
            return Unmapped(
                "its JSON output is not a literal object (an expression, or nested too deep): "
                "rewrite it as fields"
            )
        return b.mapped("transform", {"values": b.value(parsed, "values")})
    options = params.get("options") if isinstance(params.get("options"), Mapping) else {}
    dotted = options.get("dotNotation", True) is not False
    values: dict[str, Any] = {}
    for name, raw, kind in _set_fields(params):
        if name.strip():
            value = b.value(_typed_literal(raw, kind), f"values.{name}")
            _nested(values, name, value, dotted)
    keeps_input = params.get("includeOtherFields") is True or (
        node.version < 3 and params.get("keepOnlySet") is not True
    )
    if keeps_input:
        notes.append("the input's other fields are not carried over: the step outputs its values")
    return b.mapped("transform", {"values": values}, notes=notes)


def _typed_literal(raw: Any, kind: str) -> Any:
    if not isinstance(raw, str) or is_expression(raw):
        return raw
    if kind == "number":
        try:
            number = float(raw)
            return int(number) if number.is_integer() else number
        except ValueError:
            return raw
    if kind == "boolean" and raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    if kind in ("array", "object"):
        try:
            parsed = json.loads(raw)
        except (ValueError, RecursionError):
            return raw
        return raw if too_deep(parsed) else parsed
    return raw
