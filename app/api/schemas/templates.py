"""Workflow templates: request bodies and answers."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.api.schemas import JsonObject, Out, Time
from app.core.ids import MAX_ID

TEMPLATE_ID_PATTERN = r"^([a-z][a-z0-9_]{2,63}|[1-9][0-9]{0,17})$"
TemplateRef = (
    Annotated[int, Field(ge=1, le=MAX_ID)]
    | Annotated[str, StringConstraints(pattern=TEMPLATE_ID_PATTERN, max_length=64)]
)
Values = Annotated[dict[str, Any], Field(max_length=40)]


class UseTemplate(BaseModel):
    """The variables of a template (`variables`, or `variable_values` as 002 names them) and
    the new workflow's name (the template's own when left out)."""

    model_config = ConfigDict(extra="allow")  # 002 also sends workspace_id and user_id

    variables: Values | None = Field(None, description="Variable name → value")
    variable_values: Values | None = Field(None, description="Another name of `variables`")
    name: Annotated[str, StringConstraints(max_length=200)] | None = None

    def values(self) -> dict[str, Any]:
        return dict(self.variables or self.variable_values or {})


class FromTemplate(UseTemplate):
    template_id: TemplateRef = Field(
        description="A template's id (`weekly_report`), or a saved template's number"
    )


class TemplateVariable(Out):
    name: str
    label: str
    type: str
    help: str = ""


class TemplateSummary(Out):
    id: str = Field(description="The template's id, used in paths and `template_id`")
    saved_id: int | None = Field(description="A saved template's number; null for built-ins")
    name: str
    description: str
    category: str
    icon: str = Field(description="A lucide icon name")
    builtin: bool
    version: int
    uses: int = Field(description="Workflows created from it")
    step_count: int
    step_types: list[str]
    variables: list[TemplateVariable]
    created_at: Time
    updated_at: Time


class TemplateList(Out):
    items: list[TemplateSummary]
    total: int
    categories: list[str]


class TemplateDetail(TemplateSummary):
    flowdeck_template: int = Field(description="The format's version (1)")
    workflow: JsonObject = Field(description="A workflow body with `[[variable]]` placeholders")


class TemplateDocument(Out):
    """A template file: what export gives and import takes."""

    flowdeck_template: int
    id: str
    name: str
    description: str
    category: str
    icon: str
    variables: list[JsonObject]
    workflow: JsonObject


class SavedTemplate(TemplateDocument):
    saved_id: int
    builtin: bool
    version: int
    created_at: str


__all__ = [
    "FromTemplate",
    "SavedTemplate",
    "TemplateDetail",
    "TemplateDocument",
    "TemplateList",
    "TemplateSummary",
    "UseTemplate",
]
