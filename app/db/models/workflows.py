"""Workflows, their versions, and every execution, step and attempt."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db.types import fk_column, json_column, ts_column, utcnow


class Workflow(SQLModel, table=True):
    __tablename__ = "workflow"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    description: str = Field(default="", max_length=5000)
    workflow_type: str = Field(default="custom", max_length=16, index=True)
    priority: str = Field(default="normal", max_length=8)
    concurrency_limit: int = 1
    is_active: bool = Field(default=True, index=True)
    trigger_type: str = Field(default="manual", max_length=16, index=True)
    trigger_config: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(dict))
    actions: list[dict[str, Any]] = Field(default_factory=list, sa_column=json_column(list))
    schedule_cron: str | None = Field(default=None, max_length=120)
    schedule_timezone: str | None = Field(default=None, max_length=64)
    hook_id: str | None = Field(default=None, max_length=64, unique=True, index=True)
    webhook_secret_enc: str | None = Field(default=None, max_length=1000)
    # The slug of an `api_endpoint` trigger (POST /api/run/<slug>); unique, null otherwise.
    endpoint_slug: str | None = Field(default=None, max_length=64, unique=True, index=True)
    # What start-up recovery does with a run of this workflow that a dead process left
    # behind: "leave" it interrupted, or "retry" it once (see app.services.recovery).
    on_interrupted: str = Field(
        default="leave", max_length=8, sa_column_kwargs={"server_default": "leave"}
    )
    # The workflow to run when a run of this one fails ("on failure run workflow X"). A plain
    # number, like execution.parent_execution_id (see migration 0012): a deleted target is
    # skipped when a failure would start it.
    on_failure_workflow_id: int | None = Field(default=None, index=True)
    # How many steps of one execution may run at the same time (graph workflows).
    max_parallel: int = Field(default=8, sa_column_kwargs={"server_default": "8"})
    # Retention of this workflow's finished runs (null: the global setting "retention").
    keep_days: int | None = None
    keep_last: int | None = None
    keep_data_days: int | None = None
    # A pinned sample trigger payload for template help and "Test step" (null: none pinned;
    # not part of the definition, so saving or rolling back a version leaves it as it is).
    sample_payload: Any = Field(default=None, sa_column=json_column(None))
    version: int = 1
    runs: int = 0
    successes: int = 0
    failures: int = 0
    avg_duration_ms: float = 0.0
    last_run_at: datetime | None = Field(default=None, sa_column=ts_column(index=True))
    last_status: str | None = Field(default=None, max_length=16)
    next_run_at: datetime | None = Field(default=None, sa_column=ts_column(index=True))
    created_by: int | None = Field(
        default=None, sa_column=fk_column("user.id", ondelete="SET NULL")
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=ts_column(nullable=False, index=True)
    )
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False))


class WorkflowVersion(SQLModel, table=True):
    __tablename__ = "workflow_version"
    __table_args__ = (sa.UniqueConstraint("workflow_id", "version_number"),)

    id: int | None = Field(default=None, primary_key=True)
    workflow_id: int = Field(sa_column=fk_column("workflow.id", ondelete="CASCADE", nullable=False))
    version_number: int
    definition: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(dict))
    diff: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(dict))
    change_summary: list[str] = Field(default_factory=list, sa_column=json_column(list))
    change_description: str = Field(default="", max_length=2000)
    restored_from: int | None = None
    reason: str | None = Field(default=None, max_length=2000)
    created_by: int | None = Field(
        default=None, sa_column=fk_column("user.id", ondelete="SET NULL")
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=ts_column(nullable=False, index=True)
    )


class Execution(SQLModel, table=True):
    __tablename__ = "execution"
    __table_args__ = (
        sa.UniqueConstraint("workflow_id", "scheduled_for", name="uq_execution_schedule"),
        sa.UniqueConstraint("workflow_id", "dedupe_key", name="uq_execution_dedupe"),
        sa.Index("ix_execution_workflow_started", "workflow_id", "started_at"),
        # A workflow's newest runs (run-history strips, the list filtered by workflow).
        sa.Index("ix_execution_workflow_id", "workflow_id", "id"),
        sa.Index("ix_execution_status_started", "status", "started_at"),
        sa.Index("ix_execution_queue", "status", "priority_rank", "queued_at"),
        # Retention's data-only prune: the runs whose step data is still there.
        sa.Index(
            "ix_execution_data_kept",
            "workflow_id",
            "started_at",
            sqlite_where=sa.text("data_pruned_at IS NULL"),
            postgresql_where=sa.text("data_pruned_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    workflow_id: int = Field(
        sa_column=fk_column("workflow.id", ondelete="CASCADE", nullable=False, index=False)
    )
    workflow_version: int = 1
    status: str = Field(default="queued", max_length=16)
    trigger_type: str = Field(default="manual", max_length=16, index=True)
    trigger_payload: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(dict))
    priority_rank: int = 1
    queued_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False))
    started_at: datetime | None = Field(default=None, sa_column=ts_column(index=True))
    finished_at: datetime | None = Field(default=None, sa_column=ts_column())
    duration_ms: float | None = None
    steps_completed: int = 0
    steps_total: int = 0
    error: str | None = Field(default=None, max_length=5000)
    failed_step: str | None = Field(default=None, max_length=64)
    retry_of: int | None = Field(
        default=None, sa_column=fk_column("execution.id", ondelete="SET NULL")
    )
    scheduled_for: datetime | None = Field(default=None, sa_column=ts_column())
    dedupe_key: str | None = Field(default=None, max_length=200)
    created_by: int | None = Field(
        default=None, sa_column=fk_column("user.id", ondelete="SET NULL")
    )
    # A sub-workflow's run points at the run (and the step of it) that started it. A plain
    # indexed number, not a foreign key: SQLite adds a column with a reference only in a form
    # its reflection cannot read back, and the parent's own `step_wait` row holds the real link.
    parent_execution_id: int | None = Field(default=None, index=True)
    parent_step: str | None = Field(default=None, max_length=64)
    depth: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # When retention removed its steps' inputs and outputs (null: they are all there).
    data_pruned_at: datetime | None = Field(default=None, sa_column=ts_column())
    # The lease (`worker_lease.id`) of the process that runs (or last ran) it; null for runs
    # from before leases, and for queued runs no process claimed yet.
    lease_id: str | None = Field(default=None, max_length=32, index=True)


class ExecutionStep(SQLModel, table=True):
    __tablename__ = "execution_step"
    __table_args__ = (
        sa.UniqueConstraint("execution_id", "position"),
        # An action's latest failures (analytics' "recent errors"), newest first.
        sa.Index("ix_execution_step_action_status", "action_id", "status", "execution_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    execution_id: int = Field(
        sa_column=fk_column("execution.id", ondelete="CASCADE", nullable=False)
    )
    position: int
    action_id: str = Field(max_length=64)
    name: str = Field(default="", max_length=200)
    type: str = Field(max_length=32)
    status: str = Field(default="pending", max_length=16)
    input: dict[str, Any] | None = Field(default=None, sa_column=json_column())
    output: Any | None = Field(default=None, sa_column=json_column())
    error: str | None = Field(default=None, max_length=5000)
    skip_reason: str | None = Field(default=None, max_length=500)
    attempts: int = 0
    started_at: datetime | None = Field(default=None, sa_column=ts_column())
    finished_at: datetime | None = Field(default=None, sa_column=ts_column())
    duration_ms: float | None = None
    # The lease of the process that started it running (see `Execution.lease_id`).
    lease_id: str | None = Field(default=None, max_length=32)


class StepAttempt(SQLModel, table=True):
    __tablename__ = "step_attempt"
    __table_args__ = (sa.UniqueConstraint("step_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    step_id: int = Field(
        sa_column=fk_column("execution_step.id", ondelete="CASCADE", nullable=False)
    )
    number: int
    started_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False))
    duration_ms: float | None = None
    error: str | None = Field(default=None, max_length=5000)
    failure_kind: str | None = Field(default=None, max_length=32)


def _one_per_step() -> sa.Column:
    """A step's own row in a side table (its wait, its approval): one at most, gone with it."""
    return sa.Column(
        sa.Integer,
        sa.ForeignKey("execution_step.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    )


class StepWait(SQLModel, table=True):
    """A step that waits (a timer, a webhook call, an approval, a child run) holds no task:
    this row is what wakes it (`resume_at`, the resume token's id, the child) after a restart.

    `status`: `pending` while it waits, `done` once resolved (then `output` is the step's),
    `cancelled` with its execution.
    """

    __tablename__ = "step_wait"
    __table_args__ = (sa.Index("ix_step_wait_due", "status", "resume_at"),)

    id: int | None = Field(default=None, primary_key=True)
    execution_id: int = Field(
        sa_column=fk_column("execution.id", ondelete="CASCADE", nullable=False)
    )
    step_id: int = Field(sa_column=_one_per_step())
    action_id: str = Field(max_length=64)
    kind: str = Field(max_length=16)
    status: str = Field(default="pending", max_length=16)
    resume_at: datetime | None = Field(default=None, sa_column=ts_column())
    child_execution_id: int | None = Field(
        default=None, sa_column=fk_column("execution.id", ondelete="SET NULL")
    )
    details: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(dict))
    output: Any | None = Field(default=None, sa_column=json_column())
    error: str | None = Field(default=None, max_length=5000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False))
    resolved_at: datetime | None = Field(default=None, sa_column=ts_column())


class Approval(SQLModel, table=True):
    """An approval step waiting for a person: who may decide, and what they decided."""

    __tablename__ = "approval"
    __table_args__ = (sa.Index("ix_approval_status_created", "status", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    execution_id: int = Field(
        sa_column=fk_column("execution.id", ondelete="CASCADE", nullable=False)
    )
    step_id: int = Field(sa_column=_one_per_step())
    workflow_id: int = Field(sa_column=fk_column("workflow.id", ondelete="CASCADE", nullable=False))
    action_id: str = Field(max_length=64)
    message: str = Field(default="", max_length=5000)
    approvers: list[str] = Field(default_factory=list, sa_column=json_column(list))
    deadline: datetime | None = Field(default=None, sa_column=ts_column(index=True))
    on_timeout: str = Field(default="reject", max_length=8)
    status: str = Field(default="pending", max_length=16)
    decided_by: int | None = Field(
        default=None, sa_column=fk_column("user.id", ondelete="SET NULL")
    )
    decided_by_label: str | None = Field(default=None, max_length=320)
    comment: str | None = Field(default=None, max_length=2000)
    decided_at: datetime | None = Field(default=None, sa_column=ts_column())
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False))


class StepItem(SQLModel, table=True):
    """One item of a `for_each` step: its own status, attempts, error and output."""

    __tablename__ = "step_item"
    __table_args__ = (sa.UniqueConstraint("step_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    step_id: int = Field(
        sa_column=fk_column("execution_step.id", ondelete="CASCADE", nullable=False, index=False)
    )
    position: int
    status: str = Field(max_length=16)
    attempts: int = 0
    error: str | None = Field(default=None, max_length=5000)
    output: Any | None = Field(default=None, sa_column=json_column())
    started_at: datetime | None = Field(default=None, sa_column=ts_column())
    duration_ms: float | None = None
