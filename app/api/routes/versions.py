"""Version history over REST: article versions (revert) and workflow versions (rollback).

Article versions keep the original document's paths: `POST /versions` records a version,
`GET /versions/{articleId}` lists them, `POST /versions/{articleId}/revert` restores one, plus
`compare` and a single version by number or commit hash. Workflow versions live under the
workflow (`/workflows/{id}/versions…`, `/workflows/{id}/rollback`), and `/changes` sums up
who changed which workflows over a period.

`POST /versions` takes the original `createContentVersion` body — `articleId`, `changeType`
(`edited` by default, or `published`), `changeDescription`, `metadata` — and records a version
of the article as it is now (a checkpoint, even when nothing changed). Content given as
`snapshot` or `content` (`title`, `body`, `slug`, `tags`, `metaDescription`, `status`) is applied
first, in the same version. `changedBy` is ignored: the author is always the caller.
`articleId` is the article's id, or its slug (the original writes `'article-123'`).

`POST /workflows/{id}/versions` takes the original's `{workflow_data, change_description}`:
the definition (whole or in part) becomes the workflow's new current version.
`created` and `reverted` versions only come from creating and reverting.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import ConfigDict, Field, SkipValidation
from starlette.concurrency import run_in_threadpool
from starlette.convertors import StringConvertor, register_url_convertor

from app.api.bodies import CamelBody
from app.api.deps import current_actor
from app.api.errors import error_responses
from app.api.params import (
    MAX_ID,
    ArticleId,
    BodyId,
    IsoTime,
    Offset,
    VersionNumber,
    WorkflowId,
    limit_query,
)
from app.api.schemas.content import ArticleComparison, ArticleHistory, ContentVersion, Reverted
from app.api.schemas.workflows import (
    ChangeReport,
    RolledBack,
    WorkflowComparison,
    WorkflowVersion,
    WorkflowVersionPage,
)
from app.core.errors import Conflict, Problem, ValidationFailed
from app.core.ids import is_id
from app.services import articles, content_versions, workflow_history, workflows
from app.services.actor import Actor
from app.services.article_refs import SLUG_PATTERN, article_id_of

router = APIRouter(prefix="/workflow-orchestration", tags=["versions"])

CurrentActor = Annotated[Actor, Depends(current_actor)]
# A version number (up to 6 digits: 7 digits already read as a hash prefix) or a commit hash.
_REF_PATTERN = "^([0-9]{1,6}|[0-9A-Fa-f]{7,64})$"
VersionRef = Annotated[
    str,
    Query(
        pattern=_REF_PATTERN,
        max_length=64,
        description="A version number or a commit hash (7+ hex digits)",
    ),
]
VersionRefText = Annotated[str, Field(pattern=_REF_PATTERN, max_length=64)]
ArticleSlug = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=280)]
_CONTENT_KEYS = {"title", "body", "slug", "tags", "meta_description", "status"}
_CAMEL = {"metaDescription": "meta_description"}


class VersionBody(CamelBody):
    model_config = ConfigDict(json_schema_extra={"required": ["articleId"]})

    article_id: SkipValidation[BodyId | ArticleSlug] = Field(
        None, description="The article's id, or its slug (`article-123`)"
    )
    change_type: SkipValidation[Literal["edited", "published"] | None] = "edited"
    change_description: SkipValidation[str | None] = ""
    metadata: SkipValidation[dict[str, Any] | None] = None
    snapshot: SkipValidation[dict[str, Any] | None] = None
    content: SkipValidation[dict[str, Any] | None] = None


class RevertBody(CamelBody):
    model_config = ConfigDict(json_schema_extra={"required": ["versionNumber"]})

    version_number: SkipValidation[BodyId | VersionRefText] = Field(
        None, description="A version number, or a commit hash (7+ hex digits) or a number as text"
    )
    change_description: SkipValidation[str | None] = None


class RollbackBody(CamelBody):
    model_config = ConfigDict(json_schema_extra={"required": ["versionNumber", "reason"]})

    version_number: SkipValidation[BodyId] = None
    reason: SkipValidation[str] = Field(
        None, min_length=1, max_length=2000, pattern=r"\S", description="Why roll back"
    )


def _required(value: Any, path: str) -> Any:
    if value is None or value == "":
        raise ValidationFailed([Problem(path, "required")])
    return value


def _content(body: VersionBody) -> dict[str, Any]:
    for path, part in (("snapshot", body.snapshot), ("content", body.content)):
        if part is not None and not isinstance(part, dict):
            raise ValidationFailed([Problem(path, "must be an object")])
    given = {**(body.snapshot or {}), **(body.content or {})}
    named = {_CAMEL.get(k, k): v for k, v in given.items()}
    return {k: v for k, v in named.items() if k in _CONTENT_KEYS}


@router.post(
    "/versions",
    status_code=201,
    summary="Record a version of an article",
    response_model=ContentVersion,
    responses=error_responses(400, 401, 403, 413, 415, 422, 404, 409),
)
async def create_version(body: VersionBody, actor: CurrentActor) -> dict[str, Any]:
    given = _required(body.as_data().get("article_id"), "articleId")
    article_id = await run_in_threadpool(article_id_of, given, "articleId")
    if body.metadata is not None and not isinstance(body.metadata, dict):
        raise ValidationFailed([Problem("metadata", "must be an object")])
    metadata = body.metadata or {}
    return await run_in_threadpool(
        lambda: articles.record_version(
            actor,
            article_id,
            change_type=str(body.change_type or "edited"),
            description=str(body.change_description or ""),
            meta=metadata,
            changes=_content(body),
        )
    )


@router.get(
    "/versions/{article_id}",
    summary="An article's versions, newest first",
    response_model=ArticleHistory,
    responses=error_responses(401, 403, 404, 422),
)
async def article_history(article_id: ArticleId, actor: CurrentActor) -> dict[str, Any]:
    return await run_in_threadpool(content_versions.history, actor, article_id)


@router.get(
    "/versions/{article_id}/compare",
    summary="Compare two versions of an article",
    response_model=ArticleComparison,
    responses=error_responses(401, 403, 404, 422),
)
async def compare_article_versions(
    article_id: ArticleId, actor: CurrentActor, a: VersionRef, b: VersionRef
) -> dict[str, Any]:
    return await run_in_threadpool(content_versions.compare, actor, article_id, a, b)


class _VersionRef(StringConvertor):
    """A version number or a commit hash: hex digits, so `revert` and `compare` never match."""

    regex = "[0-9A-Fa-f]+"


register_url_convertor("version_ref", _VersionRef())


@router.get(
    "/versions/{article_id}/{version:version_ref}",
    summary="One version of an article",
    response_model=ContentVersion,
    responses=error_responses(401, 403, 404, 422),
)
async def article_version(
    article_id: ArticleId,
    actor: CurrentActor,
    version: Annotated[
        str, Path(pattern="^[0-9A-Fa-f]+$", max_length=64, description="Number or commit hash")
    ],
) -> dict[str, Any]:
    return await run_in_threadpool(content_versions.get_version, actor, article_id, version)


@router.post(
    "/versions/{article_id}/revert",
    summary="Revert an article to a version",
    description=(
        "Restores the content of a version (title, slug, body, meta description, tags) as a "
        "new `reverted` version. The status is not restored: it stays what it is (a revert "
        "does not publish, unpublish or archive; change it with `status` in PUT "
        "/articles/{id}). The answer says so in `status_kept` and `note`."
    ),
    response_model=Reverted,
    responses=error_responses(400, 401, 403, 413, 415, 422, 404, 409),
)
async def revert_article(
    article_id: ArticleId, body: RevertBody, actor: CurrentActor
) -> dict[str, Any]:
    data = body.as_data()
    ref = _required(data.get("version_number"), "version_number")
    description = str(data.get("change_description") or "")
    version = await run_in_threadpool(content_versions.revert, actor, article_id, ref, description)
    article = await run_in_threadpool(articles.get_article, actor, article_id)
    return {
        "article": article,
        "version": version,
        "restored_fields": list(content_versions.RESTORED_FIELDS),
        "status_kept": article["status"],
        "note": version.pop("note"),
    }


@router.get(
    "/workflows/{workflow_id}/versions",
    summary="A workflow's versions, newest first",
    response_model=WorkflowVersionPage,
    responses=error_responses(401, 403, 404, 422),
)
async def workflow_versions(
    workflow_id: WorkflowId,
    actor: CurrentActor,
    limit: Annotated[int, limit_query(500)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: workflow_history.list_versions(actor, workflow_id, limit=limit, offset=offset)
    )


def _version_param(name: str, description: str) -> dict[str, Any]:
    schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    return {"name": name, "in": "query", "required": True, "schema": schema,
            "description": description}  # fmt: skip


@router.get(
    "/workflows/{workflow_id}/versions/compare",
    summary="Compare two versions of a workflow",
    description="`version_a` and `version_b` are accepted as other names of `a` and `b`.",
    response_model=WorkflowComparison,
    responses=error_responses(401, 403, 404, 422),
    # Published by hand: `a` and `b` are required, but may come as `version_a` / `version_b`.
    openapi_extra={
        "parameters": [
            _version_param("a", "The older version"),
            _version_param("b", "The newer version"),
        ]
    },
)
async def compare_workflow_versions(
    workflow_id: WorkflowId,
    actor: CurrentActor,
    a: Annotated[int | None, Query(ge=1, le=MAX_ID, include_in_schema=False)] = None,
    b: Annotated[int | None, Query(ge=1, le=MAX_ID, include_in_schema=False)] = None,
    version_a: Annotated[int | None, Query(ge=1, le=MAX_ID, include_in_schema=False)] = None,
    version_b: Annotated[int | None, Query(ge=1, le=MAX_ID, include_in_schema=False)] = None,
) -> dict[str, Any]:
    first = _required(a or version_a, "a")
    second = _required(b or version_b, "b")
    return await run_in_threadpool(workflow_history.compare, actor, workflow_id, first, second)


@router.get(
    "/workflows/{workflow_id}/versions/{number}",
    summary="One version of a workflow",
    response_model=WorkflowVersion,
    responses=error_responses(401, 403, 404, 422),
)
async def workflow_version(
    workflow_id: WorkflowId, number: VersionNumber, actor: CurrentActor
) -> dict[str, Any]:
    return await run_in_threadpool(workflow_history.get_version, actor, workflow_id, number)


class NewVersionBody(CamelBody):
    model_config = ConfigDict(json_schema_extra={"required": ["workflowData"]})

    workflow_data: SkipValidation[dict[str, Any]] = Field(
        None, description="The definition (as on PUT /workflows/{id}); omitted keys are kept"
    )
    change_description: SkipValidation[str | None] = Field(None, max_length=2000)


@router.post(
    "/workflows/{workflow_id}/versions",
    status_code=201,
    summary="Save a new version of a workflow",
    description="The original's `{workflow_data, change_description}`: the definition becomes "
    "current as a new version with that description. 409 when it matches the current one.",
    response_model=WorkflowVersion,
    responses=error_responses(400, 401, 403, 413, 415, 422, 404, 409),
)
async def create_workflow_version(
    workflow_id: WorkflowId, body: NewVersionBody, actor: CurrentActor
) -> dict[str, Any]:
    data = _required(body.workflow_data, "workflow_data")
    if not isinstance(data, dict):
        raise ValidationFailed([Problem("workflow_data", "must be an object")])
    described = {**data, "change_description": str(body.change_description or "")}
    before = (await run_in_threadpool(workflows.get_workflow, actor, workflow_id))["version"]
    saved = await run_in_threadpool(workflows.update_workflow, actor, workflow_id, described)
    number = saved.workflow["version"]
    if number == before:
        raise Conflict(f"workflow {workflow_id} already matches workflow_data (version {number})")
    return await run_in_threadpool(workflow_history.get_version, actor, workflow_id, number)


@router.post(
    "/workflows/{workflow_id}/rollback",
    summary="Roll a workflow back to a version (reason required)",
    description="Makes the version's definition current again as a new version that records "
    "which version it restored and why. 422 without a reason, 404 for an unknown version, "
    "409 when the workflow already matches it.",
    response_model=RolledBack,
    responses=error_responses(400, 401, 403, 413, 415, 422, 404, 409),
)
async def rollback_workflow(
    workflow_id: WorkflowId, body: RollbackBody, actor: CurrentActor
) -> dict[str, Any]:
    number = _required(body.as_data().get("version_number"), "version_number")
    if not is_id(number):
        raise ValidationFailed([Problem("version_number", "must be a version number")])
    reason = str(body.reason or "")
    return await run_in_threadpool(workflow_history.rollback, actor, workflow_id, number, reason)


def _aware(value: datetime | None) -> datetime | None:
    """Query times without a zone are read as UTC."""
    return value.replace(tzinfo=UTC) if value and value.tzinfo is None else value


@router.get(
    "/changes",
    summary="Workflow changes over a period: how many, by whom, where",
    response_model=ChangeReport,
    responses=error_responses(401, 403, 422),
)
async def change_summary(
    actor: CurrentActor,
    since: Annotated[IsoTime | None, Query(description="ISO time, inclusive")] = None,
    until: Annotated[IsoTime | None, Query(description="ISO time, exclusive")] = None,
    days: Annotated[int | None, Query(ge=1, le=3650, description="Instead of since")] = None,
) -> dict[str, Any]:
    start = _aware(since)
    if start is None and days:
        start = datetime.now(UTC) - timedelta(days=days)
    end = _aware(until)
    return await run_in_threadpool(workflow_history.change_summary_report, actor, start, end)
