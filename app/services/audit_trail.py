"""The workflow audit trail of original 004 (`GET /api/audit/workflows?...`).

Filters: a workflow, a person, 004's event types (see `app.core.original_audit`), a date range.
Who sees what: admins every event; anyone else only their own events (asking for another
person's is a 403, as for a person's activity). Each event carries 004's `event_type` name
when it has one.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.core.errors import PermissionDenied
from app.core.original_audit import event_type_of
from app.core.statuses import Role
from app.services import audit_query
from app.services.actor import Actor
from app.services.audit_query import AuditFilter


def workflow_trail(
    actor: Actor,
    flt: AuditFilter,
    *,
    workflow_id: int | None = None,
    user_id: int | None = None,
    limit: int = 100,
    cursor: int | None = None,
) -> dict[str, Any]:
    """A page of workflow audit events, newest first, narrowed to what `actor` may see."""
    if actor.role != Role.ADMIN:
        if actor.user_id is None or (user_id is not None and user_id != actor.user_id):
            raise PermissionDenied("you may see only your own audit events")
        user_id = actor.user_id
    narrowed = replace(
        flt,
        actor=str(user_id) if user_id is not None else flt.actor,
        target_type="workflow" if workflow_id is not None else flt.target_type,
        target_id=str(workflow_id) if workflow_id is not None else flt.target_id,
        action=flt.action if flt.action or flt.actions else "workflow.*",
    )
    page = audit_query.page_of(narrowed, limit=limit, cursor=cursor)
    for item in page["items"]:
        item["event_type"] = event_type_of(item["action"])
    return page
