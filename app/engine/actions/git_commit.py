"""`git_commit`: commit an article's snapshot to a real git repository, and optionally push.

The repository is `<data dir>/content-repo` (`git init` on first use). The article is written
as `articles/<id>-<slug>.md` (YAML front matter, then the Markdown body) and
`articles/<id>-<slug>.json` (everything, for machines); files left by an earlier slug of the
same article are removed. The commit's author is `config.author` (`Name <email>`) or Flowdeck;
its message is `config.message` (usually a template). The real commit hash is recorded on the
version the files hold (the article's latest, `ContentVersion.git_commit`). Running again with
nothing changed makes no new commit and reports the current one.

With `connection` (a GitHub connection with `config.repo`), HEAD is pushed to `branch` of that
repository over https (see `app.engine.git_repo`: guarded, pinned, token in a header only). The
clone URL comes from the connection's API base (`api.github.com` → `github.com`), so pointing
`api_base` at a GitHub Enterprise host, or at a test server, moves the push with it.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from app.core.articles import slugify
from app.core.config_models import ActionConfig
from app.db.settings import get_settings
from app.engine.actions import StepContext, action
from app.engine.content import read_article, record_git_commit, target_article_id
from app.engine.failures import ActionFailed
from app.engine.git_repo import DEFAULT_AUTHOR, GitFailed, GitRepo, remote_url, repo_lock
from app.engine.messaging import ConnectionRef, load
from app.integrations.credentials import ResolvedConnection, record_use

REPO_DIR = "content-repo"
_AUTHOR = re.compile(r"^\s*([^<>\n]+?)\s*<([^<>\s@]+@[^<>\s]+)>\s*$")
_FRONT_MATTER = ("id", "title", "slug", "status", "tags", "meta_description", "published_at")


class GitCommitConfig(ActionConfig):
    """Which article, the commit message and author, and where to push (if anywhere)."""

    article: int | None = Field(None, ge=1)
    message: str | None = Field(None, min_length=1, max_length=5000)
    author: str | None = None  # "Name <email>"
    connection: ConnectionRef | None = None
    branch: str = Field("main", pattern=r"^[A-Za-z0-9._/-]{1,100}$")

    @field_validator("author")
    @classmethod
    def _author(cls, value: str | None) -> str | None:
        if value is not None and not _AUTHOR.match(value):
            raise ValueError("write it as Name <email@example.com>")
        return value

    @field_validator("branch")
    @classmethod
    def _branch(cls, value: str) -> str:
        if value.startswith(("-", "/")) or ".." in value or value.endswith((".lock", "/")):
            raise ValueError("not a valid branch name")
        return value


def article_files(article: dict[str, Any]) -> dict[str, str]:
    """`articles/<id>-<slug>.md` with front matter and `.json` with everything. Pure.

    Front matter values are JSON scalars and lists, which YAML reads as they are.
    """
    version = article.get("version") or {}
    stem = f"articles/{article['id']}-{slugify(article['slug'])}"
    head = {key: article.get(key) for key in _FRONT_MATTER}
    head |= {"version": version.get("version_number"), "content_hash": version.get("commit_hash")}
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in head.items()]
    body = article.get("body") or ""
    markdown = "---\n" + "\n".join(lines) + "\n---\n\n" + body.rstrip("\n") + "\n"
    document = {key: article.get(key) for key in (*_FRONT_MATTER, "body", "created_at")}
    document["version"] = {
        key: version.get(key) for key in ("version_number", "change_type", "commit_hash")
    }
    data = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return {f"{stem}.md": markdown, f"{stem}.json": data}


def stale_files(root: Path, article_id: int, keep: set[str]) -> list[str]:
    """Files an earlier slug of this article left behind."""
    folder = root / "articles"
    if not folder.is_dir():
        return []
    found = [f"articles/{p.name}" for p in folder.glob(f"{article_id}-*") if p.is_file()]
    return sorted(name for name in found if name not in keep)


def _author(config: GitCommitConfig) -> tuple[str, str]:
    match = _AUTHOR.match(config.author or "")
    return (match.group(1), match.group(2)) if match else DEFAULT_AUTHOR


async def _github(ref: int | str, step: StepContext) -> tuple[ResolvedConnection, str]:
    conn = await load(ref)
    step.secrets.extend(v for v in conn.secret_values() if v not in step.secrets)
    if conn.platform != "github" or not conn.config.get("repo"):
        raise ActionFailed(
            f"connection {conn.name!r} must be a GitHub connection with a repo (owner/name)",
            kind="validation",
        )
    return conn, remote_url(conn.config["api_base"], conn.config["repo"])


@action("git_commit", GitCommitConfig, "Commit an article to the content git repository")
async def run(step: StepContext, config: GitCommitConfig) -> dict[str, Any]:
    article_id = target_article_id(config.article, step.context.get("trigger") or {})
    github = await _github(config.connection, step) if config.connection is not None else None
    article = await asyncio.to_thread(read_article, article_id)
    version = article.get("version") or {}
    files = article_files(article)
    message = config.message or (
        f"{version.get('change_type', 'update')}: {article['title']} "
        f"(article {article_id}, version {version.get('version_number')})"
    )
    repo = GitRepo(get_settings().data_dir / REPO_DIR, _author(config))
    output: dict[str, Any] = {
        "article_id": article_id,
        "branch": config.branch,
        "version_number": version.get("version_number"),
        "pushed": False,
        "remote": github[1] if github else None,
    }
    try:
        async with repo_lock(repo.path):
            await repo.ensure(config.branch)
            remove = stale_files(repo.path, article_id, set(files))
            commit, changed = await repo.commit(files, remove, message)
            output |= {
                "commit": commit,
                "changed": changed,
                "files": sorted(files),
                "removed": remove,
            }
            if version.get("version_number") and version.get("git_commit") != commit:
                await asyncio.to_thread(
                    record_git_commit, article_id, version["version_number"], commit
                )
            if github is not None:
                conn, url = github
                try:
                    await repo.push(url, config.branch, conn.credentials.get("token", ""))
                finally:
                    await asyncio.to_thread(record_use, conn.id)
                output["pushed"] = True
    except GitFailed as exc:
        raise ActionFailed(
            exc.message, kind="connection" if exc.network else "error", output=output
        ) from exc
    return output
