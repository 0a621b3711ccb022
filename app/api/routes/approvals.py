"""Approvals over REST: the inbox, a decision, and the signed one-time decision links.

`/api/workflow-orchestration/approvals…` needs an API key whose user is a named approver to
decide (checked in `app.services.approvals`). `/api/approvals/link/<token>` needs no key: the
signed token is the credential; GET shows what it would do (a tiny page for a browser, JSON
otherwise) and only POST decides.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import Field, SkipValidation
from starlette.concurrency import run_in_threadpool

from app.api.approval_pages import link_page, result_page
from app.api.bodies import CamelBody
from app.api.deps import client_ip, current_actor
from app.api.errors import ErrorEnvelope, error_responses
from app.api.params import Offset, id_path, limit_query
from app.api.schemas.approvals import Approval, ApprovalCount, ApprovalLink, ApprovalPage
from app.core.approvers import MAX_COMMENT
from app.core.errors import FlowdeckError, Problem, ValidationFailed
from app.services import approval_links, approvals
from app.services.actor import Actor

router = APIRouter(prefix="/workflow-orchestration", tags=["approvals"])
links = APIRouter(tags=["approvals"])

CurrentActor = Annotated[Actor, Depends(current_actor)]
ApprovalId = Annotated[int, id_path("approval")]
Token = Annotated[str, Path(min_length=1, max_length=200, description="The signed link token")]
StatusFilter = Literal["pending", "approved", "rejected", "cancelled"]


class DecisionBody(CamelBody):
    comment: SkipValidation[str | None] = Field(
        None, max_length=MAX_COMMENT, description="Why (optional, shown and audited)"
    )


def _comment(body: DecisionBody | None) -> str | None:
    value = body.as_data().get("comment") if body is not None else None
    return value if isinstance(value, str) else None


@router.get(
    "/approvals",
    summary="List approvals, pending first, then newest first",
    response_model=ApprovalPage,
    responses=error_responses(401, 403, 422),
)
async def list_approvals(
    actor: CurrentActor,
    status: Annotated[StatusFilter | None, Query()] = None,
    mine: Annotated[bool, Query(description="Only those I may decide")] = False,
    limit: Annotated[int, limit_query(200)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: approvals.list_approvals(
            actor, status=status, mine=mine, limit=limit, offset=offset
        )
    )


@router.get(
    "/approvals/pending-count",
    summary="How many pending approvals I may decide",
    response_model=ApprovalCount,
    responses=error_responses(401),
)
async def pending_count(actor: CurrentActor) -> dict[str, int]:
    return {"pending": await run_in_threadpool(approvals.count_pending, actor)}


@router.get(
    "/approvals/{approval_id}",
    summary="One approval",
    response_model=Approval,
    responses=error_responses(401, 403, 404, 422),
)
async def get_approval(approval_id: ApprovalId, actor: CurrentActor) -> dict[str, Any]:
    return await run_in_threadpool(approvals.get_approval, actor, approval_id)


_DECIDE_ERRORS = error_responses(400, 401, 403, 404, 409, 413, 415, 422)


@router.post(
    "/approvals/{approval_id}/approve",
    summary="Approve (named approvers only); the run goes on along `approved`",
    response_model=Approval,
    responses=_DECIDE_ERRORS,
)
async def approve(
    approval_id: ApprovalId, actor: CurrentActor, body: DecisionBody | None = None
) -> dict[str, Any]:
    return await approvals.decide(actor, approval_id, "approved", _comment(body))


@router.post(
    "/approvals/{approval_id}/reject",
    summary="Reject (named approvers only); the run goes on along `rejected`",
    response_model=Approval,
    responses=_DECIDE_ERRORS,
)
async def reject(
    approval_id: ApprovalId, actor: CurrentActor, body: DecisionBody | None = None
) -> dict[str, Any]:
    return await approvals.decide(actor, approval_id, "rejected", _comment(body))


# -- signed links -----------------------------------------------------------------------------

_HTML = {"text/html": {"schema": {"type": "string"}}}
_LINK_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorEnvelope, "description": why, "content": _HTML}
    for code, why in (
        (403, "The person the link names may no longer decide"),
        (404, "Not a valid link"),
        (409, "Already decided (the link has been used) or expired"),
    )
}


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept


def _html_error(exc: FlowdeckError) -> HTMLResponse:
    return HTMLResponse(result_page("This link cannot be used", exc.message), exc.status)


@links.get(
    "/approvals/link/{token}",
    summary="What a decision link would do (decides nothing)",
    response_model=ApprovalLink,
    responses={200: {"content": _HTML}, **_LINK_ERRORS, **error_responses(422)},
)
async def describe_link(token: Token, request: Request) -> Any:
    try:
        info = await run_in_threadpool(approval_links.describe, token)
    except FlowdeckError as exc:
        if _wants_html(request):
            return _html_error(exc)
        raise
    if _wants_html(request):
        return HTMLResponse(link_page(info))
    return info


async def _link_comment(request: Request) -> str | None:
    """The comment from a form post (the page's form) or a JSON body; none is fine."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        value: Any = (await request.form()).get("comment")
    elif kind == "application/json" and await request.body():
        try:
            data = await request.json()
        except ValueError as exc:
            raise ValidationFailed([Problem("", "the body is not valid JSON")]) from exc
        if not isinstance(data, dict):
            raise ValidationFailed([Problem("", "the body must be a JSON object")])
        value = data.get("comment")
        if value is not None and not isinstance(value, str):
            raise ValidationFailed([Problem("comment", "must be a string")])
    else:
        return None
    return value or None if isinstance(value, str) else None


_LINK_BODY = {
    "type": "object",
    "properties": {"comment": {"type": "string", "maxLength": MAX_COMMENT}},
}


@links.post(
    "/approvals/link/{token}",
    summary="Decide as the link says (once; expires with the approval's deadline)",
    response_model=Approval,
    responses={200: {"content": _HTML}, **_LINK_ERRORS, **error_responses(422)},
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {
                "application/json": {"schema": _LINK_BODY},
                "application/x-www-form-urlencoded": {"schema": _LINK_BODY},
            },
        }
    },
)
async def use_link(token: Token, request: Request) -> Response | dict[str, Any]:
    html = _wants_html(request)
    try:
        comment = await _link_comment(request)
        decided = await run_in_threadpool(
            lambda: approval_links.decide_by_link(
                token,
                comment,
                ip=client_ip(request),
                user_agent=request.headers.get("user-agent"),
            )
        )
    except FlowdeckError as exc:
        if html:
            return _html_error(exc)
        raise
    if html:
        word = "approved" if decided["status"] == "approved" else "rejected"
        return HTMLResponse(result_page(f"You {word} it", "The workflow goes on. Thank you."))
    return JSONResponse(decided)
