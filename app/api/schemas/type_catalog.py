"""Response models of the type lists."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, RootModel


class ConfigField(BaseModel):
    name: str = Field(description="the config key, as stored (snake_case)")
    types: list[str] = Field(description="JSON types accepted (`any`: any JSON value)")
    required: bool
    default: Any = None
    description: str = ""
    bounds: dict[str, Any] = Field(
        description="minimum, maximum, exclusive_minimum, exclusive_maximum, min_length, "
        "max_length, min_items, max_items, pattern: those that apply"
    )
    choices: list[Any] | None = None
    templates: bool = Field(description="whether `{{ }}` templates are rendered in it")


class TypeInfo(BaseModel):
    type: str
    description: str
    fields: list[ConfigField]
    config_schema: dict[str, Any] = Field(description="the config's JSON Schema")


class StepTypeInfo(TypeInfo):
    admin_only: bool = Field(description="only admins may add or change steps of this type")


class TriggerTypeList(RootModel[list[TypeInfo]]):
    """Every trigger type (a JSON array)."""


class StepTypeList(RootModel[list[StepTypeInfo]]):
    """Every step (action) type (a JSON array)."""
