"""Run analytics (app.services.analytics): periods, series, rankings, steps and error groups."""

from __future__ import annotations

from pydantic import Field

from app.api.schemas import Num, Out, Time


class AnalyticsPeriod(Out):
    start: str = Field(description="Start of the first bucket (aligned to the hour or UTC day)")
    end: str
    granularity: str = Field(description="hour (periods up to 2 days) or day")


class RunTotals(Out):
    executions: int
    succeeded: int
    failed: int
    cancelled: int
    other: int = Field(description="Interrupted runs")
    success_rate: Num | None
    p50_ms: Num | None = Field(description="Within 12.2 % (histogram percentile)")
    p95_ms: Num | None
    p99_ms: Num | None
    queue_wait_p50_ms: Num | None
    queue_wait_p95_ms: Num | None


class SeriesPoint(Out):
    t: str = Field(description="Bucket start; every bucket of the period is present")
    executions: int
    succeeded: int
    failed: int
    cancelled: int
    other: int
    success_rate: Num | None
    p50_ms: Num | None
    p95_ms: Num | None
    p99_ms: Num | None
    queue_wait_avg_ms: Num | None


class BusyWorkflow(Out):
    workflow_id: int
    name: str
    executions: int


class SlowWorkflow(Out):
    workflow_id: int
    name: str
    p95_ms: Num | None
    executions: int


class FailingWorkflow(Out):
    workflow_id: int
    name: str
    failures: int
    failure_rate: Num | None
    first_failure_at: Time
    last_failure_at: Time
    top_action_id: str | None


class Overview(Out):
    period: AnalyticsPeriod
    totals: RunTotals
    series: list[SeriesPoint]
    busiest: list[BusyWorkflow]
    slowest: list[SlowWorkflow]
    most_failing: list[FailingWorkflow]


class ErrorGroup(Out):
    action_id: str = Field(description='"" for a run\'s own error (no step reported it)')
    shape: str
    count: int
    first_seen: Time
    last_seen: Time
    example_execution_id: int | None
    example_exists: bool = Field(description="False once retention removed the example run")
    example_error: str


class StepStat(Out):
    action_id: str
    runs: int
    failures: int
    skipped: int
    retries: int
    failure_rate: Num | None
    avg_ms: Num | None
    p95_ms: Num | None


class PerformanceWorkflow(Out):
    id: int
    name: str


class Performance(Out):
    workflow: PerformanceWorkflow
    period: AnalyticsPeriod
    totals: RunTotals
    series: list[SeriesPoint]
    steps: list[StepStat] = Field(description="Slowest (p95) first: the bottleneck")
    errors: list[ErrorGroup]


class ActionFailures(Out):
    action_id: str
    runs: int
    failures: int
    failure_rate: Num | None


class ErrorStats(Out):
    workflow_id: int
    period: AnalyticsPeriod
    total_executions: int
    total_failures: int
    failure_rate: Num | None
    first_failure_at: Time
    last_failure_at: Time
    by_action: list[ActionFailures]
    top_errors: list[ErrorGroup]


class RecentFailure(Out):
    execution_id: int
    at: Time
    error: str | None


class ActionErrors(Out):
    workflow_id: int
    action_id: str
    period: AnalyticsPeriod
    runs: int
    failures: int
    groups: list[ErrorGroup]
    recent: list[RecentFailure]
