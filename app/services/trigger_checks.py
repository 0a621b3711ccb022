"""What a trigger's config can only be checked against once it meets the database: an API
endpoint's slug that another workflow already answers on, a watched folder outside
`FLOWDECK_WATCH_ROOTS` (or missing), and the workflow a failure runs ("on failure run workflow
X": it must exist and be another one), and an email trigger's connection (an existing imap one).

Called by `create_workflow` / `update_workflow` inside their transaction, after the definition
was applied to the row; the unique index on `workflow.endpoint_slug` is the last guard when two
saves race.
"""

from __future__ import annotations

from sqlmodel import Session, select

from app.core.errors import NotFound, Problem, ValidationFailed
from app.db.models import Workflow
from app.engine.triggers.file_watch import directory_problem
from app.integrations.credentials import find_row


def check_trigger(session: Session, row: Workflow) -> None:
    """`ValidationFailed` at `trigger.config.*` when the row's trigger clashes with another's,
    or at `on_failure_workflow_id` when that names no other workflow."""
    target = row.on_failure_workflow_id
    if target is not None and (target == row.id or session.get(Workflow, target) is None):
        why = "a workflow cannot handle its own failure" if target == row.id else "no such workflow"
        message = f"{why}: choose the id of another workflow (or leave it empty)"
        raise ValidationFailed([Problem("on_failure_workflow_id", message)])
    if row.trigger_type == "file_watch" and row.is_active:  # pausing works whatever the folder
        _, problem = directory_problem(str(row.trigger_config.get("path")))
        if problem is not None:
            raise ValidationFailed([Problem("trigger.config.path", problem)])
    if row.trigger_type == "email" and row.is_active:
        _check_mailbox_connection(session, row.trigger_config.get("connection"))
    if row.endpoint_slug is None:
        return
    taken = session.exec(
        select(Workflow.id, Workflow.name).where(
            Workflow.endpoint_slug == row.endpoint_slug, Workflow.id != row.id
        )
    ).first()
    if taken is not None:
        message = f'"{row.endpoint_slug}" is taken by workflow "{taken[1]}"; choose another slug'
        raise ValidationFailed([Problem("trigger.config.slug", message)])


def _check_mailbox_connection(session: Session, ref: int | str | None) -> None:
    try:
        conn = find_row(session, ref) if ref is not None else None
    except NotFound:
        conn = None
    if conn is None:
        message = f"no connection {ref!r}: create an imap connection first (Admin → Connections)"
    elif conn.platform != "imap":
        message = f"connection {conn.name!r} is {conn.platform}; choose an imap connection"
    else:
        return
    raise ValidationFailed([Problem("trigger.config.connection", message)])
