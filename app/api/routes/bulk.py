"""Bulk operations over REST: many workflows or executions in one request.

`POST …/workflows/bulk` takes `{"action", "ids"}` or `{"action", "filter"}` (the list's
filters: every workflow they match, at most 500); `POST /api/workflows/bulk/execute` is the
original design's bulk run; `POST …/executions/bulk` cancels or retries. The answer is 200
with one result per item, done or failed with the reason; a bad request (unknown action, no
or too many ids, an id that is not a whole number) is a 422 naming the key.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from app.api.deps import current_actor
from app.api.errors import error_responses
from app.api.params import BodyId
from app.api.routes.same_as import ORIGINAL_TAG
from app.api.schemas import JsonObject, Out
from app.services import bulk
from app.services.actor import Actor
from app.services.workflows import WorkflowFilter

router = APIRouter(tags=["bulk"])
CurrentActor = Annotated[Actor, Depends(current_actor)]
_ERRORS = error_responses(400, 401, 403, 409, 413, 415, 422)


def _whole(value: Any) -> Any:
    """186.0 is an integer to JSON Schema: take it as 186 (a string or 1.5 stays refused)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Id = Annotated[BodyId, BeforeValidator(_whole)]
Ids = Annotated[list[Id], Field(min_length=1, max_length=bulk.MAX_ITEMS)]


class _Strict(BaseModel):
    """JSON types as published (no "5" for 5), and no key the schema does not list."""

    model_config = ConfigDict(strict=True, extra="forbid")


def _one_of(*keys: str) -> dict[str, Any]:
    """Exactly one of `keys` (for OpenAPI)."""
    others = {k: [o for o in keys if o != k] for k in keys}
    return {
        "oneOf": [
            {"required": [k], "not": {"anyOf": [{"required": [o]} for o in others[k]]}}
            for k in keys
        ]
    }


def _exactly_one(model: BaseModel, *keys: str) -> None:
    given = [k for k in keys if k in model.model_fields_set]
    if len(given) != 1:
        raise ValueError(f"give exactly one of {', '.join(keys)}")


class BulkFilter(_Strict):
    """The filters of `GET …/workflows`: every workflow they match (all when empty)."""

    search: str = Field("", max_length=200, description="Part of the name")
    workflow_type: str | None = None
    trigger_type: str | None = None
    is_active: bool | None = None


class WorkflowBulkBody(_Strict):
    model_config = ConfigDict(
        json_schema_extra={
            **_one_of("ids", "filter"),
            "examples": [{"action": "pause", "ids": [1, 2, 3]}],
        }
    )

    action: Literal["activate", "pause", "run", "export", "delete"]
    ids: Ids = Field(None, description="The workflows, at most 500")  # type: ignore[assignment]
    filter: BulkFilter = Field(  # type: ignore[assignment]
        None, description="Instead of ids: every workflow the list's filters match (at most 500)"
    )
    trigger_data: JsonObject = Field(  # type: ignore[assignment]
        None, description="`run`: the trigger data of every run"
    )

    @model_validator(mode="after")
    def _ids_or_filter(self) -> WorkflowBulkBody:
        _exactly_one(self, "ids", "filter")
        return self


class BulkExecuteBody(_Strict):
    """The original design's bulk run: `workflow_ids` (or `ids`) and optional trigger data."""

    model_config = ConfigDict(
        json_schema_extra={
            **_one_of("workflow_ids", "ids"),
            "examples": [{"workflow_ids": [1, 2], "trigger_data": {"source": "bulk"}}],
        }
    )

    workflow_ids: Ids = Field(None, description="The workflows to run")  # type: ignore[assignment]
    ids: Ids = Field(None, description="Another name of `workflow_ids`")  # type: ignore[assignment]
    trigger_data: JsonObject = Field(  # type: ignore[assignment]
        None, description="Available to every run's templates as `trigger`"
    )

    @model_validator(mode="after")
    def _some_ids(self) -> BulkExecuteBody:
        _exactly_one(self, "workflow_ids", "ids")
        return self


class ExecutionBulkBody(_Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"action": "cancel", "ids": [4]}]})

    action: Literal["cancel", "retry"]
    ids: Ids = Field(description="The executions, at most 500")


class BulkItem(Out):
    id: int
    ok: bool
    name: str | None = Field(None, description="The workflow's name (of an execution: its own)")
    code: str | None = Field(None, description="Why it failed: not_found, forbidden, conflict…")
    error: str | None = Field(None, description="Why it failed, for people")
    execution_id: int | None = Field(
        None, description="`run`: the new execution; `retry`: the retry"
    )
    created: bool | None = Field(
        None, description="`retry`: false when a retry was already under way"
    )


class BulkAnswer(Out):
    action: str
    done: int
    failed: int
    results: list[BulkItem]
    export: JsonObject | None = Field(
        None,
        description="`export`: `{flowdeck_export_bundle: 1, workflows: [export, …]}`",
    )


def _filter(given: BulkFilter) -> WorkflowFilter:
    return WorkflowFilter(
        search=given.search.strip(),
        workflow_type=given.workflow_type or None,
        trigger_type=given.trigger_type or None,
        is_active=given.is_active,
    )


@router.post(
    "/workflow-orchestration/workflows/bulk",
    summary="Activate, pause, run, export or delete many workflows",
    description="Each workflow goes through the single action (same role check, validation "
    "and audit) and gets its own result; one failing does not stop the others. 409 when a "
    "filter matches more than 500 workflows.",
    response_model=BulkAnswer,
    response_model_exclude_none=True,
    responses=_ERRORS,
)
async def bulk_workflows(body: WorkflowBulkBody, actor: CurrentActor) -> dict[str, Any]:
    given = body.model_fields_set
    answer = await bulk.bulk_workflows(
        actor,
        body.action,
        ids=body.ids if "ids" in given else None,
        flt=_filter(body.filter) if "filter" in given else None,
        trigger_data=body.trigger_data,
    )
    return answer.as_dict()


@router.post(
    "/workflows/bulk/execute",
    summary="Run many workflows (the original design's path)",
    tags=[ORIGINAL_TAG],
    description="One execution per workflow; each result has its `execution_id` or the reason "
    "it did not start (not found, paused…).",
    response_model=BulkAnswer,
    response_model_exclude_none=True,
    responses=_ERRORS,
)
async def bulk_execute(body: BulkExecuteBody, actor: CurrentActor) -> dict[str, Any]:
    ids = body.workflow_ids if "workflow_ids" in body.model_fields_set else body.ids
    answer = await bulk.bulk_workflows(actor, "run", ids=ids, trigger_data=body.trigger_data)
    return answer.as_dict()


@router.post(
    "/workflow-orchestration/executions/bulk",
    summary="Cancel or retry many executions",
    description="`retry` runs a failed, interrupted or cancelled execution again with the same "
    "trigger data (the steps that had succeeded are reused); each result says which retry.",
    response_model=BulkAnswer,
    response_model_exclude_none=True,
    responses=_ERRORS,
)
async def bulk_executions(body: ExecutionBulkBody, actor: CurrentActor) -> dict[str, Any]:
    answer = await bulk.bulk_executions(actor, body.action, body.ids)
    return answer.as_dict()
