"""`optimize`: a deterministic SEO report on an article, and optionally its safe fixes.

The analysis is `app.core.seo.analyze` (title and meta description length, Flesch reading
ease, heading structure, keyword density, links, length → a 0–100 score and concrete
suggestions). With `apply: true`, the fixes that cannot change what the text says (a slug from
the title when the slug is missing or unsafe, the meta description trimmed to 160 characters
at a word boundary or written from the first paragraph) are saved as one `edited` version whose
metadata says `{"action": "optimize"}`; the report then describes the article after the fixes.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import Field

from app.core import seo
from app.core.config_models import ActionConfig
from app.engine.actions import StepContext, action
from app.engine.bus import bus
from app.engine.content import edit_article, read_article, target_article_id


class OptimizeConfig(ActionConfig):
    """Which article (default: the trigger's `article_id`), its keywords, and whether to fix."""

    article: int | None = Field(None, ge=1)
    keywords: list[str] = Field(default_factory=list, max_length=20)
    apply: bool = False


def _report(article: dict[str, Any], keywords: list[str]) -> dict[str, Any]:
    return seo.analyze(
        title=article["title"],
        body=article["body"],
        meta_description=article["meta_description"],
        keywords=keywords,
    )


@action("optimize", OptimizeConfig, "Analyse an article for SEO; optionally apply safe fixes")
async def run(step: StepContext, config: OptimizeConfig) -> dict[str, Any]:
    article_id = target_article_id(config.article, step.context.get("trigger") or {})
    article = await asyncio.to_thread(read_article, article_id)
    fixes = seo.safe_fixes(
        title=article["title"],
        slug=article["slug"],
        body=article["body"],
        meta_description=article["meta_description"],
    )
    before = _report(article, config.keywords)
    version: dict[str, Any] | None = None
    if config.apply and fixes:
        version = await asyncio.to_thread(
            edit_article,
            article_id,
            fixes,
            execution_id=step.execution_id,
            workflow_id=step.workflow_id,
            description="optimize: " + ", ".join(f"fixed {name}" for name in sorted(fixes)),
            meta={"action": "optimize", "score_before": before["score"]},
        )
    report = before
    if version is not None:
        bus.publish_nowait(
            "article.updated", article_id=article_id, version=version["version_number"]
        )
        article = await asyncio.to_thread(read_article, article_id)
        report = _report(article, config.keywords)
    return {
        "article_id": article_id,
        "slug": article["slug"],
        **report,
        "score_before": before["score"],
        "fixes": fixes,
        "applied": version is not None,
        "version_number": version["version_number"] if version else None,
    }
