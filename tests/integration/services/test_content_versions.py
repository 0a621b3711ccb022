"""Article versions against a real SQLite file: every path writes one, revert, compare, chain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.core.statuses import Role
from app.db.engine import get_engine, session_scope
from app.db.models import AuditEvent, ContentVersion
from app.services import articles, content_versions
from app.services.actor import SYSTEM, Actor


def _versions(article_id: int) -> list[ContentVersion]:
    with session_scope() as session:
        return list(
            session.exec(
                select(ContentVersion)
                .where(ContentVersion.article_id == article_id)
                .order_by(ContentVersion.version_number)  # type: ignore[arg-type]
            )
        )


def _audit(action: str) -> list[dict[str, Any]]:
    with session_scope() as session:
        rows = session.exec(select(AuditEvent).where(AuditEvent.action == action))
        return [{"target": e.target_id, **e.details} for e in rows]


def test_create_edit_publish_revert_each_write_a_version(db: Path, member: Actor) -> None:
    article = articles.create_article(
        member, title="Launch notes", body="Line one\nLine two", tags=["news"]
    )
    aid = article["id"]
    articles.update_article(member, aid, body="Line one\nLine 2\nLine three", title="Launch")
    articles.update_article(member, aid, title="Launch")  # no change: no version
    articles.set_article_status(member, aid, "ready")
    published = articles.publish_article(member, aid, description="go live")
    assert published["status"] == "published" and published["published_at"]
    reverted = content_versions.revert(member, aid, 1, "back to the first draft")

    versions = _versions(aid)
    assert [(v.version_number, v.change_type) for v in versions] == [
        (1, "created"),
        (2, "edited"),
        (3, "edited"),
        (4, "published"),
        (5, "reverted"),
    ]
    assert versions[1].change_description == "edited body, title"
    assert versions[2].change_description == "status draft → ready"
    assert versions[3].change_description == "go live"
    assert all(v.changed_by == member.user_id for v in versions)
    assert versions[0].parent_hash is None and versions[0].diff == {}
    assert [v.parent_hash for v in versions[1:]] == [v.commit_hash for v in versions[:-1]]
    diff = versions[1].diff
    assert diff["fields"]["values_changed"]["root['title']"] == {
        "new_value": "Launch",
        "old_value": "Launch notes",
    }
    assert [(b["op"], b["old"], b["new"]) for b in diff["body"]] == [
        ("equal", ["Line one"], ["Line one"]),
        ("replace", ["Line two"], ["Line 2", "Line three"]),
    ]
    # A revert restores the content, keeps the status, and points at what it restored.
    assert reverted["restored_from"] == 1 and reverted["change_type"] == "reverted"
    assert reverted["snapshot"] == {
        "title": "Launch notes",
        "slug": "launch-notes",
        "body": "Line one\nLine two",
        "meta_description": "",
        "status": "published",
        "tags": ["news"],
    }
    now = articles.get_article(member, aid)
    assert now["title"] == "Launch notes" and now["current_version"] == 5
    assert now["status"] == "published"  # version 1 was a draft: the status is not restored
    assert reverted["note"] == (
        "Restored the title, slug, body, meta description and tags of version 1. The status "
        "stays published (version 1 was draft; use Move to… to change it)."
    )
    assert _audit("article.reverted") == [
        {"target": str(aid), "title": "Launch notes", "restored_from": 1, "version": 5}
    ]
    assert [a["fields"] for a in _audit("article.updated")] == [["body", "title"]]


def test_an_action_passes_its_execution_as_metadata(db: Path) -> None:
    meta = {"execution_id": 41, "workflow_id": 7, "token": "never-stored"}
    article = articles.create_article(SYSTEM, title="From a workflow", meta=meta)
    articles.update_article(SYSTEM, article["id"], meta_description="Short", meta=meta)
    versions = _versions(article["id"])
    assert [v.meta for v in versions] == [
        {"execution_id": 41, "workflow_id": 7, "token": "[redacted]"}
    ] * 2
    assert versions[1].changed_by is None
    assert versions[1].snapshot["meta_description"] == "Short"


def test_record_version_on_request(db: Path, member: Actor) -> None:
    aid = articles.create_article(member, title="Checkpoint")["id"]
    same = articles.record_version(member, aid, description="before the review")
    assert (same["version_number"], same["change_type"]) == (2, "edited")
    assert same["diff"] == {"fields": {}, "body": []}
    edited = articles.record_version(
        member, aid, changes={"body": "Reviewed"}, meta={"automationId": "workflow-456"}
    )
    assert edited["snapshot"]["body"] == "Reviewed"
    assert edited["meta"] == {"automationId": "workflow-456"}
    with pytest.raises(ValidationFailed) as bad:
        articles.record_version(member, aid, change_type="reverted")
    assert "revert endpoint" in str(bad.value)
    with pytest.raises(Conflict):  # a draft cannot jump to published
        articles.record_version(member, aid, change_type="published")
    assert len(_versions(aid)) == 3


def test_compare_two_versions_and_refuse_another_articles(db: Path, member: Actor) -> None:
    first = articles.create_article(member, title="First", body="a\nb\nc")
    other = articles.create_article(member, title="Other")
    articles.update_article(member, first["id"], body="a\nB\nc", tags=["x"])
    result = content_versions.compare(member, first["id"], 1, 2)
    assert result["changed_fields"] == ["body", "tags"]
    assert [b["op"] for b in result["body"]] == ["equal", "replace", "equal"]
    assert "-b" in result["unified"] and "+B" in result["unified"]
    head = _versions(first["id"])[1].commit_hash
    by_hash = content_versions.compare(member, first["id"], "1", head[:10])
    assert by_hash["b"]["version_number"] == 2

    foreign = _versions(other["id"])[0].commit_hash
    with pytest.raises(ValidationFailed) as refused:
        content_versions.compare(member, first["id"], 1, foreign)
    assert refused.value.problems[0].path == "b"
    assert f"belongs to article {other['id']}" in refused.value.problems[0].message
    with pytest.raises(NotFound):
        content_versions.compare(member, first["id"], 1, 9)
    with pytest.raises(ValidationFailed):
        content_versions.compare(member, first["id"], 1, "v2")


def test_bad_reverts_change_nothing(db: Path, member: Actor) -> None:
    aid = articles.create_article(member, title="Stable", body="x")["id"]
    with pytest.raises(NotFound, match="no version 7"):
        content_versions.revert(member, aid, 7)
    with pytest.raises(NotFound):
        content_versions.revert(member, 999, 1)
    with pytest.raises(Conflict, match="already matches .* not the status"):
        content_versions.revert(member, aid, 1)
    viewer = Actor(kind="user", user_id=None, email="v@example.com", role=Role.VIEWER)
    articles.update_article(member, aid, body="y")
    with pytest.raises(PermissionDenied):
        content_versions.revert(viewer, aid, 1)
    other = articles.create_article(member, title="Other")
    with pytest.raises(ValidationFailed):
        content_versions.revert(member, aid, _versions(other["id"])[0].commit_hash)
    assert len(_versions(aid)) == 2 and articles.get_article(member, aid)["body"] == "y"


def test_revert_refuses_a_slug_now_taken(db: Path, member: Actor) -> None:
    aid = articles.create_article(member, title="Alpha")["id"]
    articles.update_article(member, aid, slug="renamed")
    articles.create_article(member, title="Alpha")  # takes the slug "alpha"
    with pytest.raises(Conflict, match="slug"):
        content_versions.revert(member, aid, 1)


def test_hash_chain_verifies_and_detects_tampering(db: Path, member: Actor) -> None:
    aid = articles.create_article(member, title="Chain", body="one")["id"]
    for body in ("two", "three"):
        articles.update_article(member, aid, body=body)
    assert content_versions.history(member, aid)["chain_ok"]
    assert content_versions.verify_history(member, aid) == []

    with get_engine().begin() as conn:  # someone edits the middle snapshot in the database
        conn.execute(
            sa.text(
                "UPDATE content_version SET snapshot = json_set(snapshot, '$.body', 'forged') "
                "WHERE article_id = :a AND version_number = 2"
            ),
            {"a": aid},
        )
    history = content_versions.history(member, aid)
    assert not history["chain_ok"]
    assert history["problems"] == [
        {"version_number": 2, "message": "content does not match its commit hash"}
    ]
    assert [v["version_number"] for v in history["items"]] == [3, 2, 1]


def test_list_get_delete_and_rules(db: Path, member: Actor) -> None:
    draft = articles.create_article(member, title="Draft one", meta_description="About")
    ready = articles.create_article(member, title="Ready one", status="ready")
    items, total = articles.list_articles(member, status="ready")
    assert total == 1 and items[0]["id"] == ready["id"] and "body" not in items[0]
    assert articles.list_articles(member, search="draft")[1] == 1
    assert draft["meta_description"] == "About" and draft["current_version"] == 1
    with pytest.raises(ValidationFailed) as bad:
        articles.update_article(member, draft["id"], title=" ", slug="Bad Slug", tags="x")
    assert {p.path for p in bad.value.problems} == {"title", "slug", "tags"}
    with pytest.raises(ValidationFailed, match="already used"):
        articles.update_article(member, draft["id"], slug=ready["slug"])
    with pytest.raises(ValidationFailed):
        articles.update_article(member, draft["id"], author="someone")
    articles.delete_article(member, draft["id"])
    with pytest.raises(NotFound):
        articles.get_article(member, draft["id"])
    assert _versions(draft["id"]) == []
    assert _audit("article.deleted") == [
        {"target": str(draft["id"]), "title": "Draft one", "slug": "draft-one", "versions": 1}
    ]
