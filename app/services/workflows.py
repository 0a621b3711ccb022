"""Workflow use cases shared by the UI and the REST API: create, change, list, delete."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, func, select

from app.core.errors import Conflict, NotFound, PermissionDenied
from app.core.scripts import ADMIN_ONLY_MESSAGE, script_changes
from app.core.statuses import Role
from app.db.engine import session_scope
from app.db.models import Workflow, WorkflowVersion
from app.db.portable import contains_text, order_by
from app.db.types import utcnow
from app.engine.bus import bus
from app.engine.triggers.schedule import next_fire, schedule_config
from app.integrations.secrets import encrypt
from app.services import audit
from app.services.actor import Actor
from app.services.sub_workflows import check_no_loop
from app.services.trigger_checks import check_trigger
from app.services.workflow_defs import (
    SIGNED_HOOKS,
    apply_spec,
    definition_from_row,
    definition_of,
    parse_definition,
    to_public,
)
from app.services.workflow_versions import write_version
from app.services.workflow_warnings import warnings_for


@dataclass(frozen=True)
class Saved:
    workflow: dict[str, Any]
    webhook_secret: str | None = None  # shown once, when Flowdeck generated it
    #: What the saved workflow will not do as written (`workflow_warnings`); never refuses.
    warnings: list[dict[str, str]] = field(default_factory=list)


def get_row(session: Session, workflow_id: int) -> Workflow:
    row = session.get(Workflow, workflow_id)
    if row is None:
        raise NotFound(f"workflow {workflow_id} does not exist")
    return row


def _store_secret(row: Workflow, given: str | None) -> str | None:
    """Keep or set the webhook secret; returns a generated one so it can be shown once."""
    if row.trigger_type not in SIGNED_HOOKS:
        row.webhook_secret_enc = None
        return None
    # a deployment hook is always signed (GitHub's way or Flowdeck's)
    signed = row.trigger_type == "deployment" or (
        row.trigger_config.get("signature", "none") != "none"
    )
    if given:
        row.webhook_secret_enc = encrypt(given)
        return None
    if signed and not row.webhook_secret_enc:
        generated = secrets.token_urlsafe(32)
        row.webhook_secret_enc = encrypt(generated)
        return generated
    return None


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two definitions alike, a top-level key set to None counting as left out (a stored
    definition leaves out an unset `on_failure_workflow_id`; the row has it as None)."""
    return {k: v for k, v in a.items() if v is not None} == {
        k: v for k, v in b.items() if v is not None
    }


def check_script_steps(actor: Actor, before: Any, after: Any) -> None:
    """Only admins add, change or remove script steps (code that runs on this host); a
    member may change the rest of such a workflow, pause it or run it."""
    changed = script_changes(before, after)
    if changed and actor.role != Role.ADMIN:
        raise PermissionDenied(ADMIN_ONLY_MESSAGE.format(steps=", ".join(changed)))


def _plan_next_run(row: Workflow) -> None:
    """Show the next fire at once; the schedule clock keeps it up to date from then on."""
    if row.trigger_type != "schedule" or not row.is_active:
        row.next_run_at = None
        return
    row.next_run_at = next_fire(
        schedule_config(row.trigger_config), after=utcnow(), anchor=row.created_at
    )


def create_workflow(actor: Actor, data: dict[str, Any]) -> Saved:
    actor.require_member()
    parsed = parse_definition(data)
    check_script_steps(actor, [], definition_of(parsed)["actions"])
    with session_scope() as session:
        row = Workflow(created_by=actor.user_id)
        apply_spec(row, parsed)
        check_trigger(session, row)
        _plan_next_run(row)
        generated = _store_secret(row, parsed.secret)
        session.add(row)
        session.flush()
        write_version(
            session,
            row,
            definition_of(parsed),
            actor,
            description=data.get("change_description") or "created",
        )
        audit.record(
            session,
            actor,
            "workflow.created",
            target_type="workflow",
            target_id=row.id,
            details={"name": row.name},
        )
        public = to_public(row)
    bus.publish_nowait("workflow.changed", workflow_id=public["id"])
    return Saved(public, generated, warnings_for(public["actions"]))


def update_workflow(
    actor: Actor,
    workflow_id: int,
    data: dict[str, Any],
    *,
    audit_action: str = "workflow.updated",
    restored_from: int | None = None,
    reason: str | None = None,
) -> Saved:
    """Change a workflow; keys left out keep their value (PUT with a partial body works).

    Pause/resume and rollback come through here too (so the scheduler resyncs the same way);
    they name their own audit action, and a rollback records what it restored and why.
    """
    actor.require_member()
    with session_scope() as session:
        row = get_row(session, workflow_id)
        merged = {**definition_from_row(row), **_definition_keys(data)}
        parsed = parse_definition(merged)
        secret = parsed.secret
        before = definition_from_row(row)
        check_script_steps(actor, before["actions"], definition_of(parsed)["actions"])
        apply_spec(row, parsed)
        check_trigger(session, row)
        check_no_loop(session, workflow_id, row.name, row.actions)
        if before["trigger"] != definition_from_row(row)["trigger"] or (
            row.is_active and not before["is_active"]
        ):
            _plan_next_run(row)
        generated = _store_secret(row, secret)
        after = definition_of(parsed)
        if restored_from is not None and _same(after, before) and not secret:
            raise Conflict(f"workflow {workflow_id} already matches version {restored_from}")
        if not _same(after, before) or secret:
            row.updated_at = utcnow()
            write_version(
                session,
                row,
                after,
                actor,
                description=data.get("change_description") or "",
                restored_from=restored_from,
                reason=reason,
            )
            details: dict[str, Any] = {"name": row.name, "version": row.version}
            if restored_from is not None:
                details |= {"restored_from": restored_from, "reason": reason}
            audit.record(
                session,
                actor,
                audit_action,
                target_type="workflow",
                target_id=row.id,
                details=details,
            )
        public = to_public(row)
    bus.publish_nowait("workflow.changed", workflow_id=workflow_id)
    return Saved(public, generated, warnings_for(public["actions"]))


def _definition_keys(data: dict[str, Any]) -> dict[str, Any]:
    from app.services.workflow_defs import snake_keys

    return {k: v for k, v in snake_keys(data).items() if k != "change_description"}


def set_active(actor: Actor, workflow_id: int, active: bool) -> dict[str, Any]:
    return update_workflow(
        actor,
        workflow_id,
        {
            "is_active": active,
            "change_description": "resumed" if active else "paused",
        },
        audit_action="workflow.resumed" if active else "workflow.paused",
    ).workflow


def duplicate_workflow(actor: Actor, workflow_id: int) -> Saved:
    actor.require_member()
    with session_scope() as session:
        definition = definition_from_row(get_row(session, workflow_id))
    definition["name"] = f"{definition['name']} (copy)"[:200]
    definition["is_active"] = False
    return create_workflow(actor, {**definition, "change_description": "duplicated"})


def delete_workflow(actor: Actor, workflow_id: int) -> None:
    actor.require_member()
    with session_scope() as session:
        row = get_row(session, workflow_id)
        name = row.name
        session.delete(row)
        audit.record(
            session,
            actor,
            "workflow.deleted",
            target_type="workflow",
            target_id=workflow_id,
            details={"name": name},
        )
    bus.publish_nowait("workflow.changed", workflow_id=workflow_id)


def get_workflow(actor: Actor, workflow_id: int) -> dict[str, Any]:
    actor.require_member()
    with session_scope() as session:
        return to_public(get_row(session, workflow_id))


@dataclass(frozen=True)
class WorkflowFilter:
    search: str = ""
    workflow_type: str | None = None
    trigger_type: str | None = None
    is_active: bool | None = None
    sort: str = "name"  # name, -last_run_at, -runs, -created_at …
    limit: int = 50
    offset: int = 0


_SORTS = {
    "name": Workflow.name,
    "created_at": Workflow.created_at,
    "runs": Workflow.runs,
    "last_run_at": Workflow.last_run_at,
    "avg_duration_ms": Workflow.avg_duration_ms,
}


def list_workflows(actor: Actor, flt: WorkflowFilter | None = None) -> tuple[list[dict], int]:
    """A page of workflows and the total that match the filter."""
    actor.require_member()
    flt = flt or WorkflowFilter()
    query = select(Workflow)
    if flt.search:
        query = query.where(contains_text(Workflow.name, flt.search))
    if flt.workflow_type:
        query = query.where(Workflow.workflow_type == flt.workflow_type)
    if flt.trigger_type:
        query = query.where(Workflow.trigger_type == flt.trigger_type)
    if flt.is_active is not None:
        query = query.where(Workflow.is_active == flt.is_active)
    column = _SORTS.get(flt.sort.lstrip("-"), Workflow.name)
    order = order_by(
        column, descending=flt.sort.startswith("-"), text=column is Workflow.name, tie=Workflow.id
    )
    with session_scope() as session:
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = session.exec(
            query.order_by(*order).offset(max(0, flt.offset)).limit(min(max(1, flt.limit), 500))
        ).all()
        return [to_public(r) for r in rows], total


def load_version(session: Session, workflow_id: int, number: int) -> WorkflowVersion:
    version = session.exec(
        select(WorkflowVersion).where(
            WorkflowVersion.workflow_id == workflow_id, WorkflowVersion.version_number == number
        )
    ).first()
    if version is None:
        raise NotFound(f"workflow {workflow_id} has no version {number}")
    return version
