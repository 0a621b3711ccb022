"""The command palette's search over a real SQLite file: a run by number, workflows by name
(and running them), runs by error text (bounded to the newest runs), pages and actions by
role; viewers get nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.errors import PermissionDenied
from app.core.palette import MAX_QUERY, Entry
from app.core.statuses import Role
from app.db.engine import get_engine
from app.db.models import Execution
from app.db.types import utcnow
from app.services import command_search, workflows
from app.services.actor import SYSTEM, Actor
from app.services.command_search import search

OK = [{"id": "ok", "type": "transform", "config": {"values": {"a": 1}}}]
ENTRIES = [
    Entry("page", "Workflows", "/admin/workflows", "workflow"),
    Entry("page", "Data", "/admin/data", "database", admin_only=True),
    Entry("action", "New workflow", "/admin/workflows/new", "plus", "create"),
    Entry("action", "Keyboard shortcuts", "help", "keyboard"),
]
ADMIN = SYSTEM


def _workflow(name: str, active: bool = True) -> int:
    spec = {"name": name, "trigger": {"type": "manual"}, "actions": OK, "is_active": active}
    return workflows.create_workflow(ADMIN, spec).workflow["id"]


def _run(workflow_id: int, status: str = "failed", error: str | None = None) -> int:
    with get_engine().begin() as conn:
        table = Execution.__table__  # type: ignore[attr-defined]
        at = utcnow() - timedelta(minutes=5)
        row = {"workflow_id": workflow_id, "status": status, "error": error, "queued_at": at}
        return conn.execute(table.insert(), row).inserted_primary_key[0]


def _labels(hits: list[command_search.Hit]) -> list[tuple[str, str]]:
    return [(h.kind, h.label) for h in hits]


def test_a_run_by_number_comes_first_with_its_workflow(member: Actor) -> None:
    wf = _workflow("Weather digest")
    run = _run(wf, "failed", "step fetch failed: HTTP 503")
    for text in (f"#{run}", str(run), f"# {run}"):
        hits = search(member, text, entries=ENTRIES)
        assert hits[0].kind == "execution" and hits[0].label == f"#{run} · Weather digest"
        assert hits[0].target == f"/admin/executions/{run}" and "503" in hits[0].hint
    assert [h.kind for h in search(member, "#999999", entries=ENTRIES)] == []


def test_workflows_by_name_then_running_the_active_ones(member: Actor) -> None:
    digest = _workflow("Weather digest")
    _workflow("Weather archive", active=False)
    _workflow("Nightly import")
    hits = search(member, "weath", entries=ENTRIES)
    assert _labels(hits) == [
        ("workflow", "Weather digest"),  # starts with it, shorter first
        ("workflow", "Weather archive"),
        ("run", "Run Weather digest"),  # the paused one is not offered to run
    ]
    assert hits[0].target == f"/admin/workflows/{digest}" and "paused" in hits[1].hint
    assert hits[2].ref == digest and hits[2].target == ""


def test_run_name_puts_the_run_actions_first(member: Actor) -> None:
    _workflow("Weather digest")
    hits = search(member, "run digest", entries=ENTRIES)
    assert _labels(hits) == [("run", "Run Weather digest"), ("workflow", "Weather digest")]


def test_runs_found_by_error_text_newest_first_with_the_matching_part(member: Actor) -> None:
    wf = _workflow("Importer")
    old = _run(wf, "failed", "Timeout talking to the warehouse after 30 s")
    _run(wf, "failed", "division by zero")
    _run(wf, "succeeded", None)
    new = _run(wf, "failed", "x" * 300 + " TIMEOUT while reading rows")
    hits = [h for h in search(member, "timeout", entries=ENTRIES) if h.kind == "execution"]
    assert [h.ref for h in hits] == [new, old]
    assert "TIMEOUT while reading rows" in hits[0].hint and hits[0].hint.startswith("failed · …")
    assert search(member, "ti", entries=ENTRIES) == []  # too short to search errors


def test_like_wildcards_in_the_text_match_themselves(member: Actor) -> None:
    wf = _workflow("w")
    literal = _run(wf, "failed", "disk 100% full")
    _run(wf, "failed", "disk 100 percent full")
    hits = [h.ref for h in search(member, "100%", entries=ENTRIES) if h.kind == "execution"]
    assert hits == [literal]


def test_the_error_search_reads_only_the_newest_runs(member: Actor) -> None:
    wf = _workflow("w")
    old = _run(wf, "failed", "needle in an old run")
    for _ in range(5):
        _run(wf, "succeeded")
    assert search(member, "needle", entries=ENTRIES, error_window=5) == []
    hits = search(member, "needle", entries=ENTRIES, error_window=6)
    assert [h.ref for h in hits] == [old]
    assert command_search.ERROR_WINDOW == 20_000


def test_pages_and_actions_by_role(member: Actor) -> None:
    everything = [h.label for h in search(ADMIN, "", entries=ENTRIES)]
    assert everything == ["Workflows", "Data", "New workflow", "Keyboard shortcuts"]
    assert [h.label for h in search(member, "", entries=ENTRIES)] == [
        "Workflows",
        "New workflow",
        "Keyboard shortcuts",
    ]
    assert search(member, "data", entries=ENTRIES) == []
    help_hit = search(member, "keyboard", entries=ENTRIES)[0]
    assert (help_hit.kind, help_hit.target, help_hit.action) == ("action", "", "help")


def test_viewers_are_refused(member: Actor) -> None:
    viewer = Actor(kind="user", user_id=None, email="v@example.com", role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        search(viewer, "anything", entries=ENTRIES)


def test_a_huge_query_is_cut_and_answers(member: Actor) -> None:
    _workflow("a" * MAX_QUERY)
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        statements.append(statement)

    sa.event.listen(get_engine(), "before_cursor_execute", record)
    try:
        hits = search(member, "a" * 100_000, entries=ENTRIES)
    finally:
        sa.event.remove(get_engine(), "before_cursor_execute", record)
    assert len(statements) == 3  # workflows, the newest id, the errors: no more
    assert [h.label for h in hits if h.kind == "workflow"] == ["a" * MAX_QUERY]
