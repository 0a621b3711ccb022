"""`event` and `publish` triggers, driven by real article status changes on the real bus."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from sqlmodel import select

from app.core.errors import Conflict, PermissionDenied, ValidationFailed
from app.core.statuses import Role
from app.db.engine import session_scope
from app.db.models import AuditEvent, Execution
from app.engine.runner import Engine
from app.engine.triggers.events import EventTriggers
from app.services import articles, workflows
from app.services.actor import Actor
from tests.integration.triggers.conftest import eventually

NOOP = [{"id": "noop", "type": "transform", "config": {"values": {}}}]


def _workflow(member: Actor, trigger: dict[str, Any], **extra: Any) -> int:
    data = {"name": "listener", "trigger": trigger, "actions": NOOP, **extra}
    return workflows.create_workflow(member, data).workflow["id"]


def _payloads(workflow_id: int) -> list[dict[str, Any]]:
    with session_scope() as session:
        rows = session.exec(
            select(Execution).where(Execution.workflow_id == workflow_id).order_by(Execution.id)
        ).all()
    assert all(r.trigger_type in ("event", "publish") for r in rows)
    return [r.trigger_payload for r in rows]


async def test_event_trigger_with_matching_and_failing_filters(
    listeners: EventTriggers, engine: Engine, member: Actor, caplog: pytest.LogCaptureFixture
) -> None:
    any_ready = _workflow(member, {"type": "event", "config": {"event": "article.ready"}})
    launches = _workflow(
        member,
        {
            "type": "event",
            "config": {
                "event": "article.status_changed",
                "filter": 'event.status == "ready" and "launch" in event.title',
            },
        },
    )
    broken = _workflow(
        member,
        {
            "type": "event",
            "config": {"event": "article.status_changed", "filter": "event.nothing.here > 1"},
        },
    )
    paused = _workflow(
        member, {"type": "event", "config": {"event": "article.ready"}}, is_active=False
    )
    launch = articles.create_article(member, title="Product launch")
    essay = articles.create_article(member, title="An essay")
    with caplog.at_level(logging.WARNING, logger="flowdeck.triggers"):
        articles.set_article_status(member, launch["id"], "ready")
        articles.set_article_status(member, essay["id"], "ready")
        # The trigger reads the workflows and queues the runs in a worker thread.
        await eventually(
            lambda: (
                len(_payloads(any_ready)) == 2
                and bool(_payloads(launches))
                and caplog.text.count("event.nothing.here") >= 2
            ),
            within=2,
        )
    await engine.drain()
    assert [p["article_id"] for p in _payloads(any_ready)] == [launch["id"], essay["id"]]
    assert _payloads(launches) == [
        {
            "article_id": launch["id"],
            "status": "ready",
            "previous_status": "draft",
            "title": "Product launch",
        }
    ]
    assert _payloads(broken) == [] and _payloads(paused) == []
    assert "event.nothing.here" in caplog.text  # logged, and the others still ran


async def test_publish_trigger_fires_when_an_article_becomes_ready(
    listeners: EventTriggers, engine: Engine, member: Actor
) -> None:
    on_ready = _workflow(member, {"type": "publish", "config": {}})
    on_published = _workflow(member, {"type": "publish", "config": {"articleStatus": "PUBLISHED"}})
    original_doc = _workflow(
        member, {"type": "publish", "config": {"articleStatus": "READY_TO_PUBLISH"}}
    )
    article = articles.create_article(member, title="Hello, World!", tags=["news"])
    assert article["slug"] == "hello-world" and article["status"] == "draft"
    assert _payloads(on_ready) == []  # a draft is not ready
    articles.set_article_status(member, article["id"], "ready")
    articles.set_article_status(member, article["id"], "ready")  # no change, no second run
    expected = {"article_id": article["id"], "status": "ready", "title": "Hello, World!"}
    # The trigger reads the workflows and queues the runs in a worker thread.
    await eventually(lambda: bool(_payloads(on_ready) and _payloads(original_doc)), within=2)
    await engine.drain()
    assert _payloads(on_ready) == [expected] == _payloads(original_doc)
    assert _payloads(on_published) == []
    articles.set_article_status(member, article["id"], "published")
    await eventually(lambda: bool(_payloads(on_published)), within=2)
    await engine.drain()
    assert _payloads(on_ready) == [expected]
    assert _payloads(on_published) == [{**expected, "status": "published"}]


async def test_event_from_a_worker_thread_starts_the_run_on_the_loop(
    listeners: EventTriggers, engine: Engine, member: Actor
) -> None:
    wf = _workflow(member, {"type": "publish", "config": {"article_status": "ready"}})
    article = articles.create_article(member, title="Threaded")
    await asyncio.to_thread(articles.set_article_status, member, article["id"], "ready")
    await eventually(lambda: bool(_payloads(wf)), within=2)
    await engine.drain()
    assert _payloads(wf)[0]["article_id"] == article["id"]


def test_article_rules_and_audit(db: object, member: Actor) -> None:
    first = articles.create_article(member, title="Same title")
    second = articles.create_article(member, title="Same title")
    assert (first["slug"], second["slug"]) == ("same-title", "same-title-2")
    with pytest.raises(Conflict):
        articles.set_article_status(member, first["id"], "published")  # draft → published
    with pytest.raises(ValidationFailed):
        articles.set_article_status(member, first["id"], "gone")
    with pytest.raises(ValidationFailed):
        articles.create_article(member, title="  ")
    viewer = Actor(kind="user", user_id=None, email="v@example.com", role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        articles.create_article(viewer, title="Nope")
    with pytest.raises(PermissionDenied):
        articles.set_article_status(viewer, first["id"], "ready")
    articles.set_article_status(member, first["id"], "ready")
    with session_scope() as session:
        actions = [
            (e.action, e.details)
            for e in session.exec(
                select(AuditEvent)
                .where(AuditEvent.target_type == "article")
                .order_by(AuditEvent.id)
            )
        ]
    assert actions == [
        ("article.created", {"title": "Same title", "status": "draft"}),
        ("article.created", {"title": "Same title", "status": "draft"}),
        ("article.status_changed", {"from": "draft", "to": "ready"}),
    ]
