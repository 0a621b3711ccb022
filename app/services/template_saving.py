"""Saving a template ("Save as template" on a workflow, or a whole document) and importing one.

A saved template never holds a secret: a workflow's webhook secret is left out, connection ids
become names (and each connection a `connection` variable defaulting to it, so whoever uses
the template picks their own), and a secret written into a step's config as text refuses the
save, naming where it is. A document whose `id` is a saved template's makes its next version;
an id that a built-in (or nothing saved) has gets a fresh one (`weekly_report_2`). Import is a
save that lists every problem of the file and stores nothing when there is one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.core.connection_refs import connection_refs, map_connection_refs, refs_to_names
from app.core.errors import Conflict, Problem, ValidationFailed
from app.core.ids import is_id
from app.core.n8n_model import MAX_DEPTH, too_deep
from app.core.workflow_templates import FORMAT_VERSION, MARKER, TemplateDocument, parse_template
from app.core.workflow_templates import slugify as make_slug
from app.db.engine import session_scope
from app.db.models import Connection, WorkflowTemplate, WorkflowTemplateVersion
from app.db.types import utcnow
from app.services import audit
from app.services.actor import Actor
from app.services.template_catalog import builtins, check_document
from app.services.workflow_defs import definition_from_row
from app.services.workflows import check_script_steps, get_row

#: Ids no template gets (`/templates/import` is the import, not a template).
RESERVED = frozenset({"import"})
_FROM_WORKFLOW = ("workflow_id", "template_id", "name", "description", "category", "icon",
                  "variables")  # fmt: skip


def document_of(row: WorkflowTemplate) -> TemplateDocument:
    """A saved template's newest document (checked when it was saved)."""
    return TemplateDocument.model_validate(row.document)


def export_shape(doc: TemplateDocument) -> dict[str, Any]:
    """The document as a file: the format's fields only, no empty optional ones."""
    data = doc.model_dump(mode="json", exclude={"variables", "workflow"})
    data["variables"] = [v.model_dump(mode="json", exclude_none=True) for v in doc.variables]
    data["workflow"] = doc.workflow
    return data


def _taken(session: Session) -> set[str]:
    return {*RESERVED, *builtins(), *session.exec(select(WorkflowTemplate.slug)).all()}


def _connection_variables(
    session: Session, definition: dict[str, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Connection ids written as names, each named connection made a `connection` variable
    (defaulting to it) and referenced as `[[…]]`."""
    rows = session.exec(select(Connection.id, Connection.name, Connection.platform)).all()
    definition = refs_to_names(definition, {cid: name for cid, name, _ in rows})
    platforms = {name: platform for _, name, platform in rows}
    variables: dict[str, dict[str, Any]] = {}
    for _path, ref in connection_refs(definition):
        if not isinstance(ref, str) or ref not in platforms or ref in variables:
            continue
        taken = {v["name"] for v in variables.values()}
        base = make_slug(f"{platforms[ref]}_connection")[:36]
        name, number = base, 2
        while name in taken:
            name, number = f"{base}_{number}", number + 1
        platform = platforms[ref]
        variables[ref] = {
            "name": name,
            "label": f"{ref} ({platform})"[:100],
            "type": "connection",
            "platform": platform,
            "default": ref,
            "help": f"The {platform} connection this workflow uses.",
        }

    def change(ref: Any) -> Any:
        return f"[[{variables[ref]['name']}]]" if isinstance(ref, str) and ref in variables else ref

    return map_connection_refs(definition, change), list(variables.values())


def _from_workflow(session: Session, data: dict[str, Any]) -> tuple[dict[str, Any], int]:
    unknown = [Problem(str(k)[:80], "unknown field") for k in data if k not in _FROM_WORKFLOW]
    workflow_id = data.get("workflow_id")
    if not is_id(workflow_id):
        raise ValidationFailed([*unknown, Problem("workflow_id", "must be a workflow id")])
    if unknown:
        raise ValidationFailed(unknown)
    row = get_row(session, workflow_id)
    definition = definition_from_row(row)
    trigger_config = {k: v for k, v in definition["trigger"]["config"].items() if k != "secret"}
    definition["trigger"] = {**definition["trigger"], "config": trigger_config}
    workflow, connection_vars = _connection_variables(session, definition)
    given = data.get("variables") or []
    name = data.get("name") or row.name
    slug = data.get("template_id") or _same_source(session, workflow_id, name)
    document = {
        MARKER: FORMAT_VERSION,
        "id": slug or make_slug(str(name), _taken(session)),
        "name": name,
        "description": data.get("description") or row.description[:2000],
        "category": data.get("category"),
        "icon": data.get("icon") or "file-text",
        "variables": [*connection_vars, *(given if isinstance(given, list) else [given])],
        "workflow": workflow,
    }
    return {k: v for k, v in document.items() if v is not None}, workflow_id


def _same_source(session: Session, workflow_id: int, name: Any) -> str | None:
    """The template saved before from this workflow under this name (saving again versions it)."""
    query = select(WorkflowTemplate.slug).where(
        WorkflowTemplate.source_workflow_id == workflow_id, WorkflowTemplate.name == str(name)
    )
    return session.exec(query).first()


def _store(
    session: Session, actor: Actor, doc: TemplateDocument, source: int | None
) -> WorkflowTemplate:
    row = session.exec(select(WorkflowTemplate).where(WorkflowTemplate.slug == doc.id)).first()
    if row is None:
        if doc.id in builtins() or doc.id in RESERVED:
            doc = doc.model_copy(update={"id": make_slug(doc.id, _taken(session))})
        row = WorkflowTemplate(slug=doc.id, created_by=actor.user_id, version=0)
    row.version += 1
    row.name, row.description, row.category, row.icon = (
        doc.name, doc.description, doc.category, doc.icon
    )  # fmt: skip
    row.document = export_shape(doc)
    row.source_workflow_id = source if source is not None else row.source_workflow_id
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    session.add(
        WorkflowTemplateVersion(
            template_id=row.id,
            version_number=row.version,
            document=row.document,
            created_by=actor.user_id,
        )
    )
    return row


def _save(actor: Actor, data: Any, action: str) -> dict[str, Any]:
    actor.require_member()
    if too_deep(data):
        raise ValidationFailed([Problem("", f"nested more than {MAX_DEPTH} levels deep")])
    if not isinstance(data, dict):
        raise ValidationFailed([Problem("", "a template is a JSON object")])
    try:
        with session_scope() as session:
            source = None
            if "workflow_id" in data and MARKER not in data:
                data, source = _from_workflow(session, data)
            doc = parse_template(data)
            # a template with a script step is code an admin may later instantiate
            check_script_steps(actor, [], doc.workflow.get("actions"))
            problems = check_document(doc)
            if problems:
                raise ValidationFailed(problems)
            row = _store(session, actor, doc, source)
            audit.record(
                session,
                actor,
                action,
                target_type="template",
                target_id=row.slug,
                details={"name": row.name, "version": row.version, "workflow_id": source},
            )
            answer = {**row.document, "saved_id": row.id, "builtin": False}
            answer |= {"version": row.version, "created_at": row.created_at.isoformat()}
    except IntegrityError:
        raise Conflict("another template was saved with this id at the same time") from None
    return answer


def save_template(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Save a template document, or `{"workflow_id", "name", "category", …}` ("Save as
    template"); a saved id's next version. `ValidationFailed` lists every problem."""
    return _save(actor, data, "template.saved")


def import_template(actor: Actor, document: Any) -> dict[str, Any]:
    """Store a template file: every problem listed and nothing stored if there is one."""
    if isinstance(document, dict) and "workflow_id" in document and MARKER not in document:
        raise ValidationFailed([Problem(MARKER, "required: this is not a template file")])
    return _save(actor, document, "template.imported")
