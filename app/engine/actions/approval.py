"""`approval`: the run waits for a named person to approve or reject; outputs `approved` /
`rejected`.

The step returns a `Suspend`: the engine records the approval (who may decide, the deadline)
and the execution waits holding no task, thread or slot. People decide through
`app.services.approvals` (inbox, execution page, REST, a signed link); past `timeout_s` the
wait clock applies `on_timeout`. Approvers are emails or the roles `admin` / `member` (see
`app.core.approvers`: an admin is not an approver unless listed; viewers never are).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator

from app.core.approvers import MAX_APPROVERS, approver_problem, normalize_approvers
from app.core.workflow import ActionConfig
from app.db.types import utcnow
from app.engine.actions import StepContext, Suspend, action

MAX_TIMEOUT_S = 30 * 24 * 3600  # thirty days
MAX_MESSAGE = 2000


def _approver(entry: str) -> str:
    if problem := approver_problem(entry):
        raise ValueError(problem)
    return entry.strip().lower()


Approver = Annotated[str, AfterValidator(_approver)]


class ApprovalConfig(ActionConfig):
    """`approvers`: emails and/or `admin`, `member`; `timeout_s`: how long before `on_timeout`
    decides (none: wait until someone decides); `notify_alert_id`: an alert whose channel gets
    the message with Approve / Reject links."""

    message: str = Field(min_length=1, max_length=MAX_MESSAGE)
    approvers: list[Approver] = Field(max_length=MAX_APPROVERS)
    timeout_s: int | None = Field(default=None, ge=1, le=MAX_TIMEOUT_S)
    on_timeout: Literal["approve", "reject"] = "reject"
    notify_alert_id: int | None = Field(default=None, ge=1, le=2**63 - 1)

    @field_validator("timeout_s", "notify_alert_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        """A form's empty field means "not set"."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("message")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must say what is to be approved")
        return value

    @field_validator("approvers")
    @classmethod
    def _someone(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("name at least one approver: an email, admin or member")
        return normalize_approvers(value)


@action("approval", ApprovalConfig, "Wait for a named person to approve or reject")
async def run(step: StepContext, config: ApprovalConfig) -> Suspend:
    deadline = utcnow() + timedelta(seconds=config.timeout_s) if config.timeout_s else None
    approvers = list(config.approvers)
    details: dict[str, Any] = {"message": config.message, "approvers": approvers}
    if config.notify_alert_id is not None:  # read by the notices (app.services.approval_notices)
        details["notify_alert_id"] = config.notify_alert_id
    return Suspend(
        kind="approval",
        resume_at=deadline,
        details=details,
        approval={
            "message": config.message,
            "approvers": approvers,
            "on_timeout": config.on_timeout,
        },
    )
