"""Export a workflow as JSON; import a Flowdeck export or an n8n workflow export.

Import is a create: validated the same way (every problem with its path, nothing saved if any),
saved as a new workflow with its first version, audited. n8n documents go through the pure
importer (`app.core.n8n_import`), which is told the install's connection names (a Slack node
uses the one Slack connection) and workflow names (an Execute Workflow node finds its target).
`preview_import` does all of it but saving, for the dry run and the import dialog.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import select

from app.core.connection_refs import missing_connections, refs_to_names
from app.core.errors import Problem, ValidationFailed
from app.core.n8n_import import ImportReport, import_n8n
from app.core.n8n_model import MAX_DEPTH, too_deep
from app.core.transfer import export_document, flowdeck_definition, source_of
from app.db.engine import session_scope
from app.db.models import Alert, Connection, Workflow
from app.services import audit
from app.services.actor import Actor
from app.services.workflow_defs import definition_from_row, definition_of, parse_definition
from app.services.workflows import create_workflow, get_row


def export_workflow(actor: Actor, workflow_id: int) -> dict[str, Any]:
    """The workflow's definition as a Flowdeck export (no secret); audited."""
    actor.require_member()
    with session_scope() as session:
        row = get_row(session, workflow_id)
        names = dict(session.exec(select(Connection.id, Connection.name)).all())
        definition = refs_to_names(definition_from_row(row), names)  # ids mean nothing elsewhere
        definition.pop("on_failure_workflow_id", None)  # another workflow's id: set it again there
        document = export_document(definition, workflow_id=workflow_id, version=row.version)
        audit.record(
            session,
            actor,
            "workflow.exported",
            target_type="workflow",
            target_id=workflow_id,
            details={"name": row.name, "version": row.version},
        )
    return document


@dataclass(frozen=True)
class ImportPreview:
    """What an import would create, the report, and every problem that stops it."""

    source: str
    definition: dict[str, Any] | None
    report: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    #: A webhook secret the document gave (never shown back; kept for the create).
    secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class _Known:
    connections: dict[str, list[str]]  # platform → connection names
    workflows: dict[str, int]  # name → id (the oldest of a name)
    alerts: dict[str, list[int]]  # alert type → ids of active alerts


def _known() -> _Known:
    """What an n8n node may be pointed at: connections, workflows and alerts of the install."""
    with session_scope() as session:
        connections: dict[str, list[str]] = {}
        for name, platform in session.exec(select(Connection.name, Connection.platform)).all():
            connections.setdefault(platform, []).append(name)
        workflows: dict[str, int] = {}
        rows = session.exec(select(Workflow.id, Workflow.name).order_by(Workflow.id)).all()
        for workflow_id, name in rows:
            workflows.setdefault(name, workflow_id)
        alerts: dict[str, list[int]] = {}
        query = select(Alert.id, Alert.alert_type).where(Alert.is_active == True)  # noqa: E712
        for alert_id, alert_type in session.exec(query).all():
            alerts.setdefault(alert_type, []).append(alert_id)
    return _Known(connections, workflows, alerts)


def _flowdeck_report(definition: dict[str, Any]) -> ImportReport:
    report = ImportReport("flowdeck")
    actions = definition.get("actions")
    for action in actions if isinstance(actions, list) else []:
        if isinstance(action, dict):
            step_id, kind = action.get("id"), action.get("type")
            name = action.get("name") or step_id
            report.mapped.append({"node": name, "type": kind, "step_id": step_id, "as": kind})
    return report


def _unlinked(definition: Any) -> list[Problem]:
    """A connection the document names that this install lacks, as a problem naming it."""
    if not isinstance(definition, dict):
        return []
    with session_scope() as session:
        rows = session.exec(select(Connection.id, Connection.name)).all()
    names = {name for _, name in rows}
    return [
        Problem(path, f"no connection named {str(ref)[:80]!r} on this install: create it first")
        for path, ref in missing_connections(definition, names, {cid for cid, _ in rows})
    ]


def _named(problems: list[Problem], definition: dict[str, Any]) -> list[Problem]:
    """Problems of `actions[i]…` with the n8n node's name added, so people find it."""
    actions = definition.get("actions") or []
    named = []
    for problem in problems:
        head = problem.path.split(".", 1)[0]
        index = head[len("actions[") : -1] if head.startswith("actions[") else ""
        if index.isdigit() and int(index) < len(actions):
            name = actions[int(index)].get("name")
            problem = Problem(problem.path, f"{problem.message} (n8n node {name!r})")
        named.append(problem)
    return named


def preview_import(actor: Actor, data: Any) -> ImportPreview:
    """The would-be definition and report of an import; problems listed, nothing saved."""
    actor.require_member()
    try:
        if too_deep(data):  # before anything walks it recursively
            raise ValidationFailed([Problem("", f"nested more than {MAX_DEPTH} levels deep")])
        source = source_of(data)
        if source == "n8n":
            known = _known()
            imported = import_n8n(
                data,
                connections=known.connections,
                workflows=known.workflows,
                alerts=known.alerts,
            )
            definition, report = imported.definition, imported.report
        else:
            definition = flowdeck_definition(data)
            report = _flowdeck_report(definition)
    except ValidationFailed as exc:
        return ImportPreview("unknown", None, ImportReport("unknown").as_dict(), exc.problems)
    unlinked = _unlinked(definition) if source == "flowdeck" else []
    try:
        parsed = parse_definition(definition)
    except ValidationFailed as exc:
        problems = _named(exc.problems, definition) if source == "n8n" else exc.problems
        return ImportPreview(source, definition, report.as_dict(), [*problems, *unlinked])
    if unlinked:
        return ImportPreview(source, definition, report.as_dict(), unlinked)
    return ImportPreview(source, definition_of(parsed), report.as_dict(), secret=parsed.secret)


def import_workflow(actor: Actor, data: Any, *, dry_run: bool = False) -> dict[str, Any]:
    """Create the workflow a document describes: `{…workflow, report}`; with `dry_run`,
    `{dry_run, source, definition, report}` and nothing saved. `ValidationFailed` lists
    every problem of the document or of the definition it maps to."""
    preview = preview_import(actor, data)
    if preview.problems or preview.definition is None:
        raise ValidationFailed(preview.problems)
    if dry_run:
        return {
            "dry_run": True,
            "source": preview.source,
            "definition": preview.definition,
            "report": preview.report,
        }
    body = {**preview.definition, "change_description": f"imported from {preview.source}"}
    if preview.secret:
        config = {**body["trigger"]["config"], "secret": preview.secret}
        body["trigger"] = {**body["trigger"], "config": config}
    saved = create_workflow(actor, body)
    workflow = saved.workflow
    with session_scope() as session:
        audit.record(
            session,
            actor,
            "workflow.imported",
            target_type="workflow",
            target_id=workflow["id"],
            details={
                "name": workflow["name"],
                "source": preview.source,
                "mapped": len(preview.report["mapped"]),
                "unmapped": [u["node"] for u in preview.report["unmapped"]][:50],
            },
        )
    answer = {**workflow, "report": preview.report}
    if saved.webhook_secret is not None:
        answer["webhook_secret"] = saved.webhook_secret
    return answer


BUNDLE_MARKER = "flowdeck_export_bundle"  # what the bulk export writes
MAX_BUNDLE = 500


def import_bundle(actor: Actor, data: Any, *, dry_run: bool = False) -> dict[str, Any]:
    """Import every workflow of a bundle (`{flowdeck_export_bundle: 1, workflows: [...]}`, as
    the bulk export writes it). Every document is checked first; any problem (paths
    `workflows[i]…`) and nothing is created. Then each is created as `import_workflow` does."""
    actor.require_member()
    documents = data.get("workflows") if isinstance(data, dict) else None
    if not isinstance(data, dict) or data.get(BUNDLE_MARKER) != 1:
        raise ValidationFailed([Problem(BUNDLE_MARKER, "required: 1 (a bundle of exports)")])
    if not isinstance(documents, list) or not 1 <= len(documents) <= MAX_BUNDLE:
        message = f"must be a list of 1 to {MAX_BUNDLE} workflow exports"
        raise ValidationFailed([Problem("workflows", message)])
    problems = [
        Problem(f"workflows[{i}].{p.path}".rstrip("."), p.message)
        for i, document in enumerate(documents)
        for p in preview_import(actor, document).problems
    ]
    if problems:
        raise ValidationFailed(problems)
    if dry_run:
        return {"dry_run": True, "count": len(documents), "workflows": []}
    made = [import_workflow(actor, document) for document in documents]
    workflows = [{"id": w["id"], "name": w["name"]} for w in made]
    return {"dry_run": False, "count": len(made), "workflows": workflows}
