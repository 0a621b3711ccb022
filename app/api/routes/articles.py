"""Articles over REST: create, list, read, change (partial), delete, publish.

Paths are those of the integrations issue (`/api/workflow-orchestration/articles…`). Bodies
accept snake_case and camelCase (`metaDescription`, `changeDescription`); the service checks
every value and reports every problem at once. Each change writes a content version; its
history lives under `/versions/{articleId}`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import ConfigDict, Field, SkipValidation
from starlette.concurrency import run_in_threadpool

from app.api.bodies import CamelBody
from app.api.deps import current_actor
from app.api.errors import error_responses
from app.api.params import NO_NUL, TITLE_PATTERN, ArticleId, Offset, limit_query
from app.api.schemas.content import Article, ArticlePage
from app.core.articles import STATUS_PATTERN
from app.services import articles
from app.services.actor import Actor

router = APIRouter(prefix="/workflow-orchestration", tags=["articles"])

CurrentActor = Annotated[Actor, Depends(current_actor)]


_EXAMPLE = {
    "title": "Ten lessons from a year of automation",
    "body": "# Lessons\n\nFirst, automate the boring parts.",
    "status": "draft",
    "tags": ["automation"],
    "metaDescription": "What a year of running workflows taught us",
}


#: Ours or the original document's names (`READY_TO_PUBLISH` is `ready`), in any case.
Status = Annotated[
    str,
    Field(
        pattern=STATUS_PATTERN,
        description="draft, ready, published or archived; the original's DRAFT, "
        "READY_TO_PUBLISH, PUBLISHED and ARCHIVED (any case) mean the same",
    ),
]


class ArticleBody(CamelBody):
    """An article; on PUT every key is optional and omitted keys keep their value."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    title: SkipValidation[str | None] = Field(None, max_length=300, pattern=TITLE_PATTERN)
    body: SkipValidation[str | None] = Field(None, description="Markdown", pattern=NO_NUL)
    status: SkipValidation[Status | None] = None
    slug: SkipValidation[str | None] = Field(
        None,
        max_length=280,
        pattern="^[a-z0-9]+(-[a-z0-9]+)*$",
        description="Made from the title if left out",
    )
    tags: SkipValidation[list[str] | None] = None
    meta_description: SkipValidation[str | None] = Field(None, max_length=1000, pattern=NO_NUL)
    change_description: SkipValidation[str | None] = Field(
        None, description="Recorded with the new version", pattern=NO_NUL
    )

    def changes(self) -> tuple[dict[str, Any], str]:
        """(field changes, version description); keys sent as null and unknown keys (such as
        `createdBy` in the original examples) are dropped."""
        data = {k: v for k, v in self.as_data().items() if v is not None and k in _FIELDS}
        return data, str(data.pop("change_description", "") or "")


_FIELDS = set(ArticleBody.model_fields)


class ArticleCreate(ArticleBody):
    """A new article: `title` is required."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE], "required": ["title"]})

    # A default so that a missing title reaches the service, which names every problem at once.
    title: SkipValidation[str] = Field(None, max_length=300, pattern=TITLE_PATTERN)


class PublishBody(CamelBody):
    change_description: SkipValidation[str | None] = None


@router.post(
    "/articles",
    status_code=201,
    summary="Create an article",
    response_model=Article,
    responses=error_responses(400, 401, 403, 413, 415, 422, 409),
)
async def create_article(body: ArticleCreate, actor: CurrentActor) -> dict[str, Any]:
    data, description = body.changes()
    data.setdefault("title", "")
    return await run_in_threadpool(
        lambda: articles.create_article(actor, description=description, **data)
    )


@router.get(
    "/articles",
    summary="List articles (without bodies)",
    response_model=ArticlePage,
    responses=error_responses(401, 403, 422),
)
async def list_articles(
    actor: CurrentActor,
    status: Annotated[Status | None, Query()] = None,
    search: Annotated[str, Query(description="Part of the title")] = "",
    limit: Annotated[int, limit_query(500)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    items, total = await run_in_threadpool(
        lambda: articles.list_articles(
            actor, status=status, search=search, limit=limit, offset=offset
        )
    )
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get(
    "/articles/{article_id}",
    summary="One article",
    response_model=Article,
    responses=error_responses(401, 403, 404, 422),
)
async def get_article(article_id: ArticleId, actor: CurrentActor) -> dict[str, Any]:
    return await run_in_threadpool(articles.get_article, actor, article_id)


@router.put(
    "/articles/{article_id}",
    summary="Change an article (omitted keys are kept)",
    response_model=Article,
    responses=error_responses(400, 401, 403, 413, 415, 422, 404, 409),
)
async def update_article(
    article_id: ArticleId, body: ArticleBody, actor: CurrentActor
) -> dict[str, Any]:
    data, description = body.changes()
    return await run_in_threadpool(
        lambda: articles.update_article(actor, article_id, description=description, **data)
    )


@router.delete(
    "/articles/{article_id}",
    status_code=204,
    summary="Delete an article",
    response_class=Response,
    responses=error_responses(401, 403, 404, 409, 422),
)
async def delete_article(article_id: ArticleId, actor: CurrentActor) -> Response:
    await run_in_threadpool(articles.delete_article, actor, article_id)
    return Response(status_code=204)


@router.post(
    "/articles/{article_id}/publish",
    summary="Publish a ready article",
    description="Sets status and time and records a `published` version. Only a `ready` "
    "article can be published (409 otherwise); publishing a published one changes nothing.",
    response_model=Article,
    responses=error_responses(400, 401, 403, 413, 415, 422, 404, 409),
)
async def publish_article(
    article_id: ArticleId, actor: CurrentActor, body: PublishBody | None = None
) -> dict[str, Any]:
    data = body.as_data() if body else {}
    description = str(data.get("change_description") or "")
    return await run_in_threadpool(
        lambda: articles.publish_article(actor, article_id, description=description)
    )
