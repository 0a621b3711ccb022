"""Retention over REST (admins only): the global settings, what the next prune removes, a prune
now, and the database's size.

Per-workflow values (`keep_days`, `keep_last`, `keep_data_days`) are fields of the workflow
itself (`PUT /api/workflow-orchestration/workflows/{id}`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field, SkipValidation
from starlette.concurrency import run_in_threadpool

from app.api.bodies import CamelBody
from app.api.deps import current_actor
from app.api.errors import error_responses
from app.api.schemas import Num, Out, Time
from app.core.retention import FIELDS, MAX_DAYS, MAX_KEEP_LAST
from app.services import retention, retention_prune
from app.services.actor import Actor

router = APIRouter(prefix="/retention", tags=["retention"])

CurrentActor = Annotated[Actor, Depends(current_actor)]
#: A prune asked for over HTTP stops after this long; the rest goes in the next one.
API_PRUNE_SECONDS = 20.0


class PolicyBody(CamelBody):
    """The whole global policy; a value left out or null keeps forever."""

    keep_days: SkipValidation[int | None] = Field(
        None, ge=1, le=MAX_DAYS, description="Days to keep finished executions"
    )
    keep_last: SkipValidation[int | None] = Field(
        None, ge=1, le=MAX_KEEP_LAST, description="Newest executions kept per workflow, any age"
    )
    keep_data_days: SkipValidation[int | None] = Field(
        None, ge=1, le=MAX_DAYS, description="Days to keep step inputs/outputs (≤ keep_days)"
    )


class Override(Out):
    workflow_id: int
    name: str
    keep_days: int | None
    keep_last: int | None
    keep_data_days: int | None


class Settings(Out):
    keep_days: int | None
    keep_last: int | None
    keep_data_days: int | None
    updated_at: Time = None
    updated_by: int | None = None
    overrides: list[Override]


class PreviewRow(Out):
    workflow_id: int
    name: str
    executions: int = Field(description="Executions the prune deletes")
    data: int = Field(description="Executions whose step inputs/outputs it empties")
    rows_before: Time
    keep_last: int | None
    data_before: Time


class Preview(Out):
    at: str
    executions: int
    data: int
    by_workflow: list[PreviewRow]


class PrunedRow(Out):
    workflow_id: int
    name: str
    executions_deleted: int
    data_pruned: int


class Pruned(Out):
    executions_deleted: int
    data_pruned: int
    by_workflow: list[PrunedRow]
    batches: int
    holds: int = Field(description="Transactions that held the write lock (batches, vacuum steps)")
    longest_batch_ms: Num = Field(description="The longest hold of the write lock")
    batch_ms_p50: Num
    batch_ms_p95: Num
    batches_over_50ms: int
    duration_ms: Num
    finished: bool = Field(description="False: stopped after the time limit; prune again")
    space: dict[str, Any]


class TableRows(Out):
    table: str
    rows: int


class DatabaseInfo(Out):
    dialect: str
    checked_at: str
    size_bytes: int
    page_size: int | None
    pages: int | None
    free_pages: int | None
    free_bytes: int | None
    auto_vacuum: str | None
    compaction_needed: bool = Field(description="SQLite: run `flowdeck db-compact` once")
    tables: list[TableRows]


@router.get(
    "",
    summary="The global retention settings and the workflows that override them",
    response_model=Settings,
    responses=error_responses(401, 403),
)
async def get_settings(who: CurrentActor) -> dict[str, Any]:
    return await run_in_threadpool(retention.read_settings, who)


@router.put(
    "",
    summary="Replace the global retention settings (audited)",
    response_model=Settings,
    responses=error_responses(400, 401, 403, 413, 415, 422),
)
async def put_settings(who: CurrentActor, body: PolicyBody) -> dict[str, Any]:
    data = {k: v for k, v in body.as_data().items() if k in FIELDS}
    return await run_in_threadpool(retention.update_settings, who, data)


@router.get(
    "/preview",
    summary="What the next prune removes, per workflow",
    response_model=Preview,
    responses=error_responses(401, 403),
)
async def get_preview(who: CurrentActor) -> dict[str, Any]:
    return await run_in_threadpool(lambda: retention_prune.preview(who))


@router.post(
    "/prune",
    summary="Prune now, in small batches (audited); stops after 20 s, the rest goes next time",
    response_model=Pruned,
    responses=error_responses(401, 403, 409),
)
async def prune_now(who: CurrentActor) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: retention_prune.prune(who, max_seconds=API_PRUNE_SECONDS, reason="manual")
    )


@router.get(
    "/database",
    summary="Database size, rows per table, free pages, whether compaction is needed",
    response_model=DatabaseInfo,
    responses=error_responses(401, 403),
)
async def get_database(who: CurrentActor) -> dict[str, Any]:
    return await run_in_threadpool(retention.database_info, who)
