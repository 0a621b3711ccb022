"""Retention on a real SQLite file: settings, preview, and the batched prune."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.core.errors import PermissionDenied, ValidationFailed
from app.db.engine import get_engine
from app.services import retention, retention_prune
from app.services.actor import SYSTEM
from tests.integration.services.retention_data import add_execution, count, make_workflow

OPEN = ("queued", "running", "waiting", "paused")


def _set(**policy: int | None) -> None:
    retention.update_settings(SYSTEM, policy)


def _exists(execution_id: int) -> bool:
    return count("execution", "id = :i", i=execution_id) == 1


def test_never_deletes_unfinished_runs_and_keeps_rollups(db: Path) -> None:
    wf = make_workflow("rt-open")
    old_open = {status: add_execution(wf, status=status, age_days=400) for status in OPEN}
    old_done = [
        add_execution(wf, status=s, age_days=40, with_extras=True)
        for s in ("succeeded", "failed", "cancelled", "interrupted")
    ]
    recent = add_execution(wf, age_days=5)
    with get_engine().begin() as conn:
        conn.execute(
            sa.text("INSERT INTO execution_hour (workflow_id, hour, runs) VALUES (:w, :h, 7)"),
            {"w": wf, "h": "2026-01-01 10:00:00"},
        )
        conn.execute(
            sa.text(
                "INSERT INTO step_hour (workflow_id, action_id, hour, runs)"
                " VALUES (:w, 's0', :h, 7)"
            ),
            {"w": wf, "h": "2026-01-01 10:00:00"},
        )
        conn.execute(
            sa.text(
                "INSERT INTO error_group (workflow_id, action_id, shape_hash, day, shape, count,"
                " first_seen, last_seen, example_execution_id, example_error)"
                " VALUES (:w, 's0', 'h', :h, 'boom', 3, :h, :h, :e, 'boom')"
            ),
            {"w": wf, "h": "2026-01-01 00:00:00", "e": old_done[0]},
        )
        alert = conn.execute(
            sa.text(
                "INSERT INTO alert (name, alert_type, channel, events, severity, config, is_active,"
                " triggered_count, delivered_count, failed_count, created_at, updated_at)"
                " VALUES ('a', 'in_app', '', '[]', 'info', '{}', 1, 0, 0, 0, :t, :t) RETURNING id"
            ),
            {"t": "2026-01-01 00:00:00"},
        ).scalar_one()
        conn.execute(
            sa.text(
                "INSERT INTO alert_delivery (alert_id, execution_id, event, status, attempts,"
                " occurrences, message, created_at) VALUES (:a, :e, 'workflow_fail', 'sent', 1, 1,"
                " 'm', :t)"
            ),
            {"a": alert, "e": old_done[0], "t": "2026-01-01 00:00:00"},
        )
    _set(keep_days=30)

    result = retention_prune.prune(SYSTEM)

    assert result["executions_deleted"] == 4
    assert all(_exists(i) for i in old_open.values())
    assert not any(_exists(i) for i in old_done)
    assert _exists(recent)
    # every dependent row of the deleted runs is gone, nothing dangles
    for table in ("execution_step", "step_wait", "approval"):
        assert count(table, "execution_id NOT IN (SELECT id FROM execution)") == 0
    assert count("step_attempt", "step_id NOT IN (SELECT id FROM execution_step)") == 0
    assert count("step_item") == 0
    assert count("alert_delivery", "execution_id IS NULL") == 1  # the delivery stays, unlinked
    # rollups survive
    assert count("execution_hour", "runs = 7") == 1
    assert count("step_hour", "runs = 7") == 1
    assert count("error_group", "example_execution_id = :e", e=old_done[0]) == 1


def test_runs_linked_to_an_open_run_are_kept(db: Path) -> None:
    wf = make_workflow("rt-links")
    parent = add_execution(wf, age_days=50)
    add_execution(wf, status="running", age_days=50, parent=parent)  # open child
    child = add_execution(wf, age_days=50)
    add_execution(wf, status="waiting", age_days=50)
    with get_engine().begin() as conn:  # the child of a waiting parent
        open_parent = add_execution(wf, status="waiting", age_days=50)
        conn.execute(
            sa.text("UPDATE execution SET parent_execution_id = :p WHERE id = :c"),
            {"p": open_parent, "c": child},
        )
    retried = add_execution(wf, age_days=50)
    add_execution(wf, status="queued", age_days=1, retry_of=retried)
    plain = add_execution(wf, age_days=50)
    _set(keep_days=30)

    preview = retention_prune.preview(SYSTEM)
    result = retention_prune.prune(SYSTEM)

    assert preview["executions"] == result["executions_deleted"] == 1
    assert not _exists(plain)
    assert _exists(parent) and _exists(child) and _exists(retried)


def test_guard_refuses_a_run_that_came_alive_after_the_read(db: Path) -> None:
    wf = make_workflow("rt-guard")
    old = add_execution(wf, age_days=50)
    add_execution(wf, status="queued", age_days=0, retry_of=old)  # a retry started meanwhile
    with get_engine().begin() as conn:
        assert retention_prune.delete_batch(conn, [old]) == []
    assert _exists(old)


def test_per_workflow_overrides_and_keep_last(db: Path) -> None:
    global_wf = make_workflow("rt-global")
    long_wf = make_workflow("rt-long", keep_days=365)
    last_wf = make_workflow("rt-last", keep_last=3)
    g = [add_execution(global_wf, age_days=d) for d in (100, 40, 10)]
    lw = [add_execution(long_wf, age_days=d) for d in (400, 100, 40)]
    ll = [add_execution(last_wf, age_days=d, steps=1) for d in (90, 80, 70, 60, 50, 45, 1)]
    _set(keep_days=30)

    preview = retention_prune.preview(SYSTEM)
    result = retention_prune.prune(SYSTEM)

    by = {r["workflow_id"]: r["executions_deleted"] for r in result["by_workflow"]}
    assert by == {global_wf: 2, long_wf: 1, last_wf: 4}
    assert {r["workflow_id"]: r["executions"] for r in preview["by_workflow"]} == by
    assert [_exists(i) for i in g] == [False, False, True]
    assert [_exists(i) for i in lw] == [False, True, True]
    # keep_last 3 with the global 30 days: the three newest stay, older than 30 days or not
    assert [_exists(i) for i in ll] == [False, False, False, False, True, True, True]


def test_keep_last_alone_removes_regardless_of_age(db: Path) -> None:
    wf = make_workflow("rt-count")
    ids = [add_execution(wf, age_days=d, steps=1) for d in (3, 2, 1, 0.5)]
    add_execution(wf, status="running", age_days=0.1)  # counts among the newest, never goes
    _set(keep_last=2)
    assert retention_prune.prune(SYSTEM)["executions_deleted"] == 3
    assert [_exists(i) for i in ids] == [False, False, False, True]


def test_data_only_prune_empties_inputs_and_outputs_and_keeps_errors(db: Path) -> None:
    wf = make_workflow("rt-data")
    old = add_execution(wf, age_days=10, with_extras=True)
    fresh = add_execution(wf, age_days=2, with_extras=True)
    waiting = add_execution(wf, status="waiting", age_days=10)
    _set(keep_days=90, keep_data_days=7)

    result = retention_prune.prune(SYSTEM)

    assert result["executions_deleted"] == 0 and result["data_pruned"] == 1
    with get_engine().connect() as conn:
        rows = conn.execute(
            sa.text("SELECT id, data_pruned_at, trigger_payload FROM execution ORDER BY id")
        ).all()
        marks = {r.id: (r.data_pruned_at, r.trigger_payload) for r in rows}
        steps = conn.execute(
            sa.text("SELECT execution_id, input, output, error FROM execution_step")
        ).all()
        items = conn.execute(sa.text("SELECT output FROM step_item ORDER BY id")).scalars().all()
        waits = conn.execute(sa.text("SELECT output FROM step_wait ORDER BY id")).scalars().all()
    assert marks[old][0] is not None and marks[old][1] == "{}"
    assert marks[fresh][0] is None and marks[waiting][0] is None
    for step in steps:
        emptied = step.execution_id == old
        assert (step.input is None, step.output is None) == (emptied, emptied)
        assert step.error == "boom"  # errors stay
    assert count("step_attempt", "error = 'boom'") == 9
    assert items[0] is None and items[1] is not None
    assert waits[0] is None and waits[1] is not None
    # a second prune finds nothing more to do
    again = retention_prune.prune(SYSTEM)
    assert again["data_pruned"] == 0 and again["executions_deleted"] == 0


def test_prune_runs_in_small_timed_batches(db: Path) -> None:
    wf = make_workflow("rt-batches")
    for _ in range(120):
        add_execution(wf, age_days=40, steps=2)
    _set(keep_days=30)
    result = retention_prune.prune(SYSTEM, target_s=0.002, pause_s=0)
    assert result["executions_deleted"] == 120
    assert result["batches"] > 1
    # every hold of the write lock is counted (batches and vacuum steps), measured from the
    # lock (BEGIN IMMEDIATE) to the end of the commit; the typical one is short (the longest
    # is the machine's: a thread that waits 300 ms for a CPU on a loaded box holds that long)
    assert result["holds"] == result["batches"] + result["space"]["steps"]
    assert result["batch_ms_p50"] < 25, result["slowest_holds"]
    assert result["longest_batch_ms"] == result["slowest_holds"][0]["ms"]
    assert count("execution") == 0


def test_prune_is_audited_and_nothing_set_keeps_everything(db: Path) -> None:
    wf = make_workflow("rt-audit")
    add_execution(wf, age_days=4000)
    nothing = retention_prune.prune(SYSTEM)
    assert nothing["executions_deleted"] == 0 and count("execution") == 1
    _set(keep_days=30)
    done = retention_prune.prune(SYSTEM, reason="schedule")
    assert done["executions_deleted"] == 1
    with get_engine().connect() as conn:
        rows = (
            conn.execute(
                sa.text(
                    "SELECT details FROM audit_event WHERE action = 'retention.pruned' ORDER BY id"
                )
            )
            .scalars()
            .all()
        )
    assert len(rows) == 2  # the one asked for by hand, and the scheduled one that removed a row
    assert '"executions_deleted": 1' in rows[-1] and '"reason": "schedule"' in rows[-1]
    # a scheduled prune that removes nothing writes no audit row
    retention_prune.prune(SYSTEM, reason="schedule")
    assert count("audit_event", "action = 'retention.pruned'") == 2


def test_settings_are_checked_per_field_admin_only_and_audited(db: Path, member) -> None:
    with pytest.raises(ValidationFailed) as info:
        retention.update_settings(SYSTEM, {"keep_days": 0, "keep_data_days": "x"})
    assert {p.path for p in info.value.problems} == {"keep_days", "keep_data_days"}
    with pytest.raises(ValidationFailed) as info:
        retention.update_settings(SYSTEM, {"keep_days": 7, "keep_data_days": 30})
    assert info.value.problems[0].path == "keep_data_days"
    with pytest.raises(PermissionDenied):
        retention.update_settings(member, {"keep_days": 7})
    with pytest.raises(PermissionDenied):
        retention.read_settings(member)
    with pytest.raises(PermissionDenied):
        retention_prune.prune(member)
    saved = retention.update_settings(SYSTEM, {"keep_days": 30, "keep_last": 100})
    assert (saved["keep_days"], saved["keep_last"], saved["keep_data_days"]) == (30, 100, None)
    assert count("audit_event", "action = 'retention.settings_changed'") == 1
    make_workflow("rt-own", keep_last=5)
    assert [o["keep_last"] for o in retention.read_settings(SYSTEM)["overrides"]] == [5]


def test_database_info_and_compact_switch_to_incremental_vacuum(db: Path) -> None:
    path = db / "flowdeck.db"
    info = retention.database_info(SYSTEM)
    assert info["auto_vacuum"] == "incremental" and not info["compaction_needed"]  # new file
    assert {"table": "execution", "rows": 0} in info["tables"]
    get_engine().dispose()
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA auto_vacuum=NONE")
    raw.execute("VACUUM")
    raw.close()
    assert retention.database_info(SYSTEM)["compaction_needed"]
    assert retention_prune.reclaim_space()["skipped"] == "compact"
    done = retention.compact()
    assert done["auto_vacuum"] == "incremental"
    assert not retention.database_info(SYSTEM)["compaction_needed"]


def test_freed_pages_go_back_to_the_file(db: Path) -> None:
    wf = make_workflow("rt-space")
    for _ in range(60):
        add_execution(wf, age_days=40, steps=20)
    with get_engine().begin() as conn:
        conn.execute(
            sa.text("UPDATE execution_step SET output = :o"), {"o": '"' + "x" * 3000 + '"'}
        )
    pages_before = retention.database_info(SYSTEM)["pages"]
    _set(keep_days=30)
    result = retention_prune.prune(SYSTEM)
    info = retention.database_info(SYSTEM)
    assert result["space"]["freed_pages"] > 100
    assert info["free_pages"] == 0 and info["pages"] < pages_before - 100


def test_workflow_own_values_through_the_workflow_service(db: Path) -> None:
    from app.services import workflows

    wf = make_workflow("rt-fields")
    with pytest.raises(ValidationFailed) as info:
        workflows.update_workflow(SYSTEM, wf, {"keepDays": 0, "keep_last": "many"})
    assert {p.path for p in info.value.problems} == {"keep_days", "keep_last"}
    saved = workflows.update_workflow(SYSTEM, wf, {"keepDays": 400, "keep_last": "20"})
    assert (saved.workflow["keep_days"], saved.workflow["keep_last"]) == (400, 20)
    # an edit that names none of them keeps them; blank goes back to the global value
    kept = workflows.update_workflow(SYSTEM, wf, {"description": "x"})
    assert kept.workflow["keep_days"] == 400
    cleared = workflows.update_workflow(SYSTEM, wf, {"keep_days": None, "keep_last": ""})
    assert cleared.workflow["keep_days"] is None and cleared.workflow["keep_last"] is None
