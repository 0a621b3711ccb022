"""What a trigger or step type's config takes, read from its config model. Pure.

The config model that validates a type is its one definition; the API's type lists
(`GET /api/workflow-orchestration/trigger-types`, `…/action-types`) describe each field from
it: name (snake_case, as stored), JSON type, required, default, description, bounds, choices,
and whether templates are rendered in it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

_BOUNDS = {
    "minimum": "minimum",
    "maximum": "maximum",
    "exclusiveMinimum": "exclusive_minimum",
    "exclusiveMaximum": "exclusive_maximum",
    "minLength": "min_length",
    "maxLength": "max_length",
    "minItems": "min_items",
    "maxItems": "max_items",
    "pattern": "pattern",
}


def _variants(prop: dict[str, Any]) -> list[dict[str, Any]]:
    return list(prop.get("anyOf") or prop.get("oneOf") or [prop])


def _types(prop: dict[str, Any], defs: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for variant in _variants(prop):
        if "$ref" in variant:
            found.append("object")
        elif "enum" in variant or "const" in variant:
            found.append(variant.get("type", "string"))
        elif "type" in variant:
            found.append(variant["type"])
        else:
            found.append("any")
    return list(dict.fromkeys(found))


def _bounds(prop: dict[str, Any]) -> dict[str, Any]:
    bounds: dict[str, Any] = {}
    for variant in _variants(prop):
        for key, name in _BOUNDS.items():
            if key in variant:
                bounds[name] = variant[key]
    return bounds


def _choices(prop: dict[str, Any]) -> list[Any] | None:
    values: list[Any] = []
    for variant in _variants(prop):
        values += variant.get("enum", [])
        if "const" in variant:
            values.append(variant["const"])
    return values or None


def _name(field: str, model: type[BaseModel]) -> str:
    info = model.model_fields.get(field)
    return info.alias if field.endswith("_") and info is not None and info.alias else field


def config_fields(model: type[BaseModel], verbatim: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """One entry per config field of `model`, in declaration order."""
    schema = model.model_json_schema(by_alias=False, mode="validation")
    required = set(schema.get("required", []))
    defs = schema.get("$defs", {})
    fields = []
    for field, prop in schema.get("properties", {}).items():
        name = _name(field, model)
        fields.append(
            {
                "name": name,
                "types": _types(prop, defs),
                "required": field in required,
                "default": prop.get("default"),
                "description": prop.get("description") or "",
                "bounds": _bounds(prop),
                "choices": _choices(prop),
                "templates": name not in verbatim,
            }
        )
    return fields


def summary(model: type[BaseModel]) -> str:
    """The first paragraph of a model's docstring."""
    doc = (model.__doc__ or "").strip()
    return " ".join(doc.split("\n\n", 1)[0].split())


def type_entry(name: str, description: str, model: type[BaseModel], **extra: Any) -> dict:
    """A type as the API lists it."""
    verbatim = tuple(getattr(model, "VERBATIM", ()))
    return {
        "type": name,
        "description": description or summary(model),
        "fields": config_fields(model, verbatim),
        "config_schema": model.model_json_schema(by_alias=False, mode="validation"),
        **extra,
    }
