"""Workflow templates: list, read, use, export, and (in `template_saving`) save and import.

Templates are built-in (`template_catalog`) or saved by people (`WorkflowTemplate`, with
versions). Reading needs a member, as workflows do. Using a template fills its variables
(`variables.<name>` problems when one is missing or wrong), writes a connection variable as the
connection's name (after checking it exists and is of the right platform), and creates the
workflow through `workflows.create_workflow`, so it is validated like `POST /workflows`.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from app.core.connection_refs import missing_connections
from app.core.errors import NotFound, Problem, ValidationFailed
from app.core.ids import is_id
from app.core.workflow_templates import (
    CATEGORIES,
    TemplateDocument,
    fill,
    resolve_values,
)
from app.db.engine import session_scope
from app.db.models import Connection, TemplateUse, WorkflowTemplate
from app.db.types import utcnow
from app.services import audit
from app.services.actor import Actor
from app.services.template_catalog import builtins
from app.services.template_saving import (
    document_of,
    export_shape,
    import_template,
    save_template,
)
from app.services.workflows import Saved, create_workflow

__all__ = [
    "CATEGORIES",
    "create_from_template",
    "export_template",
    "get_template",
    "import_template",
    "list_templates",
    "save_template",
]
Origin = Literal["builtin", "saved"]
MAX_SEARCH = 200
_NUMBER = re.compile(r"[0-9]{1,18}")


def _find(
    session: Session, template_id: str | int
) -> tuple[TemplateDocument, WorkflowTemplate | None]:
    """The template `template_id` names: a built-in or saved slug, or a saved one's number."""
    if isinstance(template_id, int) or _NUMBER.fullmatch(str(template_id)):
        number = int(template_id)
        row = session.get(WorkflowTemplate, number) if is_id(number) else None
    else:
        doc = builtins().get(template_id)
        if doc is not None:
            return doc, None
        query = select(WorkflowTemplate).where(WorkflowTemplate.slug == template_id)
        row = session.exec(query).first()
    if row is None:
        raise NotFound(f"template {str(template_id)[:80]!r} does not exist")
    return document_of(row), row


def _uses(session: Session) -> dict[str, int]:
    return {t: n for t, n in session.exec(select(TemplateUse.template_id, TemplateUse.uses))}


def _summary(doc: TemplateDocument, row: WorkflowTemplate | None, uses: int) -> dict[str, Any]:
    actions = doc.workflow.get("actions")
    actions = [a for a in actions if isinstance(a, dict)] if isinstance(actions, list) else []
    types = list(dict.fromkeys(str(a.get("type")) for a in actions))
    return {
        "id": doc.id,
        "saved_id": row.id if row else None,
        "name": doc.name,
        "description": doc.description,
        "category": doc.category,
        "icon": doc.icon,
        "builtin": row is None,
        "version": row.version if row else 1,
        "uses": uses,
        "step_count": len(actions),
        "step_types": types,
        "variables": [v.model_dump(mode="json", exclude_none=True) for v in doc.variables],
        "created_at": row.created_at.isoformat() if row else None,
        "updated_at": row.updated_at.isoformat() if row else None,
    }


def _check_filters(category: str | None, origin: str | None) -> None:
    problems = []
    if category is not None and category not in CATEGORIES:
        problems.append(Problem("category", f"must be one of: {', '.join(CATEGORIES)}"))
    if origin is not None and origin not in ("builtin", "saved"):
        problems.append(Problem("origin", "must be builtin or saved"))
    if problems:
        raise ValidationFailed(problems)


def list_templates(
    actor: Actor,
    *,
    category: str | None = None,
    search: str | None = None,
    origin: Origin | None = None,
) -> list[dict[str, Any]]:
    """Summaries of the built-in and saved templates matching the filters, built-ins first."""
    actor.require_member()
    _check_filters(category, origin)
    with session_scope() as session:
        uses = _uses(session)
        found = [] if origin == "saved" else [(d, None) for d in builtins().values()]
        if origin != "builtin":
            rows = session.exec(select(WorkflowTemplate).order_by(WorkflowTemplate.name)).all()
            found += [(document_of(row), row) for row in rows]
        summaries = [_summary(doc, row, uses.get(doc.id, 0)) for doc, row in found]
    words = (search or "")[:MAX_SEARCH].lower().split()
    return [
        s
        for s in summaries
        if (category is None or s["category"] == category)
        and all(w in f"{s['name']} {s['description']} {s['id']}".lower() for w in words)
    ]


def get_template(actor: Actor, template_id: str | int) -> dict[str, Any]:
    """The template's document with `builtin, version, uses, created_at`."""
    actor.require_member()
    with session_scope() as session:
        doc, row = _find(session, template_id)
        summary = _summary(doc, row, _uses(session).get(doc.id, 0))
    return {**export_shape(doc), **summary, "workflow": doc.workflow}


def export_template(actor: Actor, template_id: str | int) -> dict[str, Any]:
    """The template as a document to import elsewhere (connections by name, no secret)."""
    actor.require_member()
    with session_scope() as session:
        doc, row = _find(session, template_id)
        audit.record(
            session,
            actor,
            "template.exported",
            target_type="template",
            target_id=doc.id,
            details={"name": doc.name, "version": row.version if row else 1},
        )
    return export_shape(doc)


def _connections(session: Session, doc: TemplateDocument, typed: dict[str, Any]) -> list[Problem]:
    """Connection variables written as names; a missing one or one of another platform named."""
    problems = []
    for variable in doc.variables:
        ref = typed.get(variable.name)
        if variable.type != "connection" or ref is None:
            continue
        row = session.exec(select(Connection).where(Connection.name == str(ref))).first()
        if row is None and (isinstance(ref, int) or _NUMBER.fullmatch(str(ref))):
            row = session.get(Connection, int(ref)) if is_id(int(ref)) else None
        path = f"variables.{variable.name}"
        if row is None:
            problems.append(Problem(path, f"no connection named {str(ref)[:80]!r}"))
        elif variable.platform and row.platform != variable.platform:
            message = f"must be a {variable.platform} connection; {row.name!r} is {row.platform}"
            problems.append(Problem(path, message))
        else:
            typed[variable.name] = row.name
    return problems


def _literal_connections(session: Session, definition: dict[str, Any]) -> list[Problem]:
    rows = session.exec(select(Connection.id, Connection.name)).all()
    names, ids = {name for _, name in rows}, {cid for cid, _ in rows}
    return [
        Problem(path, f"no connection named {str(ref)[:80]!r} on this install")
        for path, ref in missing_connections(definition, names, ids)
    ]


def _count_use(session: Session, template_id: str) -> None:
    """One more use, atomically (two people using one template at once both count)."""
    table = TemplateUse.__table__
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(table)
        .values(template_id=template_id, uses=1, last_used_at=utcnow())
        .on_conflict_do_update(
            index_elements=["template_id"],
            set_={"uses": table.c.uses + 1, "last_used_at": utcnow()},
        )
    )


def create_from_template(
    actor: Actor, template_id: str | int, variables: dict[str, Any], name: str | None = None
) -> Saved:
    """A new workflow (active, like one created in the form) from the template and values."""
    actor.require_member()
    with session_scope() as session:
        doc, _row = _find(session, template_id)
        typed, problems = resolve_values(doc, variables)
        problems += _connections(session, doc, typed)
        if problems:
            raise ValidationFailed(problems)
        definition = fill(doc, typed)
        problems = _literal_connections(session, definition)
    if problems:
        raise ValidationFailed(problems)
    if name and name.strip():
        definition["name"] = name.strip()
    body = {**definition, "change_description": f"created from template {doc.id}"}
    saved = create_workflow(actor, body)
    with session_scope() as session:
        _count_use(session, doc.id)
        audit.record(
            session,
            actor,
            "workflow.created_from_template",
            target_type="workflow",
            target_id=saved.workflow["id"],
            details={"template": doc.id, "name": saved.workflow["name"]},
        )
    return saved
