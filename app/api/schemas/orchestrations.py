"""Orchestrations, their versions and their runs (each call's record)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from app.api.schemas import JsonObject, Num, Out, Time


class DefinitionProblem(Out):
    path: str = Field(description="Where, e.g. `calls[2].url`")
    message: str


class Orchestration(Out):
    id: int
    name: str
    description: str
    mode: str = Field(description="`sequential`, `parallel`, `conditional` or `pipeline`")
    calls: list[Any] = Field(description="The calls as stored (see the create body)")
    retry: JsonObject = Field(description="The default retry policy of every call")
    timeout_s: Num = Field(description="The whole run's time limit, seconds")
    max_parallel: int = Field(description="Calls in flight at once (parallel, conditional)")
    is_active: bool
    call_count: int
    version: int
    runs: int = Field(description="Finished runs")
    successes: int = Field(description="Runs that succeeded, or ended partial")
    failures: int = Field(description="Runs that failed or were cancelled")
    success_rate: Num | None = Field(description="successes / (successes + failures)")
    avg_ms: Num | None = Field(description="Average duration of finished runs")
    p95_ms: Num | None = Field(description="95th percentile of the last 100 finished runs")
    last_run_id: int | None
    last_run_at: Time
    last_status: str | None
    problems: list[DefinitionProblem] = Field(
        description="What a run would refuse in the stored definition (only possible for one "
        "saved before versions were kept); empty when it can run"
    )
    created_by: int | None
    created_at: str
    updated_at: str


class OrchestrationPage(Out):
    items: list[Orchestration]
    total: int
    limit: int
    offset: int


class RunSummary(Out):
    id: int
    orchestration_id: int
    orchestration_name: str
    orchestration_version: int | None
    status: str = Field(description="`running`, `succeeded`, `failed`, `partial`, `cancelled`")
    trigger: str = Field(description="`manual`, `api` or `workflow`")
    started_at: Time
    finished_at: Time
    duration_ms: Num | None
    error: str | None
    calls_total: int
    calls_done: int
    created_by: int | None
    execution_id: int | None = Field(description="The workflow run whose step ran it")


class CallResult(Out):
    """One call: timing (ms from the run's start), attempts, extracted values, and the request
    and response as sent and received (secrets masked, bodies capped to 64 KB)."""

    id: str
    status: str = Field(
        description="`pending`, `running`, `succeeded`, `failed`, `skipped`, `cancelled`"
    )
    reason: str | None = Field(None, description="Why it was skipped")
    method: str | None = None
    url: str | None = None
    status_code: int | None = None
    start_ms: Num | None = None
    duration_ms: Num | None = None
    attempts: list[JsonObject] = Field(default_factory=list)
    extracted: Any = None
    response_bytes: int | None = None
    response: Any = None
    request: Any = None
    error: str | None = None


class RunDetail(RunSummary):
    inputs: JsonObject = Field(description="As given (secret-named keys masked)")
    calls: list[CallResult]


class RunPage(Out):
    items: list[RunSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page")


class OrchestrationVersion(Out):
    id: int
    orchestration_id: int
    version_number: int
    change_type: str = Field(description="`created`, `edited` or `rolled_back`")
    change_description: str | None
    change_summary: list[str]
    changed_by: int | None
    created_at: str
    restored_from: int | None
    reason: str | None
    definition: JsonObject
    diff: Any


class OrchestrationVersionPage(Out):
    orchestration_id: int
    current_version: int
    items: list[OrchestrationVersion]
    total: int
    limit: int
    offset: int


class OrchestrationRolledBack(Out):
    orchestration: Orchestration
    version: OrchestrationVersion
