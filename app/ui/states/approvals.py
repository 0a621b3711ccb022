"""Admin → Approvals: what waits for a decision, who may give it, and the history.

Every handler authenticates the tab and calls `app.services.approvals`, which decides who may
act: the Approve / Reject buttons show only where `can_decide`, but a forged event meets the
service's check all the same.
"""

from __future__ import annotations

from typing import Any, TypedDict

import reflex as rx

from app.core.approvers import MAX_COMMENT
from app.core.dates import when_text
from app.core.errors import FlowdeckError
from app.services import approvals
from app.ui.states.session import SessionState, error_text, run_service

#: The history filter: a status, or every approval.
FILTERS: list[tuple[str, str]] = [
    ("pending", "Pending"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
    ("all", "All"),
]
PAGE_SIZE = 100


class ApprovalRow(TypedDict):
    id: int
    workflow: str
    execution_id: int
    execution_href: str
    step: str
    message: str
    approvers: str
    status: str
    requested: str
    deadline: str
    can_decide: bool
    decision: str


def _when(iso: str | None) -> str:
    """`2026-12-01 00:22 UTC` from an ISO time; "" for none."""
    return when_text(iso, empty="")


def _decision(item: dict[str, Any]) -> str:
    if item["status"] in ("pending", "cancelled"):
        return ""
    text = f"{item['status']} by {item['decided_by_label'] or 'someone'}"
    text += f" on {_when(item['decided_at'])}" if item["decided_at"] else ""
    return f"{text}: “{item['comment']}”" if item["comment"] else text


def approval_row(item: dict[str, Any]) -> ApprovalRow:
    deadline = _when(item["deadline"])
    if deadline:
        deadline += f" (then {'approve' if item['on_timeout'] == 'approve' else 'reject'})"
    return ApprovalRow(
        id=item["id"],
        workflow=item["workflow_name"] or f"workflow {item['workflow_id']}",
        execution_id=item["execution_id"],
        execution_href=f"/admin/executions/{item['execution_id']}",
        step=item["action_id"],
        message=item["message"],
        approvers=", ".join(item["approvers"]),
        status=item["status"],
        requested=_when(item["created_at"]),
        deadline=deadline or "none",
        can_decide=bool(item["can_decide"]),
        decision=_decision(item),
    )


class ApprovalsState(SessionState):
    rows: list[ApprovalRow] = []
    total: int = 0
    loaded: bool = False
    status_filter: str = "pending"
    only_mine: bool = False
    # The decision dialog.
    deciding_id: int = 0
    deciding: str = ""  # "approved" or "rejected"
    deciding_message: str = ""
    comment: str = ""
    busy: bool = False

    async def _reload(self) -> None:
        status = None if self.status_filter == "all" else self.status_filter
        mine = self.only_mine
        page = await run_service(
            self,
            lambda a: approvals.list_approvals(a, status=status, mine=mine, limit=PAGE_SIZE),
        )
        self.rows = [approval_row(item) for item in page["items"]]
        self.total = page["total"]
        self.loaded = True

    @rx.event
    async def load(self) -> Any:
        redirect = await self.guard_admin_area()
        if redirect is not None:
            return redirect
        await self._reload()
        return None

    @rx.event
    async def refresh(self) -> Any:
        try:
            await self._reload()
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        return None

    @rx.event
    async def set_status_filter(self, value: str) -> Any:
        if value not in {key for key, _ in FILTERS}:
            return None
        self.status_filter = value
        return await self.refresh()

    @rx.event
    async def set_only_mine(self, value: bool) -> Any:
        self.only_mine = bool(value)
        return await self.refresh()

    @rx.event
    def open_decision(self, approval_id: int, decision: str) -> None:
        row = next((r for r in self.rows if r["id"] == approval_id), None)
        if row is None or decision not in ("approved", "rejected"):
            return
        self.deciding_id, self.deciding = approval_id, decision
        self.deciding_message, self.comment = row["message"], ""

    @rx.event
    def set_dialog_open(self, value: bool) -> None:
        if not value and not self.busy:
            self.deciding_id, self.deciding, self.comment = 0, "", ""

    @rx.event
    def set_comment(self, value: str) -> None:
        self.comment = value[:MAX_COMMENT]

    @rx.event
    async def confirm(self) -> Any:
        """Decide as the signed-in person; the service checks they are a named approver."""
        if not self.deciding_id or self.busy:
            return None
        approval_id, decision, comment = self.deciding_id, self.deciding, self.comment
        self.busy = True
        try:
            actor = await self._actor()
            await approvals.decide(actor, approval_id, decision, comment or None)
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        finally:
            self.busy = False
        self.deciding_id, self.deciding, self.comment = 0, "", ""
        # The decided row stays where it was, showing the decision, until the next refresh.
        fresh = approval_row(
            await run_service(self, lambda a: approvals.get_approval(a, approval_id))
        )
        self.rows = [fresh if r["id"] == approval_id else r for r in self.rows]
        if self.status_filter == "pending":
            self.total = max(0, self.total - 1)
        word = "Approved" if decision == "approved" else "Rejected"
        return rx.toast.success(f"{word}. The workflow goes on.")

    @rx.var
    def dialog_open(self) -> bool:
        return self.deciding_id > 0

    @rx.var
    def dialog_title(self) -> str:
        return "Approve this step?" if self.deciding == "approved" else "Reject this step?"
