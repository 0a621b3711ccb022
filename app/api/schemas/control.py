"""Waiting steps, sub-workflow links and the answer of a resume call."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from app.api.schemas import Out, Time


class ExecutionWait(Out):
    id: int
    action_id: str
    kind: str = Field(description="timer, webhook, approval or child")
    status: str = Field(description="pending, done or cancelled")
    resume_at: Time = Field(description="A timer's time, or a webhook's or approval's deadline")
    details: Any
    child_execution_id: int | None
    approval_id: int | None
    created_at: Time
    resolved_at: Time
    error: str | None = None
    resume_url: str | None = Field(
        None,
        description="A pending webhook wait: POST a JSON body here to resume the step "
        "(shown to members and admins only)",
    )


class RetryLink(Out):
    id: int
    status: str


class ChildExecution(Out):
    id: int
    workflow_id: int | None
    workflow_name: str | None
    status: str
    parent_step: str | None = Field(description="The `sub_workflow` step that started it")
    queued_at: Time
    finished_at: Time


class WaitResumed(Out):
    execution_id: int
    wait_id: int
    action_id: str = Field(description="The step that was waiting; the body is its output")
    status: str = Field(description="`resumed`")
