"""Reading the audit trail: filters, cursor pages, streamed CSV/JSON exports, pruning by age."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.core.errors import ValidationFailed
from app.core.statuses import Role
from app.db.engine import get_engine, session_scope
from app.db.models import AuditEvent
from app.db.settings import get_settings
from app.db.types import utcnow
from app.lifespan import startup
from app.services import audit_query
from app.services.actor import Actor
from app.services.audit_query import AuditFilter

ADMIN = Actor(kind="user", user_id=None, email="auditor@example.com", role=Role.ADMIN)


def seed(rows: list[dict[str, Any]]) -> None:
    """Insert rows with one executemany (the fast path a busy install would have produced)."""
    defaults = {"actor_type": "user", "actor_id": None, "actor_label": "", "details": {}}
    with get_engine().begin() as conn:
        conn.execute(sa.insert(AuditEvent.__table__), [{**defaults, **r} for r in rows])  # type: ignore[attr-defined]


def _event(days_ago: int, action: str, who: int, target: str, **extra: Any) -> dict[str, Any]:
    kind, target_id = target.split(":")
    label = {1: "ann@example.com", 2: "bob@example.com"}[who]
    at = utcnow() - timedelta(days=days_ago)
    row = {"at": at, "action": action, "actor_id": who, "actor_label": label}
    return {**row, "target_type": kind, "target_id": target_id, **extra}


def _sample() -> None:
    formula = {"note": '=HYPERLINK("http://x")'}
    seed(
        [
            _event(40, "workflow.created", 1, "workflow:1"),
            _event(3, "workflow.updated", 1, "workflow:1", details=formula),
            _event(2, "article.created", 2, "article:5"),
            _event(1, "workflow.deleted", 2, "workflow:2"),
        ]
    )


def _days_ago(days: float) -> datetime:
    return utcnow() - timedelta(days=days)


ALL = ["workflow.deleted", "article.created", "workflow.updated", "workflow.created"]
FILTERS: list[tuple[str, Callable[[], AuditFilter], list[str]]] = [
    ("none", AuditFilter, ALL),
    ("actor label", lambda: AuditFilter(actor="bob"), ALL[:2]),
    ("actor id", lambda: AuditFilter(actor="1"), ALL[2:]),
    ("target", lambda: AuditFilter(target_type="workflow", target_id="1"), ALL[2:]),
    ("action prefix", lambda: AuditFilter(action="workflow.*"), [ALL[0], *ALL[2:]]),
    ("action", lambda: AuditFilter(action="article.created"), ["article.created"]),
    ("range", lambda: AuditFilter(since=_days_ago(5), until=_days_ago(1.5)), ALL[1:3]),
]


@pytest.mark.parametrize(("flt", "expected"), [f[1:] for f in FILTERS], ids=[f[0] for f in FILTERS])
def test_filters(db: Path, flt: Callable[[], AuditFilter], expected: list[str]) -> None:
    _sample()
    items = audit_query.list_events(ADMIN, flt())["items"]
    assert [e["action"] for e in items] == expected


def test_cursor_pages_newest_first(db: Path) -> None:
    now = utcnow()
    seed([{"at": now, "action": f"test.{i}"} for i in range(7)])
    seen, cursor = [], None
    while True:
        page = audit_query.list_events(ADMIN, limit=3, cursor=cursor)
        seen += [e["action"] for e in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == [f"test.{i}" for i in reversed(range(7))]
    with pytest.raises(ValidationFailed, match="until"):
        audit_query.list_events(ADMIN, AuditFilter(since=now, until=now - timedelta(days=1)))


def test_csv_and_json_export_of_a_filtered_set(db: Path) -> None:
    _sample()
    flt = AuditFilter(target_type="workflow", target_id="1")
    rows = list(csv.DictReader(io.StringIO("".join(audit_query.export_events(ADMIN, flt)))))
    assert [r["action"] for r in rows] == ["workflow.updated", "workflow.created"]
    assert rows[0]["actor_label"] == "ann@example.com"
    assert json.loads(rows[0]["details"]) == {"note": '=HYPERLINK("http://x")'}
    as_json = json.loads("".join(audit_query.export_events(ADMIN, flt, fmt="json")))
    assert [(e["action"], e["target_id"]) for e in as_json] == [
        ("workflow.updated", "1"),
        ("workflow.created", "1"),
    ]
    nobody = audit_query.export_events(ADMIN, AuditFilter(actor="nobody"), "json")
    assert json.loads("".join(nobody)) == []
    with pytest.raises(ValidationFailed, match="csv or json"):
        audit_query.export_events(ADMIN, flt, fmt="xml")
    with session_scope() as session:  # each export is itself on the record
        exports = session.exec(select(AuditEvent).where(AuditEvent.action == "audit.exported"))
        first = [e.details for e in exports][0]
    assert first == {"format": "csv", "target_type": "workflow", "target_id": "1"}


def test_csv_cells_cannot_smuggle_spreadsheet_formulas(db: Path) -> None:
    seed([{"at": utcnow(), "action": "x", "actor_label": "=cmd|' /C calc'!A0"}])
    rows = list(csv.DictReader(io.StringIO("".join(audit_query.export_events(ADMIN)))))
    assert rows[0]["actor_label"].startswith("'=")


def test_a_large_export_streams_in_pages(db: Path) -> None:
    now = utcnow()
    seed([{"at": now, "action": "bulk.event", "target_id": str(i)} for i in range(20_000)])
    chunks: Iterator[str] = audit_query.export_events(ADMIN, AuditFilter(action="bulk.*"))
    assert not isinstance(chunks, list | str)  # a generator, not a built export
    header = next(chunks)
    assert header.startswith("id,at,actor_type")
    sizes = [chunk.count("\n") for chunk in chunks]
    assert len(sizes) == 20_000 // audit_query.EXPORT_PAGE
    assert max(sizes) == audit_query.EXPORT_PAGE and sum(sizes) == 20_000
    json_chunks = list(audit_query.export_events(ADMIN, AuditFilter(action="bulk.*"), "json"))
    assert len(json_chunks) == 20_000 // audit_query.EXPORT_PAGE + 2
    assert len(json.loads("".join(json_chunks))) == 20_000


def test_prune_removes_only_old_rows_and_is_audited(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sample()
    with pytest.raises(ValidationFailed, match="FLOWDECK_AUDIT_RETENTION_DAYS"):
        audit_query.prune(ADMIN)  # no retention configured, none given
    assert audit_query.prune(ADMIN, 30) == 1
    actions = [e["action"] for e in audit_query.list_events(ADMIN)["items"]]
    assert actions == ["audit.pruned", *ALL[:3]]
    pruned = audit_query.list_events(ADMIN, AuditFilter(action="audit.pruned"))["items"][0]
    assert pruned["details"]["deleted"] == 1 and pruned["details"]["older_than_days"] == 30

    monkeypatch.setenv("FLOWDECK_AUDIT_RETENTION_DAYS", "2")
    get_settings.cache_clear()
    try:
        assert audit_query.prune(ADMIN) == 2  # the settings' retention: 3 and 2.x days old
    finally:
        monkeypatch.delenv("FLOWDECK_AUDIT_RETENTION_DAYS")
        get_settings.cache_clear()
    remaining = [e["action"] for e in audit_query.list_events(ADMIN)["items"]]
    assert remaining == ["audit.pruned", "audit.pruned", "workflow.deleted"]


async def test_a_running_flowdeck_keeps_the_retention_by_itself(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With FLOWDECK_AUDIT_RETENTION_DAYS set, start-up prunes (and then once a day)."""
    _sample()
    monkeypatch.setenv("FLOWDECK_AUDIT_RETENTION_DAYS", "2")
    get_settings.cache_clear()
    try:
        async with startup():
            for _ in range(200):
                found = audit_query.list_events(ADMIN, AuditFilter(action="audit.pruned"))
                if found["items"]:
                    break
                await asyncio.sleep(0.02)
    finally:
        monkeypatch.delenv("FLOWDECK_AUDIT_RETENTION_DAYS")
        get_settings.cache_clear()
    [pruned] = found["items"]
    assert pruned["actor_label"] == "flowdeck" and pruned["details"]["deleted"] == 3
    remaining = [e["action"] for e in audit_query.list_events(ADMIN)["items"]]
    assert remaining == ["audit.pruned", "workflow.deleted"]
