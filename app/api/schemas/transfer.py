"""Workflow export and import answers."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.api.schemas import JsonObject, Out
from app.api.schemas.workflows import SavedWorkflow


class WorkflowExport(Out):
    """A workflow's definition as `POST /workflows` takes it, with the export's version."""

    flowdeck_export: int = Field(description="The export format's version (1)")
    exported_from: JsonObject = Field(description="`{workflow_id, version}` it was taken from")
    name: str
    description: str
    workflow_type: str
    priority: str
    concurrency_limit: int
    max_parallel: int
    is_active: bool
    on_interrupted: str
    trigger: JsonObject = Field(description="`{type, config}`, without any secret")
    actions: list[JsonObject]


class ImportReport(Out):
    """What the import did with each node of the document."""

    source: Literal["flowdeck", "n8n", "unknown"]
    mapped: list[JsonObject] = Field(description="`{node, type, step_id, as}` per mapped node")
    unmapped: list[JsonObject] = Field(description="`{node, type, reason}` per node left out")
    untranslated: list[JsonObject] = Field(
        description="`{node, step_id, path, expression}`: n8n expressions kept as text"
    )
    attention: list[JsonObject] = Field(
        description="`{node, step_id, message}`: what a person should check or choose"
    )
    notes: list[str]


class ImportedWorkflow(SavedWorkflow):
    report: ImportReport


class ImportDryRun(Out):
    dry_run: Literal[True]
    source: Literal["flowdeck", "n8n"]
    definition: JsonObject = Field(description="The workflow that would be created")
    report: ImportReport


class ImportedBundle(Out):
    """What a bundle import created (nothing with `dry_run`)."""

    dry_run: bool
    count: int = Field(description="Workflows in the bundle")
    workflows: list[JsonObject] = Field(description="`{id, name}` of each created workflow")


__all__ = ["ImportDryRun", "ImportReport", "ImportedBundle", "ImportedWorkflow", "WorkflowExport"]
