"""Request bodies: camelCase or snake_case keys, the JSON type of every key checked first.

The body models document each key for OpenAPI but leave the values to the services
(`SkipValidation`), which check them and report every problem at once with its path, the same
way for the UI and the API. What no service looks at is the JSON type: `{}` for a string, `0`
for a boolean, `"5"` for a number would be converted or quietly replaced by a default. So
`as_data` refuses a value whose JSON type the published schema does not allow, naming the key,
before the service sees it. Extra keys (such as `createdBy` in the original examples) are kept
for the service to judge.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from pydantic.alias_generators import to_camel

from app.core.config_models import path_of
from app.core.errors import Problem, ValidationFailed

_NAMES = {
    "string": "a string",
    "object": "an object",
    "array": "a list",
    "boolean": "true or false",
    "integer": "a whole number",
    "number": "a number",
}
_PYDANTIC_KINDS = {
    "string_type": "string",
    "dict_type": "object",
    "model_type": "object",
    "list_type": "array",
    "bool_type": "boolean",
    "int_type": "integer",
    "float_type": "number",
}


class CamelBody(BaseModel):
    """camelCase or snake_case keys; extra keys are kept; see the module docstring."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")

    #: Keys holding a core model (e.g. a workflow's `trigger`): their insides are checked too.
    nested: ClassVar[dict[str, Any]] = {}

    def as_data(self) -> dict[str, Any]:
        """The keys the caller sent (snake_case for known ones, extras as given); a value of
        the wrong JSON type is a `ValidationFailed` naming every such key."""
        known = self.model_fields_set & type(self).model_fields.keys()
        data = {name: _whole(getattr(self, name)) for name in known}
        problems = [p for name, value in data.items() for p in self._type_problems(name, value)]
        if problems:
            raise ValidationFailed(problems)
        return {**(self.model_extra or {}), **data}

    def _type_problems(self, name: str, value: Any) -> list[Problem]:
        allowed = _json_types(type(self))[name]
        if allowed and _json_type(value) not in allowed and not _is_whole(value, allowed):
            wanted = " or ".join(_NAMES[t] for t in sorted(allowed) if t != "null")
            return [Problem(name, f"must be {wanted}")]
        if name in self.nested and value is not None:
            return nested_type_problems(self.nested[name], value, name)
        if isinstance(value, list | dict):  # items of a list, values of a typed dict
            return nested_type_problems(type(self).model_fields[name].annotation, value, name)
        return []


def nested_type_problems(annotation: Any, value: Any, prefix: str) -> list[Problem]:
    """Values of the wrong JSON type inside `value`, judged as strict JSON against `annotation`.

    Only type errors: rules on values (lengths, patterns, across keys) are the service's.
    """
    try:
        TypeAdapter(annotation).validate_json(json.dumps(value), strict=True)
    except ValidationError as exc:
        return [
            Problem(path_of(tuple(e["loc"]), prefix), f"must be {_NAMES[_PYDANTIC_KINDS[kind]]}")
            for e in exc.errors()
            if (kind := e["type"]) in _PYDANTIC_KINDS
        ]
    return []


@cache
def _json_types(model: type[BaseModel]) -> dict[str, frozenset[str]]:
    """Per field, the JSON types its published schema allows (empty: any)."""
    schema = model.model_json_schema(by_alias=False)
    return {name: _types_of(prop) for name, prop in schema.get("properties", {}).items()}


def _types_of(schema: dict[str, Any]) -> frozenset[str]:
    if "anyOf" in schema or "oneOf" in schema:
        parts = [_types_of(s) for s in schema.get("anyOf", schema.get("oneOf", []))]
        return frozenset() if not all(parts) else frozenset().union(*parts)
    if "$ref" in schema:
        return frozenset({"object"})
    kind = schema.get("type")
    if isinstance(kind, str):
        return frozenset({kind})
    if isinstance(kind, list):
        return frozenset(kind)
    values = schema.get("enum", [schema["const"]] if "const" in schema else [])
    return frozenset(_json_type(v) for v in values)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _whole(value: Any) -> Any:
    """`15.0` is an integer in JSON Schema: pass it on as 15."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _is_whole(value: Any, allowed: frozenset[str]) -> bool:
    """An integer where a number is allowed is fine (JSON has one number type)."""
    return _json_type(value) == "integer" and "number" in allowed
