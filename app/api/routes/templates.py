"""Workflow templates over REST: the gallery's list, one template, save, export, import, and
creating a workflow from a template; also the original documents' paths (002's
`/workflows/templates…` and `/workflows/from-template`, 003's `/automation/templates…`).

Unknown templates are 404s; missing or wrong variables, and every problem of a saved or
imported document, are 422s listing each problem with its path (`variables.<name>`,
`workflow.actions[0].config.url`, …).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Query
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.convertors import StringConvertor, register_url_convertor

from app.api.deps import current_actor
from app.api.errors import error_responses
from app.api.routes.same_as import ORIGINAL_TAG
from app.api.schemas.templates import (
    TEMPLATE_ID_PATTERN,
    FromTemplate,
    SavedTemplate,
    TemplateDetail,
    TemplateDocument,
    TemplateList,
    UseTemplate,
)
from app.api.schemas.workflows import SavedWorkflow
from app.core.workflow_templates import CATEGORIES
from app.services import templates
from app.services.actor import Actor
from app.services.workflows import Saved


class _TemplateRef(StringConvertor):
    """A template id or a saved template's number; never `import`, so `/templates/import`
    is only the import (the service never gives a template that id)."""

    regex = r"(?!import(?:/|$))(?:[a-z][a-z0-9_]{2,63}|[1-9][0-9]{0,17})"


register_url_convertor("template_ref", _TemplateRef())
router = APIRouter(tags=["templates"])
CurrentActor = Annotated[Actor, Depends(current_actor)]
BASE = "/workflow-orchestration"
TemplateIdPath = Annotated[
    str,
    Path(
        pattern=TEMPLATE_ID_PATTERN,
        max_length=64,
        description="A template's id (`weekly_report`) or a saved template's number",
    ),
]
Category = Annotated[Literal[CATEGORIES] | None, Query(description="Only this category")]  # type: ignore[valid-type]
Search = Annotated[str, Query(max_length=200, description="Words in the name or description")]
OriginQuery = Annotated[
    Literal["builtin", "saved"] | None, Query(description="Only built-in or only saved ones")
]
_READ_ERRORS = error_responses(401, 403, 404, 422)
_BODY_ERRORS = error_responses(400, 401, 403, 404, 409, 413, 415, 422)
_SAVE_EXAMPLE = {
    "workflow_id": 1,
    "name": "Weekly report",
    "description": "Mails the week's numbers.",
    "category": "operations",
    "icon": "mail",
}
_USE_EXAMPLE = {
    "template_id": "weekly_report",
    "variables": {"recipients": ["team@example.com"]},
    "name": "Our weekly report",
}


async def _list(actor: Actor, **filters: Any) -> dict[str, Any]:
    items = await run_in_threadpool(lambda: templates.list_templates(actor, **filters))
    return {"items": items, "total": len(items), "categories": list(CATEGORIES)}


def _saved(saved: Saved) -> dict[str, Any]:
    """As `POST /workflows` answers: the workflow, its warnings, a generated webhook secret."""
    answer = {**saved.workflow, "warnings": saved.warnings}
    if saved.webhook_secret is not None:
        answer["webhook_secret"] = saved.webhook_secret
    return answer


async def _use(actor: Actor, template_id: str | int, body: UseTemplate) -> dict[str, Any]:
    saved = await run_in_threadpool(
        templates.create_from_template, actor, template_id, body.values(), body.name
    )
    return _saved(saved)


def _filename(template_id: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", template_id)[:64] + ".template.json"


@router.get(
    f"{BASE}/templates",
    summary="List workflow templates (built-in and saved)",
    response_model=TemplateList,
    responses=_READ_ERRORS,
)
async def list_templates(
    actor: CurrentActor, category: Category = None, search: Search = "", origin: OriginQuery = None
) -> dict[str, Any]:
    return await _list(actor, category=category, search=search, origin=origin)


@router.post(
    f"{BASE}/templates",
    status_code=201,
    summary="Save a template (a document, or a workflow: 'Save as template')",
    description="A whole template document, or `{workflow_id, name, description, category, "
    "icon, variables?}`. An id a saved template has makes its next version.",
    response_model=SavedTemplate,
    responses=_BODY_ERRORS,
)
async def save_template(
    actor: CurrentActor, body: Annotated[dict[str, Any], Body(examples=[_SAVE_EXAMPLE])]
) -> dict[str, Any]:
    return await run_in_threadpool(templates.save_template, actor, body)


@router.post(
    f"{BASE}/templates/import",
    status_code=201,
    summary="Import a template file",
    description="Every problem listed with its path; nothing stored if there is one.",
    response_model=SavedTemplate,
    responses=_BODY_ERRORS,
)
async def import_template(
    actor: CurrentActor,
    document: Annotated[dict[str, Any], Body(description="A template document")],
) -> dict[str, Any]:
    return await run_in_threadpool(templates.import_template, actor, document)


@router.get(
    f"{BASE}/templates/{{template_id:template_ref}}",
    summary="One template with its workflow",
    response_model=TemplateDetail,
    responses=_READ_ERRORS,
)
async def get_template(template_id: TemplateIdPath, actor: CurrentActor) -> dict[str, Any]:
    return await run_in_threadpool(templates.get_template, actor, template_id)


@router.get(
    f"{BASE}/templates/{{template_id:template_ref}}/export",
    summary="Export a template as a file (connections by name, no secret)",
    response_model=TemplateDocument,
    responses=_READ_ERRORS,
)
async def export_template(template_id: TemplateIdPath, actor: CurrentActor) -> JSONResponse:
    document = await run_in_threadpool(templates.export_template, actor, template_id)
    disposition = f'attachment; filename="{_filename(document["id"])}"'
    return JSONResponse(document, headers={"Content-Disposition": disposition})


@router.post(
    f"{BASE}/workflows/from-template",
    status_code=201,
    summary="Create a workflow from a template",
    response_model=SavedWorkflow,
    response_model_exclude_unset=True,
    responses=_BODY_ERRORS,
)
async def from_template(
    actor: CurrentActor, body: Annotated[FromTemplate, Body(examples=[_USE_EXAMPLE])]
) -> dict[str, Any]:
    return await _use(actor, body.template_id, body)


# The original documents' paths.
@router.get(
    "/workflows/templates",
    summary="List templates (002)",
    tags=[ORIGINAL_TAG],
    response_model=TemplateList,
    responses=_READ_ERRORS,
)
async def list_templates_002(
    actor: CurrentActor, category: Category = None, search: Search = ""
) -> dict[str, Any]:
    return await _list(actor, category=category, search=search)


@router.get(
    "/workflows/templates/built-in",
    summary="List the built-in templates (002)",
    tags=[ORIGINAL_TAG],
    response_model=TemplateList,
    responses=_READ_ERRORS,
)
async def list_builtin_002(actor: CurrentActor, category: Category = None) -> dict[str, Any]:
    return await _list(actor, category=category, origin="builtin")


@router.post(
    "/workflows/from-template",
    status_code=201,
    summary="Create a workflow from a template (002)",
    tags=[ORIGINAL_TAG],
    response_model=SavedWorkflow,
    response_model_exclude_unset=True,
    responses=_BODY_ERRORS,
)
async def from_template_002(
    actor: CurrentActor, body: Annotated[FromTemplate, Body(examples=[_USE_EXAMPLE])]
) -> dict[str, Any]:
    return await _use(actor, body.template_id, body)


@router.get(
    "/automation/templates",
    summary="List templates (003)",
    response_model=TemplateList,
    responses=_READ_ERRORS,
)
async def list_templates_003(actor: CurrentActor, category: Category = None) -> dict[str, Any]:
    return await _list(actor, category=category)


@router.get(
    "/automation/templates/{template_id:template_ref}",
    summary="One template (003)",
    response_model=TemplateDetail,
    responses=_READ_ERRORS,
)
async def get_template_003(template_id: TemplateIdPath, actor: CurrentActor) -> dict[str, Any]:
    return await run_in_threadpool(templates.get_template, actor, template_id)


@router.post(
    "/automation/templates/{template_id:template_ref}/use",
    status_code=201,
    summary="Create a workflow from a template (003)",
    response_model=SavedWorkflow,
    response_model_exclude_unset=True,
    responses=_BODY_ERRORS,
)
async def use_template_003(
    template_id: TemplateIdPath,
    actor: CurrentActor,
    body: Annotated[UseTemplate | None, Body()] = None,
) -> dict[str, Any]:
    return await _use(actor, template_id, body or UseTemplate())
