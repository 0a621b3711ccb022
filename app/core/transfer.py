"""Workflow export documents, and telling a Flowdeck export from an n8n one. Pure.

A Flowdeck export is the workflow's definition, exactly the body `POST /workflows` takes (so it
can be posted as it is), plus `flowdeck_export` (the format's version) and where it came from.
It never holds a secret: the webhook secret is stored apart and a new one is made on import.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from app.core.errors import Problem, ValidationFailed

MARKER = "flowdeck_export"
EXPORT_VERSION = 1
_ENVELOPE = (MARKER, "exported_from")
Source = Literal["flowdeck", "n8n"]


def export_document(definition: Mapping[str, Any], *, workflow_id: int, version: int) -> dict:
    """The export of a stored definition (`app.services.workflow_defs.definition_from_row`)."""
    trigger = dict(definition.get("trigger") or {})
    trigger["config"] = {
        k: v for k, v in dict(trigger.get("config") or {}).items() if k != "secret"
    }
    return {
        MARKER: EXPORT_VERSION,
        "exported_from": {"workflow_id": workflow_id, "version": version},
        **{k: v for k, v in definition.items() if k != "trigger"},
        "trigger": trigger,
    }


def source_of(data: Any) -> Source:
    """Which kind of document `data` is, or `ValidationFailed` saying what was expected."""
    if isinstance(data, Mapping) and MARKER in data:
        return "flowdeck"
    if isinstance(data, Mapping) and isinstance(data.get("nodes"), list):
        return "n8n"
    if isinstance(data, Mapping) and "trigger" in data and "actions" in data:
        return "flowdeck"  # a bare definition, as the API returns it
    if isinstance(data, Mapping) and "flowdeck_export_bundle" in data:
        message = "a bundle of several workflows: import it with POST …/workflows/import-bundle"
        raise ValidationFailed([Problem("flowdeck_export_bundle", message)])
    message = (
        "not a workflow export: expected a Flowdeck export (with flowdeck_export) or an n8n "
        "workflow (with nodes and connections)"
    )
    raise ValidationFailed([Problem("", message)])


def flowdeck_definition(data: Mapping[str, Any]) -> dict[str, Any]:
    """The definition inside a Flowdeck export (its envelope taken off, the version checked)."""
    version = data.get(MARKER, EXPORT_VERSION)
    if version != EXPORT_VERSION or isinstance(version, bool):
        message = f"this Flowdeck reads export version {EXPORT_VERSION}, not {version!r}"
        raise ValidationFailed([Problem(MARKER, message)])
    return {k: v for k, v in data.items() if k not in _ENVELOPE}
