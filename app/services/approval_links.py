"""Signed one-time decision links: `/api/approvals/link/<token>`.

A link names (approval, decision, approver) and is signed with the app's secret key (see
`app.core.approvers.link_token`); it is sent through an alert channel to people who may not
have Flowdeck open. Opening it (GET) only shows what it would do, because chat apps and mail
scanners fetch links on their own; the decision is a POST. The approval's status makes a link
work once: the first decision, by any link or person, ends the approval for every link.
Past the approval's deadline a link is expired. A forged or garbled token is "not found".

The approver named in the link must still be allowed when the link is used (active, and their
email or role still listed): a link does not outlive a person's removal.
"""

from __future__ import annotations

from typing import Any

from app.core.approvers import LinkClaim, link_token, may_decide, read_link
from app.core.errors import Conflict, NotFound, PermissionDenied
from app.core.statuses import Role
from app.db.engine import session_scope
from app.db.models import Approval, User, Workflow
from app.db.settings import get_settings
from app.db.types import utcnow
from app.services import approvals
from app.services.actor import Actor

LINK_PATH = "/api/approvals/link/"


def link_url(approval_id: int, decision: str, user_id: int) -> str:
    """The absolute URL of a decision link, signed with the newest secret key."""
    settings = get_settings()
    token = link_token(approval_id, decision, user_id, settings.secret_keys[0])
    return f"{settings.base_url}{LINK_PATH}{token}"


def _claim(token: str) -> LinkClaim:
    claim = read_link(token, get_settings().secret_keys)
    if claim is None:
        raise NotFound("this approval link is not valid")
    return claim


def _approver(session: Any, claim: LinkClaim, row: Approval) -> Actor:
    user = session.get(User, claim.user_id)
    role = user.role if user is not None else ""
    if user is None or not user.is_active:
        raise PermissionDenied("the person this link was made for can no longer decide")
    if not may_decide(row.approvers or [], email=user.email, role=role):
        raise PermissionDenied("the person this link was made for is no longer an approver")
    return Actor(kind="user", user_id=user.id, email=user.email, role=Role(role))


def _load(claim: LinkClaim) -> tuple[Approval, Actor, str]:
    with session_scope() as session:
        row = session.get(Approval, claim.approval_id)
        if row is None:
            raise NotFound("this approval link is not valid")
        actor = _approver(session, claim, row)
        workflow = session.get(Workflow, row.workflow_id)
        session.expunge(row)
    return row, actor, workflow.name if workflow else ""


def _state(row: Approval) -> str:
    """`open`, `decided` or `expired`."""
    if row.status != "pending":
        return "decided"
    if row.deadline is not None and row.deadline <= utcnow():
        return "expired"
    return "open"


def describe(token: str) -> dict[str, Any]:
    """What the link would do (GET): it decides nothing."""
    claim = _claim(token)
    row, actor, workflow_name = _load(claim)
    return {
        "approval_id": row.id,
        "decision": claim.decision,
        "approver": actor.email,
        "workflow_name": workflow_name,
        "execution_id": row.execution_id,
        "message": row.message,
        "status": row.status,
        "state": _state(row),
        "decided_by_label": row.decided_by_label,
        "deadline": row.deadline.isoformat() if row.deadline else None,
    }


def decide_by_link(
    token: str, comment: str | None = None, *, ip: str | None = None, user_agent: str | None = None
) -> dict[str, Any]:
    """Decide as the link says (POST), once; blocking (call it from a worker thread).

    404 forged or unknown; 403 the person may no longer decide; 409 already decided or expired.
    """
    claim = _claim(token)
    row, actor, _ = _load(claim)
    state = _state(row)
    if state == "decided":
        by = f" by {row.decided_by_label}" if row.decided_by_label else ""
        raise Conflict(f"this approval was already {row.status}{by}; the link has been used")
    if state == "expired":
        raise Conflict("this approval link expired with the approval's deadline")
    actor = Actor(actor.kind, actor.user_id, actor.email, actor.role, ip=ip, user_agent=user_agent)
    return approvals.decide_now(actor, claim.approval_id, claim.decision, comment, via="link")
