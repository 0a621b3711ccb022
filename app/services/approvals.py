"""Approvals: the inbox (list, count, read) and the decision, for the UI, REST and links.

Only a NAMED approver may decide: the person's email is listed, or their role (`admin`,
`member`) is. An admin is NOT implicitly an approver: unless `admin` or their email is listed,
they get the same 403 as anyone else. Viewers never decide. The check is made here, so the
inbox, the execution page, REST and a signed link all meet the same wall.

A decision is written by `app.engine.waits.resolve_approval` (the approval row and the step's
wait in one transaction; the run goes on), then audited with the person and the comment. It
runs in a worker thread: never on the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.core.approvers import (
    APPROVER_ROLES,
    DECISIONS,
    approver_emails,
    approver_roles,
    comment_problem,
    may_decide,
)
from app.core.errors import Conflict, NotFound, PermissionDenied, Problem, ValidationFailed
from app.core.statuses import Role
from app.db.engine import session_scope
from app.db.models import Approval, User, Workflow
from app.engine import waits
from app.engine.bus import bus
from app.services import audit
from app.services.actor import Actor

STATUSES: tuple[str, ...] = ("pending", "approved", "rejected", "cancelled")
#: How many of the newest matching approvals "mine" looks through (approvers are JSON).
MINE_SCAN = 5000
_AP = Approval.__table__  # type: ignore[attr-defined]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def to_public(row: Approval, workflow_name: str, actor: Actor | None = None) -> dict[str, Any]:
    """An approval as the API and the inbox show it; `can_decide` is for `actor`."""
    can = (
        actor is not None
        and row.status == "pending"
        and may_decide(row.approvers, email=actor.email, role=actor.role.value)
    )
    return {
        "id": row.id,
        "execution_id": row.execution_id,
        "workflow_id": row.workflow_id,
        "workflow_name": workflow_name,
        "action_id": row.action_id,
        "message": row.message,
        "approvers": list(row.approvers or []),
        "status": row.status,
        "deadline": _iso(row.deadline),
        "on_timeout": row.on_timeout,
        "decided_by": row.decided_by,
        "decided_by_label": row.decided_by_label,
        "comment": row.comment,
        "decided_at": _iso(row.decided_at),
        "created_at": _iso(row.created_at),
        "can_decide": can,
    }


def _names(session: Session, workflow_ids: set[int]) -> dict[int, str]:
    if not workflow_ids:
        return {}
    rows = session.exec(
        select(Workflow.id, Workflow.name).where(col(Workflow.id).in_(workflow_ids))
    ).all()
    return {int(wid): name for wid, name in rows if wid is not None}


def _check_status(status: str | None) -> None:
    if status is not None and status not in STATUSES:
        raise ValidationFailed([Problem("status", f"must be one of {', '.join(STATUSES)}")])


_PENDING_FIRST = sa.case((_AP.c.status == "pending", 0), else_=1)
_ORDER = (_PENDING_FIRST, _AP.c.created_at.desc(), _AP.c.id.desc())


def _mine_ids(session: Session, actor: Actor, status: str | None) -> list[int]:
    """Ids (pending first, newest first) of the approvals `actor` may decide, bounded."""
    query = sa.select(_AP.c.id, _AP.c.approvers).order_by(*_ORDER).limit(MINE_SCAN)
    if status is not None:
        query = query.where(_AP.c.status == status)
    rows = session.connection().execute(query).all()
    role = actor.role.value
    return [r.id for r in rows if may_decide(r.approvers or [], email=actor.email, role=role)]


def _page_ids(
    session: Session, actor: Actor, status: str | None, mine: bool, limit: int, offset: int
) -> tuple[list[int], int]:
    """The ids of one page in order, and the total."""
    if mine:
        ids = _mine_ids(session, actor, status)
        return ids[offset : offset + limit], len(ids)
    where = [] if status is None else [_AP.c.status == status]
    total = (
        session.connection()
        .execute(sa.select(sa.func.count()).where(*where).select_from(_AP))
        .scalar_one()
    )
    query = sa.select(_AP.c.id).where(*where).order_by(*_ORDER).limit(limit).offset(offset)
    return list(session.connection().execute(query).scalars()), total


def list_approvals(
    actor: Actor,
    *,
    status: str | None = None,
    mine: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """Approvals, pending first then newest first; `mine`: those `actor` may decide."""
    actor.require_member()
    _check_status(status)
    with session_scope() as session:
        ids, total = _page_ids(session, actor, status, mine, limit, offset)
        rows = session.exec(select(Approval).where(col(Approval.id).in_(ids or [0]))).all()
        by_id = {r.id: r for r in rows}
        ordered = [by_id[i] for i in ids if i in by_id]
        names = _names(session, {r.workflow_id for r in ordered})
        items = [to_public(r, names.get(r.workflow_id, ""), actor) for r in ordered]
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def get_approval(actor: Actor, approval_id: int) -> dict[str, Any]:
    actor.require_member()
    with session_scope() as session:
        row = session.get(Approval, approval_id)
        if row is None:
            raise NotFound(f"approval {approval_id} does not exist")
        return to_public(row, _names(session, {row.workflow_id}).get(row.workflow_id, ""), actor)


def count_pending(actor: Actor) -> int:
    """How many pending approvals `actor` may decide (the inbox's and the bell's number)."""
    if actor.role not in (Role.ADMIN, Role.MEMBER):
        return 0
    with session_scope() as session:
        return len(_mine_ids(session, actor, "pending"))


def pending_count_of_user(user_id: int) -> int:
    """`count_pending` for a user by id (the bell's push knows only the id); 0 if gone."""
    with session_scope() as session:
        user = session.get(User, user_id)
    if user is None or not user.is_active or user.role not in APPROVER_ROLES:
        return 0
    return count_pending(
        Actor(kind="user", user_id=user_id, email=user.email, role=Role(user.role))
    )


def approver_user_ids(approvers: Sequence[str]) -> list[int]:
    """Active users who may decide an approval naming `approvers` (viewers never)."""
    emails, roles = approver_emails(approvers), approver_roles(approvers)
    if not emails and not roles:
        return []
    named = sa.or_(
        sa.func.lower(col(User.email)).in_(emails or [""]), col(User.role).in_(roles or [""])
    )
    query = select(User.id).where(
        col(User.is_active).is_(True), col(User.role).in_(APPROVER_ROLES), named
    )
    with session_scope() as session:
        return [int(uid) for uid in session.exec(query.order_by(User.id)).all() if uid]


def _checked_input(decision: str, comment: str | None) -> str | None:
    problems = []
    if decision not in DECISIONS:
        problems.append(Problem("decision", f"must be one of {', '.join(DECISIONS)}"))
    if comment is not None and not isinstance(comment, str):
        problems.append(Problem("comment", "must be a string"))
    elif problem := comment_problem(comment):
        problems.append(Problem("comment", problem))
    if problems:
        raise ValidationFailed(problems)
    text = (comment or "").strip()
    return text or None


def _pending_for(actor: Actor, approval_id: int) -> Approval:
    """The approval, if `actor` may decide it now: 404, then 403, then 409."""
    with session_scope() as session:
        row = session.get(Approval, approval_id)
        if row is None:
            raise NotFound(f"approval {approval_id} does not exist")
        session.expunge(row)
    if not may_decide(row.approvers or [], email=actor.email, role=actor.role.value):
        raise PermissionDenied(
            f"only the named approvers may decide this approval ({', '.join(row.approvers)}); "
            "admins too must be listed"
        )
    if row.status != "pending":
        by = f" by {row.decided_by_label}" if row.decided_by_label else ""
        raise Conflict(f"approval {approval_id} is already {row.status}{by}")
    return row


def decide_now(
    actor: Actor, approval_id: int, decision: str, comment: str | None, *, via: str = "app"
) -> dict[str, Any]:
    """The decision, blocking (call it from a worker thread); see `decide`."""
    comment = _checked_input(decision, comment)
    row = _pending_for(actor, approval_id)
    done = waits.resolve_approval(
        approval_id, decision=decision, user_id=actor.user_id, label=actor.label, comment=comment
    )
    if not done:  # decided (or timed out, or cancelled) between our read and the write
        raise Conflict(f"approval {approval_id} was decided a moment ago")
    with session_scope() as session:
        audit.record(
            session,
            actor,
            f"approval.{decision}",
            target_type="approval",
            target_id=approval_id,
            details={
                "execution_id": row.execution_id,
                "workflow_id": row.workflow_id,
                "step": row.action_id,
                "decision": decision,
                "comment": comment,
                "via": via,
            },
        )
    announce_decided(row)
    return get_approval(actor, approval_id)


async def decide(
    actor: Actor, approval_id: int, decision: str, comment: str | None = None
) -> dict[str, Any]:
    """Approve or reject as `actor` (a named approver); the run goes on along that branch.

    403 when `actor` is not a named approver (admins included), 404 for an unknown id, 409 when
    it is no longer pending, 422 for a bad decision or a comment over 2,000 characters.
    """
    return await asyncio.to_thread(decide_now, actor, approval_id, decision, comment)


def announce_decided(row: Approval) -> None:
    """Tell every approver's bell that their pending count changed."""
    for user_id in approver_user_ids(row.approvers or []):
        bus.publish_nowait("notification.approvals", user_id=user_id, approval_id=row.id)
