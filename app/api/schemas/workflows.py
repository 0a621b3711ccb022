"""Workflows, executions, their statistics and version history."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from app.api.schemas import JsonObject, Num, Out, Time
from app.api.schemas.analytics import SeriesPoint
from app.api.schemas.control import ChildExecution, ExecutionWait, RetryLink
from app.api.schemas.step_items import StepItems


class Workflow(Out):
    id: int
    name: str
    description: str
    workflow_type: str
    priority: str
    concurrency_limit: int
    max_parallel: int = Field(description="How many steps of one run may run at once (1–64)")
    on_interrupted: Literal["leave", "retry"] = Field(
        description="After a crash or stop mid-run: leave it interrupted, or retry it once"
    )
    is_active: bool
    trigger: JsonObject = Field(description="`{type, config}`")
    actions: list[JsonObject]
    trigger_summary: str
    webhook_url: str | None = Field(description="The inbound URL of a webhook trigger")
    endpoint_url: str | None = Field(
        None, description="The URL of an API endpoint trigger: POST it with an API key"
    )
    has_webhook_secret: bool
    version: int
    runs: int
    successes: int
    failures: int
    success_rate: Num | None
    avg_duration_ms: Num | None
    last_run_at: Time
    last_status: str | None
    next_run_at: Time
    created_by: int | None
    created_at: str
    updated_at: str


class SaveWarning(Out):
    path: str = Field(
        description="Where, as validation problems name it: actions[2].config.metrics"
    )
    message: str


class SavedWorkflow(Workflow):
    webhook_secret: str | None = Field(
        None, description="Only when Flowdeck generated the secret: shown this once"
    )
    warnings: list[SaveWarning] = Field(
        default_factory=list,
        description="What the workflow will not do as written; saved all the same",
    )


class WorkflowPage(Out):
    items: list[Workflow]
    total: int
    limit: int
    offset: int


class ExecutionSummary(Out):
    id: int
    workflow_id: int | None
    workflow_name: str | None
    workflow_version: int | None
    status: str
    trigger_type: str
    queued_at: Time
    started_at: Time
    finished_at: Time
    duration_ms: Num | None
    steps_completed: int
    steps_total: int
    error: str | None
    failed_step: str | None
    retry_of: int | None
    scheduled_for: Time


class Step(Out):
    id: int
    position: int
    action_id: str
    name: str
    type: str
    status: str
    input: Any
    output: Any
    error: str | None
    skip_reason: str | None
    started_at: Time
    finished_at: Time
    duration_ms: Num | None
    attempts: list[JsonObject]
    items: StepItems | None = Field(None, description="A for_each step's items (bounded)")


class Execution(ExecutionSummary):
    trigger_payload: Any
    steps: list[Step]
    parent_execution_id: int | None = Field(
        None, description="A sub-workflow's run: the run whose step started it"
    )
    parent_step: str | None = Field(None, description="That run's `sub_workflow` step")
    depth: int = Field(0, description="0 for a top-level run, 1 for its child, …")
    children: list[ChildExecution] = Field(
        default_factory=list, description="The runs its `sub_workflow` steps started"
    )
    retries: list[RetryLink] = Field(
        default_factory=list,
        description="The runs that retried this one (their `retry_of`), oldest first, at most 20",
    )
    waits: list[ExecutionWait] = Field(
        default_factory=list, description="Its steps' waits (timers, webhooks, approvals, …)"
    )


class ExecutionListItem(ExecutionSummary):
    steps_reused: int = Field(
        description="Steps a retry took over from the run it retried (0 for a first run)"
    )


class ExecutionPage(Out):
    items: list[ExecutionListItem]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page")


class WorkflowStats(Out):
    workflow_id: int
    name: str
    is_active: bool
    runs: int
    successes: int
    failures: int
    success_rate: Num | None
    duration_sample: int
    avg_duration_ms: Num | None
    p50_duration_ms: Num | None
    p95_duration_ms: Num | None
    p99_duration_ms: Num | None
    last_run_at: Time
    last_status: str | None
    next_run_at: Time
    runs_24h: int
    status_counts_24h: dict[str, int]
    success_rate_24h: Num | None
    running_now: int
    queued_now: int
    series_24h: list[SeriesPoint] = Field(description="The last 24 h per hour (25 buckets)")


class GlobalStats(Out):
    total_workflows: int
    active_workflows: int
    executions_total: int
    success_rate: Num | None
    executions_24h: int
    succeeded_24h: int
    failed_24h: int
    success_rate_24h: Num | None
    running_now: int
    queued_now: int
    last_activity_at: Time
    p50_duration_ms_24h: Num | None = Field(description="Runs of the last 24 h, within 12.2 %")
    p95_duration_ms_24h: Num | None
    p99_duration_ms_24h: Num | None
    series_24h: list[SeriesPoint] = Field(description="The last 24 h per hour (25 buckets)")


class WorkflowVersion(Out):
    id: int
    workflow_id: int
    version_number: int
    change_type: str
    change_description: str | None
    change_summary: list[str]
    changed_by: int | None
    created_at: str
    restored_from: int | None
    reason: str | None
    definition: JsonObject
    diff: Any


class WorkflowVersionPage(Out):
    workflow_id: int
    current_version: int
    items: list[WorkflowVersion]
    total: int
    limit: int
    offset: int


class WorkflowComparison(Out):
    workflow_id: int
    a: WorkflowVersion
    b: WorkflowVersion
    diff: Any
    summary: list[str]


class RolledBack(Out):
    workflow: Workflow
    version: WorkflowVersion


class PersonChanges(Out):
    user_id: int | None
    email: str
    changes: int


class WorkflowChanges(Out):
    workflow_id: int
    name: str
    changes: int


class ChangeReport(Out):
    since: Time
    until: Time
    total_changes: int
    workflows_changed: int
    by_person: list[PersonChanges]
    most_changed: list[WorkflowChanges]
