"""Approvals: one approval, a page of them, what a decision link would do."""

from __future__ import annotations

from pydantic import Field

from app.api.schemas import Out, Time


class Approval(Out):
    id: int
    execution_id: int
    workflow_id: int
    workflow_name: str
    action_id: str = Field(description="The approval step's id in the workflow")
    message: str
    approvers: list[str] = Field(description="Emails and roles (`admin`, `member`)")
    status: str = Field(description="pending, approved, rejected or cancelled")
    deadline: Time = Field(description="When `on_timeout` decides; null: no deadline")
    on_timeout: str
    decided_by: int | None = Field(description="The user who decided; null for a timeout")
    decided_by_label: str | None
    comment: str | None
    decided_at: Time
    created_at: Time
    can_decide: bool = Field(description="Whether the caller is a named approver of it now")


class ApprovalPage(Out):
    items: list[Approval]
    total: int
    limit: int
    offset: int


class ApprovalCount(Out):
    pending: int = Field(description="Pending approvals the caller may decide")


class ApprovalLink(Out):
    """What a signed decision link would do; opening it decides nothing."""

    approval_id: int
    decision: str = Field(description="approved or rejected")
    approver: str = Field(description="The email of the person the link decides as")
    workflow_name: str
    execution_id: int
    message: str
    status: str
    state: str = Field(description="open, decided or expired")
    decided_by_label: str | None
    deadline: Time
