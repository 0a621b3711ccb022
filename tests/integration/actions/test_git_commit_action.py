"""`git_commit` on the real engine with real git: a repository under the data directory, and a
push over smart HTTP to a bare repository served by `git http-backend` on loopback."""

from __future__ import annotations

import json
import logging
import subprocess
from pathlib import Path

import pytest

from app.engine.runner import Engine
from app.services import articles, connections, content_versions
from app.services.actor import Actor
from tests.integration.actions.action_helpers import (
    assert_no_secrets,
    connect,
    new_article,
    run,
    stored_text,
)
from tests.integration.actions.stand_ins import GIT_TOKEN, GitRemote


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _commit(**config: object) -> list[dict]:
    return [{"id": "commit", "type": "git_commit", "config": config}]


async def test_commits_the_snapshot_and_records_the_hash(
    engine: Engine, member: Actor, db: Path
) -> None:
    article = new_article(member, tags=["flows"])
    result = await run(
        member,
        engine,
        _commit(message="Add “{{ trigger.title }}”", author="Ada Writer <ada@example.com>"),
        payload={"article_id": article["id"], "title": article["title"]},
    )
    assert result["status"] == "succeeded", result
    output = result["steps"][0]["output"]
    repo = db / "content-repo"
    stem = f"articles/{article['id']}-{article['slug']}"
    assert output["files"] == [f"{stem}.json", f"{stem}.md"] and output["changed"] is True
    assert output["commit"] == _git(repo, "rev-parse", "HEAD") and output["pushed"] is False
    assert _git(repo, "log", "-1", "--format=%an <%ae>|%s") == (
        f"Ada Writer <ada@example.com>|Add “{article['title']}”"
    )
    assert _git(repo, "branch", "--show-current") == "main"
    markdown = (repo / f"{stem}.md").read_text()
    assert markdown.startswith(f'---\nid: {article["id"]}\ntitle: "{article["title"]}"\n')
    assert 'tags: ["flows"]\n' in markdown and "\nversion: 1\n" in markdown
    assert markdown.endswith(article["body"].rstrip("\n") + "\n")
    document = json.loads((repo / f"{stem}.json").read_text())
    assert document["body"] == article["body"] and document["version"]["version_number"] == 1
    [version] = content_versions.history(member, article["id"])["items"]
    assert version["git_commit"] == output["commit"]
    assert content_versions.history(member, article["id"])["chain_ok"]


async def test_unchanged_makes_no_commit_and_a_new_slug_moves_the_files(
    engine: Engine, member: Actor, db: Path
) -> None:
    article = new_article(member)
    actions = _commit()
    payload = {"article_id": article["id"]}
    first = (await run(member, engine, actions, payload))["steps"][0]["output"]
    again = (await run(member, engine, actions, payload))["steps"][0]["output"]
    assert again["changed"] is False and again["commit"] == first["commit"]

    articles.update_article(member, article["id"], slug="automation-for-teams")
    moved = (await run(member, engine, actions, payload))["steps"][0]["output"]
    repo = db / "content-repo"
    assert moved["changed"] is True and moved["commit"] != first["commit"]
    assert moved["removed"] == [f"articles/{article['id']}-{article['slug']}.{e}"
                                for e in ("json", "md")]  # fmt: skip
    assert sorted(p.name for p in (repo / "articles").iterdir()) == [
        f"{article['id']}-automation-for-teams.json", f"{article['id']}-automation-for-teams.md"
    ]  # fmt: skip
    assert _git(repo, "rev-list", "--count", "HEAD") == "2"
    assert _git(repo, "log", "-1", "--format=%an <%ae>") == "Flowdeck <flowdeck@localhost>"
    history = content_versions.history(member, article["id"])["items"]
    assert history[0]["git_commit"] == moved["commit"]
    assert history[1]["git_commit"] == first["commit"]


async def test_pushes_to_the_github_remote_with_the_token_only_in_a_header(
    engine: Engine,
    member: Actor,
    db: Path,
    git_remote: GitRemote,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    github = connect(member, "github", git_remote.base_url)
    article = new_article(member)
    result = await run(
        member, engine, _commit(connection="github"), payload={"article_id": article["id"]}
    )
    assert result["status"] == "succeeded", result
    output = result["steps"][0]["output"]
    assert output["pushed"] is True
    assert output["remote"] == f"{git_remote.base_url}/octo-org/site.git"
    assert git_remote.head("main") == output["commit"]
    assert git_remote.expected() in git_remote.authorizations
    assert all(GIT_TOKEN not in path for path in git_remote.paths)
    repo = db / "content-repo"
    config = (repo / ".git" / "config").read_text()
    assert GIT_TOKEN not in config and "remote" not in config and "extraheader" not in config
    assert connections.get_connection(member, github)["usage_count"] == 1
    assert_no_secrets(stored_text(), json.dumps(result), caplog.text)


async def test_a_refused_push_keeps_the_commit_and_hides_the_token(
    engine: Engine, member: Actor, git_remote: GitRemote
) -> None:
    connect(member, "github", git_remote.base_url)
    git_remote.token = "ghp_a-different-token-the-server-wants"
    article = new_article(member)
    result = await run(
        member, engine, _commit(connection="github"), payload={"article_id": article["id"]}
    )
    step = result["steps"][0]
    assert result["status"] == "failed"
    assert step["error"] == (
        f"git push to {git_remote.base_url}/octo-org/site.git was refused: "
        "the token was not accepted"
    )
    assert step["output"]["pushed"] is False and step["output"]["commit"]
    [version] = content_versions.history(member, article["id"])["items"]
    assert version["git_commit"] == step["output"]["commit"]
    assert_no_secrets(stored_text(), json.dumps(result))


async def test_only_a_github_connection_with_a_repo_can_be_pushed_to(
    engine: Engine, member: Actor
) -> None:
    connect(member, "github", "http://127.0.0.1:9", config={"apiBase": "http://127.0.0.1:9"})
    article = new_article(member)
    result = await run(
        member, engine, _commit(connection="github"), payload={"article_id": article["id"]}
    )
    assert result["status"] == "failed"
    assert "must be a GitHub connection with a repo" in result["steps"][0]["error"]
