"""Template help over REST (#18): a workflow's pinned sample payload, the paths a step can
read, and "Test step" (one step with sample inputs, no run recorded).

`PUT/DELETE /workflows/{id}/sample-payload` pin and clear the sample trigger payload (a JSON
object of at most 64 KiB, 32 levels); `GET` reads it with the last run's payload beside it.
`GET /workflows/{id}/steps/{step_id}/paths` lists what the step's templates can read.
`POST /workflows/{id}/steps/{step_id}/test` runs the step once: a step with side effects
answers 409 `confirmation_required` unless the body says `"confirm": true`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Response
from pydantic import Field, SkipValidation
from starlette.concurrency import run_in_threadpool

from app.api.bodies import CamelBody
from app.api.deps import current_actor
from app.api.errors import error_responses
from app.api.params import WorkflowId
from app.api.schemas import JsonObject, Num, Out
from app.services import step_samples, step_tests
from app.services.actor import Actor

router = APIRouter(prefix="/workflow-orchestration", tags=["workflows"])
CurrentActor = Annotated[Actor, Depends(current_actor)]
StepId = Annotated[
    str, Path(min_length=1, max_length=64, description="The step's id in the workflow")
]
_ID_ERRORS = (401, 403, 404, 422)


class SampleBody(CamelBody):
    """The sample trigger payload to pin."""

    payload: SkipValidation[JsonObject] = Field(
        description="A JSON object (at most 64 KiB, 32 levels): what steps see as `trigger` "
        "when tested, and what the variable picker lists"
    )


class TestBody(CamelBody):
    """Options of a trial run of one step."""

    confirm: SkipValidation[bool] = Field(
        False, description="Run a step with side effects (a POST, an email…) for real"
    )


class SamplePayload(Out):
    workflow_id: int
    sample_payload: JsonObject | None = Field(description="The pinned payload, null if none")
    last_run_payload: JsonObject | None = Field(
        None, description="The latest run's trigger payload (as stored: masked), null if none"
    )


class PathRow(Out):
    path: str = Field(description="What to write inside `{{ }}`")
    label: str
    depth: int
    kind: Literal["object", "list", "text", "number", "bool", "null"]
    preview: str = Field(description="A short, masked glimpse of the sample value")


class StepPaths(Out):
    workflow_id: int
    step_id: str
    source: Literal["pinned", "last_run", "none"]
    execution_id: int | None
    paths: list[PathRow]


class StepTrial(Out):
    workflow_id: int
    step_id: str
    type: str
    status: Literal["succeeded", "failed", "skipped", "would_wait"]
    rendered: Any = Field(description="The config as rendered (masked), null if it failed")
    output: Any
    error: str | None
    duration_ms: Num
    source: Literal["pinned", "last_run", "none"]
    execution_id: int | None = Field(description="The run the sample data came from")
    side_effects: str | None
    confirmed: bool


@router.get(
    "/workflows/{workflow_id}/sample-payload",
    summary="The pinned sample trigger payload (and the last run's)",
    response_model=SamplePayload,
    responses=error_responses(*_ID_ERRORS),
)
async def get_sample_payload(workflow_id: WorkflowId, actor: CurrentActor) -> dict[str, Any]:
    def read() -> dict[str, Any]:
        pinned = step_samples.get_sample_payload(actor, workflow_id)
        last = step_samples.last_run_payload(actor, workflow_id)
        return {"workflow_id": workflow_id, "sample_payload": pinned, "last_run_payload": last}

    return await run_in_threadpool(read)


@router.put(
    "/workflows/{workflow_id}/sample-payload",
    summary="Pin a sample trigger payload",
    response_model=SamplePayload,
    responses=error_responses(400, 401, 403, 404, 413, 415, 422),
)
async def put_sample_payload(
    workflow_id: WorkflowId, body: SampleBody, actor: CurrentActor
) -> dict[str, Any]:
    data = body.as_data()
    return await run_in_threadpool(
        step_samples.set_sample_payload, actor, workflow_id, data.get("payload")
    )


@router.delete(
    "/workflows/{workflow_id}/sample-payload",
    status_code=204,
    summary="Clear the pinned sample payload",
    response_class=Response,
    responses=error_responses(*_ID_ERRORS),
)
async def delete_sample_payload(workflow_id: WorkflowId, actor: CurrentActor) -> Response:
    await run_in_threadpool(step_samples.clear_sample_payload, actor, workflow_id)
    return Response(status_code=204)


@router.get(
    "/workflows/{workflow_id}/steps/{step_id}/paths",
    summary="What a step's templates can read (from the pinned sample or the last run)",
    response_model=StepPaths,
    responses=error_responses(*_ID_ERRORS),
)
async def get_step_paths(
    workflow_id: WorkflowId, step_id: StepId, actor: CurrentActor
) -> dict[str, Any]:
    return await run_in_threadpool(step_samples.variable_paths, actor, workflow_id, step_id)


@router.post(
    "/workflows/{workflow_id}/steps/{step_id}/test",
    summary="Test one step with sample inputs (no run is recorded)",
    description="Renders the step's config with the pinned sample payload (or the last run's) "
    "and the latest stored outputs of the steps it runs after, then runs its action once. A "
    "step with side effects answers 409 `confirmation_required` unless `confirm` is true; "
    "a step that only makes sense in a run (wait, approval, sub-workflow…) answers 409.",
    response_model=StepTrial,
    responses=error_responses(400, 401, 403, 404, 409, 413, 415, 422),
)
async def test_step(
    workflow_id: WorkflowId, step_id: StepId, actor: CurrentActor, body: TestBody | None = None
) -> dict[str, Any]:
    data = body.as_data() if body else {}
    # Async on purpose: the action runs on this loop; the service does its blocking work in
    # threads (database) and in the render thread (templates).
    return await step_tests.try_step(
        actor, workflow_id, step_id, confirmed=bool(data.get("confirm"))
    )
