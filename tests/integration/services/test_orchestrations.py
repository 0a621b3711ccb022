"""Orchestration definitions through the service on a real SQLite file: saves are versions with
diffs and words, audited, role-checked; secrets are never stored; rows from before 0005 in the
original loose shape are listed with what a run would refuse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.core.statuses import Role
from app.db.engine import get_engine, session_scope
from app.db.models import AuditEvent, OrchestrationVersion
from app.db.types import utcnow
from app.services import orchestration_history, orchestration_runs, orchestrations
from app.services.actor import Actor
from app.services.orchestration_recording import close_abandoned_runs
from app.services.orchestration_views import get_run
from app.services.orchestrations import OrchestrationFilter

VIEWER = Actor(kind="user", user_id=None, email="viewer@example.com", role=Role.VIEWER)
PIPELINE = {
    "name": "Sign in then list",
    "mode": "pipeline",
    "timeoutS": 20,
    "calls": [
        {
            "id": "login",
            "method": "POST",
            "url": "https://api.example.com/login",
            "body": {"user": "{{ inputs.user }}"},
            "extract": {"token": "data.token"},
        },
        {
            "id": "items",
            "url": "https://api.example.com/items",
            "headers": {"Authorization": "Bearer {{ calls.login.token }}"},
            "dependsOn": ["login"],
        },
    ],
}


def _audit(action: str) -> list[AuditEvent]:
    with session_scope() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_create_is_version_one_audited_and_listed(db: Path, member: Actor) -> None:
    created = orchestrations.create_orchestration(member, {**PIPELINE, "createdBy": "x"})

    assert created["version"] == 1 and created["timeout_s"] == 20.0
    assert created["calls"][1]["depends_on"] == ["login"]  # camelCase in, snake_case out
    assert created["call_count"] == 2 and created["problems"] == []
    assert created["success_rate"] is None and created["avg_ms"] is None
    (event,) = _audit("orchestration.created")
    assert event.target_id == str(created["id"]) and event.details["calls"] == 2
    versions = orchestration_history.list_versions(member, created["id"])
    assert versions["current_version"] == 1
    assert versions["items"][0]["change_summary"] == ["created"]

    items, total = orchestrations.list_orchestrations(member, OrchestrationFilter(mode="pipeline"))
    assert total == 1 and items[0]["name"] == "Sign in then list"
    assert orchestrations.list_orchestrations(member, OrchestrationFilter(mode="parallel"))[1] == 0
    assert orchestrations.get_orchestration(member, created["id"])["mode"] == "pipeline"


def test_update_writes_a_version_with_diff_and_words_and_rollback_restores(
    db: Path, member: Actor
) -> None:
    oid = orchestrations.create_orchestration(member, PIPELINE)["id"]
    calls = [dict(call) for call in PIPELINE["calls"]]
    calls[1]["url"] = "https://api.example.com/v2/items"
    changed = orchestrations.update_orchestration(
        member, oid, {"mode": "sequential", "calls": calls, "changeDescription": "v2 API"}
    )
    assert changed["version"] == 2 and changed["name"] == PIPELINE["name"]  # kept
    again = orchestrations.update_orchestration(member, oid, {"mode": "sequential"})
    assert again["version"] == 2  # nothing changed: no version

    version = orchestration_history.get_version(member, oid, 2)
    assert version["change_summary"] == [
        "mode pipeline → sequential",
        "changed `calls.items.url`",
    ]
    assert version["change_description"] == "v2 API" and version["diff"]["values_changed"]

    with pytest.raises(ValidationFailed, match="reason"):
        orchestration_history.rollback(member, oid, 1, " ")
    rolled = orchestration_history.rollback(member, oid, 1, "v2 is not live yet")
    assert rolled["orchestration"]["version"] == 3 and rolled["orchestration"]["mode"] == "pipeline"
    assert rolled["version"]["restored_from"] == 1
    assert rolled["version"]["change_type"] == "rolled_back"
    with pytest.raises(Conflict):
        orchestration_history.rollback(member, oid, 3, "again")
    assert [e.details["restored_from"] for e in _audit("orchestration.rolled_back")] == [1]
    with pytest.raises(NotFound):
        orchestration_history.get_version(member, oid, 9)


def test_every_problem_is_reported_with_its_path(db: Path, member: Actor) -> None:
    bad = {
        "name": "bad",
        "mode": "parallel",
        "calls": [
            {"id": "a", "url": "ftp://nowhere", "dependsOn": ["zz"]},
            {"id": "b", "url": "https://x.example/{{ inputs.", "method": "FETCH"},
        ],
    }
    with pytest.raises(ValidationFailed) as caught:
        orchestrations.create_orchestration(member, bad)
    paths = {p.path for p in caught.value.problems}
    assert {"calls[0].url", "calls[1].method", "calls[1].url"} <= paths
    assert any(p.startswith("calls[0].depends_on") for p in paths), paths


def test_a_secret_written_into_a_call_is_refused(db: Path, member: Actor) -> None:
    call = {"id": "a", "url": "https://x.example", "headers": {"X-Api-Key": "abcd1234"}}
    with pytest.raises(ValidationFailed) as caught:
        orchestrations.create_orchestration(member, {"name": "s", "calls": [call]})
    assert caught.value.for_path("calls[0].headers.X-Api-Key") is not None
    query = {"id": "a", "url": "https://x.example", "query": {"api_key": "abcd1234"}}
    with pytest.raises(ValidationFailed, match=r"calls\[0\]\.query\.api_key"):
        orchestrations.create_orchestration(member, {"name": "s", "calls": [query]})
    templated = {**call, "headers": {"X-Api-Key": "{{ env.API_KEY }}"}}
    assert orchestrations.create_orchestration(member, {"name": "s", "calls": [templated]})["id"]


def test_viewers_neither_read_nor_change(db: Path, member: Actor) -> None:
    oid = orchestrations.create_orchestration(member, PIPELINE)["id"]
    for attempt in (
        lambda: orchestrations.create_orchestration(VIEWER, PIPELINE),
        lambda: orchestrations.update_orchestration(VIEWER, oid, {"name": "x"}),
        lambda: orchestrations.delete_orchestration(VIEWER, oid),
        lambda: orchestration_history.rollback(VIEWER, oid, 1, "why"),
        lambda: orchestrations.get_orchestration(VIEWER, oid),  # reading too, as for workflows
        lambda: orchestrations.list_orchestrations(VIEWER),
        lambda: orchestration_history.list_versions(VIEWER, oid),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert orchestrations.get_orchestration(member, oid)["id"] == oid


def test_delete_takes_versions_and_runs_along(db: Path, member: Actor) -> None:
    oid = orchestrations.create_orchestration(member, PIPELINE)["id"]
    orchestrations.delete_orchestration(member, oid)
    with pytest.raises(NotFound):
        orchestrations.get_orchestration(member, oid)
    with session_scope() as session:
        assert session.exec(select(OrchestrationVersion)).all() == []
    assert _audit("orchestration.deleted")[0].details == {"name": "Sign in then list"}


def _insert_legacy(calls: list[dict[str, Any]]) -> int:
    """A row as saved before 0005 (and its version 1, as the migration writes it)."""
    with get_engine().begin() as conn:
        oid = conn.execute(
            sa.text(
                "INSERT INTO orchestration (name, description, mode, calls, retry, is_active,"
                " runs, created_at, updated_at) VALUES ('old', '', 'sequential', :calls, '{}', 1,"
                " 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00') RETURNING id"
            ),
            {"calls": json.dumps(calls)},
        ).scalar_one()
    return oid


def test_a_row_in_the_original_loose_shape_is_listed_with_its_problems(
    db: Path, member: Actor
) -> None:
    loose = [{"id": "a", "url": "https://x.example", "timeout": 5, "params": {"p": 1}}]
    oid = _insert_legacy(loose)
    fine = _insert_legacy([{"id": "a", "url": "https://x.example", "dependsOn": []}])

    shown = orchestrations.get_orchestration(member, oid)
    assert shown["calls"] == loose  # as stored
    assert {p["path"] for p in shown["problems"]} == {"calls[0].timeout", "calls[0].params"}
    with pytest.raises(Conflict) as caught:
        orchestration_runs.load_for_run(oid)
    assert {d["path"] for d in caught.value.details} == {"calls[0].timeout", "calls[0].params"}
    assert orchestrations.get_orchestration(member, fine)["problems"] == []
    assert orchestration_runs.load_for_run(fine).calls[0].id == "a"

    fixed = orchestrations.update_orchestration(
        member, oid, {"calls": [{"id": "a", "url": "https://x.example", "timeoutS": 5}]}
    )
    assert fixed["problems"] == [] and fixed["calls"][0]["timeout_s"] == 5.0


def _insert_run(oid: int, status: str, started: str, results: list[Any]) -> int:
    with get_engine().begin() as conn:
        return conn.execute(
            sa.text(
                "INSERT INTO orchestration_run (orchestration_id, status, started_at, results)"
                " VALUES (:oid, :status, :started, :results) RETURNING id"
            ),
            {"oid": oid, "status": status, "started": started, "results": json.dumps(results)},
        ).scalar_one()


def test_runs_from_before_0005_show_their_results_and_abandoned_runs_end(
    db: Path, member: Actor
) -> None:
    oid = orchestrations.create_orchestration(member, {**PIPELINE, "timeoutS": 60})["id"]
    old = _insert_run(oid, "succeeded", "2026-01-01 00:00:00", [{"id": "login", "ms": 5}, 7])
    stale = _insert_run(oid, "running", "2026-01-01 00:00:00", [])
    fresh = _insert_run(oid, "running", utcnow().strftime("%Y-%m-%d %H:%M:%S.%f"), [])

    shown = get_run(member, old)
    assert [(c["id"], c["status"]) for c in shown["calls"]] == [
        ("login", "unknown"),
        ("#2", "unknown"),
    ]
    assert shown["calls"][0]["legacy"] == {"id": "login", "ms": 5}
    assert shown["inputs"] == {} and shown["trigger"] == "manual"

    assert close_abandoned_runs() == [stale]
    ended = get_run(member, stale)
    assert ended["status"] == "failed" and ended["error"].startswith("interrupted")
    assert get_run(member, fresh)["status"] == "running"
    counted = orchestrations.get_orchestration(member, oid)
    assert (counted["runs"], counted["failures"]) == (1, 1)
