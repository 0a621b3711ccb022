"""The Alembic migration on a real, empty SQLite file: tables, indexes, foreign keys, and that
the migrated schema is exactly what the SQLModel tables describe."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

import app.db.models  # noqa: F401  (registers every table in SQLModel.metadata)
from alembic import command
from app.db.engine import make_engine
from app.db.migrate import alembic_config, upgrade
from app.db.models import Execution, ExecutionStep, StepAttempt, User, Workflow

TABLES = {
    "user",
    "worker_lease",
    "leader_lease",
    "session",
    "api_key",
    "workflow",
    "workflow_version",
    "execution",
    "execution_step",
    "step_attempt",
    "step_wait",
    "approval",
    "step_item",
    "alert",
    "alert_delivery",
    "notification",
    "article",
    "content_version",
    "orchestration",
    "orchestration_run",
    "orchestration_version",
    "orchestration_call",
    "connection",
    "audit_event",
    "metric_sample",
    "workflow_template",
    "workflow_template_version",
    "template_use",
    "execution_hour",
    "execution_day",
    "step_hour",
    "step_day",
    "error_group",
    "app_setting",
    "incident",
}


@pytest.fixture
def url(tmp_path: Path) -> str:
    database = tmp_path / "migrated.db"
    assert not database.exists()
    url = f"sqlite:///{database}"
    upgrade(url)
    return url


@pytest.fixture
def engine(url: str) -> Iterator[Engine]:
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def inspector(engine: Engine) -> sa.Inspector:
    return sa.inspect(engine)


def _sqlite_schema(url: str) -> tuple[list[tuple], list[tuple]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            schema = conn.execute(
                sa.text("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")
            ).all()
            versions = conn.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    finally:
        engine.dispose()
    return [tuple(r) for r in schema], [tuple(r) for r in versions]


def test_every_table_exists(inspector: sa.Inspector) -> None:
    assert set(inspector.get_table_names()) == TABLES | {"alembic_version"}
    assert set(SQLModel.metadata.tables) == TABLES


@pytest.mark.parametrize(
    ("table", "name", "columns", "unique"),
    [
        ("execution", "ix_execution_workflow_started", ["workflow_id", "started_at"], False),
        ("execution", "ix_execution_status_started", ["status", "started_at"], False),
        ("execution", "ix_execution_queue", ["status", "priority_rank", "queued_at"], False),
        ("execution", "ix_execution_started_at", ["started_at"], False),
        ("execution", "ix_execution_retry_of", ["retry_of"], False),
        ("execution_step", "ix_execution_step_execution_id", ["execution_id"], False),
        ("step_attempt", "ix_step_attempt_step_id", ["step_id"], False),
        ("execution", "ix_execution_parent_execution_id", ["parent_execution_id"], False),
        ("step_wait", "ix_step_wait_due", ["status", "resume_at"], False),
        ("step_wait", "ix_step_wait_child_execution_id", ["child_execution_id"], False),
        ("approval", "ix_approval_status_created", ["status", "created_at"], False),
        ("audit_event", "ix_audit_event_at", ["at"], False),
        ("audit_event", "ix_audit_event_action", ["action"], False),
        ("audit_event", "ix_audit_target", ["target_type", "target_id"], False),
        ("alert_delivery", "ix_alert_delivery_alert_created", ["alert_id", "created_at"], False),
        ("notification", "ix_notification_user_read", ["user_id", "read_at"], False),
        ("orchestration_run", "ix_orch_run_started", ["orchestration_id", "started_at"], False),
        ("orchestration_run", "ix_orch_run_newest", ["orchestration_id", "id"], False),
        ("orchestration_run", "ix_orchestration_run_execution_id", ["execution_id"], False),
        ("metric_sample", "ix_metric_name_at", ["name", "at"], False),
        ("workflow", "ix_workflow_next_run_at", ["next_run_at"], False),
        ("workflow", "ix_workflow_is_active", ["is_active"], False),
        ("workflow", "ix_workflow_hook_id", ["hook_id"], True),
        ("workflow_version", "ix_workflow_version_workflow_id", ["workflow_id"], False),
        ("user", "ix_user_email", ["email"], True),
        ("session", "ix_session_token_hash", ["token_hash"], True),
        ("session", "ix_session_expires_at", ["expires_at"], False),
        ("api_key", "ix_api_key_key_hash", ["key_hash"], True),
        ("article", "ix_article_slug", ["slug"], True),
        ("content_version", "ix_content_version_article_id", ["article_id"], False),
        ("execution_hour", "ix_execution_hour_hour", ["hour"], False),
        ("error_group", "ix_error_group_workflow_day", ["workflow_id", "day"], False),
        (
            "execution_step",
            "ix_execution_step_action_status",
            ["action_id", "status", "execution_id"],
            False,
        ),
    ],
)
def test_indexes_the_lists_need(
    inspector: sa.Inspector, table: str, name: str, columns: list[str], unique: bool
) -> None:
    indexes = {ix["name"]: ix for ix in inspector.get_indexes(table)}
    assert name in indexes, f"{table} has no index {name}; it has {sorted(indexes)}"
    assert indexes[name]["column_names"] == columns
    assert bool(indexes[name]["unique"]) is unique


@pytest.mark.parametrize(
    ("table", "columns"),
    [
        ("execution", ["workflow_id", "scheduled_for"]),
        ("execution", ["workflow_id", "dedupe_key"]),
        ("execution_step", ["execution_id", "position"]),
        ("step_attempt", ["step_id", "number"]),
        ("step_item", ["step_id", "position"]),
        ("workflow_version", ["workflow_id", "version_number"]),
        ("content_version", ["article_id", "version_number"]),
        ("orchestration_version", ["orchestration_id", "version_number"]),
        ("orchestration_call", ["run_id", "position"]),
        ("execution_hour", ["workflow_id", "hour"]),
        ("step_hour", ["workflow_id", "action_id", "hour"]),
        ("error_group", ["workflow_id", "action_id", "shape_hash", "day"]),
    ],
)
def test_unique_constraints(inspector: sa.Inspector, table: str, columns: list[str]) -> None:
    found = [uc["column_names"] for uc in inspector.get_unique_constraints(table)]
    assert columns in found


@pytest.mark.parametrize(
    ("table", "column", "target", "ondelete"),
    [
        ("execution", "workflow_id", "workflow", "CASCADE"),
        ("execution", "retry_of", "execution", "SET NULL"),
        ("execution", "created_by", "user", "SET NULL"),
        ("execution_step", "execution_id", "execution", "CASCADE"),
        ("step_attempt", "step_id", "execution_step", "CASCADE"),
        ("step_wait", "step_id", "execution_step", "CASCADE"),
        ("step_wait", "child_execution_id", "execution", "SET NULL"),
        ("approval", "execution_id", "execution", "CASCADE"),
        ("approval", "decided_by", "user", "SET NULL"),
        ("step_item", "step_id", "execution_step", "CASCADE"),
        ("workflow", "created_by", "user", "SET NULL"),
        ("workflow_version", "workflow_id", "workflow", "CASCADE"),
        ("workflow_version", "created_by", "user", "SET NULL"),
        ("session", "user_id", "user", "CASCADE"),
        ("api_key", "user_id", "user", "CASCADE"),
        ("alert", "workflow_id", "workflow", "CASCADE"),
        ("alert", "connection_id", "connection", "SET NULL"),
        ("alert_delivery", "alert_id", "alert", "CASCADE"),
        ("alert_delivery", "execution_id", "execution", "SET NULL"),
        ("notification", "user_id", "user", "CASCADE"),
        ("content_version", "article_id", "article", "CASCADE"),
        ("content_version", "changed_by", "user", "SET NULL"),
        ("orchestration_run", "orchestration_id", "orchestration", "CASCADE"),
        ("orchestration_run", "created_by", "user", "SET NULL"),
        ("orchestration_version", "orchestration_id", "orchestration", "CASCADE"),
        ("orchestration_version", "created_by", "user", "SET NULL"),
        ("orchestration_call", "run_id", "orchestration_run", "CASCADE"),
        ("metric_sample", "workflow_id", "workflow", "SET NULL"),
        ("metric_sample", "execution_id", "execution", "SET NULL"),
        ("workflow_template", "source_workflow_id", "workflow", "SET NULL"),
        ("workflow_template_version", "template_id", "workflow_template", "CASCADE"),
        ("execution_hour", "workflow_id", "workflow", "CASCADE"),
        ("step_day", "workflow_id", "workflow", "CASCADE"),
        ("error_group", "workflow_id", "workflow", "CASCADE"),
        ("app_setting", "updated_by", "user", "SET NULL"),
    ],
)
def test_foreign_keys_and_their_ondelete(
    inspector: sa.Inspector, table: str, column: str, target: str, ondelete: str
) -> None:
    fks = {tuple(fk["constrained_columns"]): fk for fk in inspector.get_foreign_keys(table)}
    fk = fks[(column,)]
    assert fk["referred_table"] == target and fk["referred_columns"] == ["id"]
    assert fk["options"].get("ondelete") == ondelete


def test_no_foreign_key_without_an_ondelete_policy(inspector: sa.Inspector) -> None:
    missing = [
        f"{table}.{fk['constrained_columns']}"
        for table in TABLES
        for fk in inspector.get_foreign_keys(table)
        if not fk["options"].get("ondelete")
    ]
    assert missing == []


def _diff(engine: Engine, metadata: sa.MetaData) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        return compare_metadata(context, metadata)


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    assert _diff(engine, SQLModel.metadata) == []


def test_schema_comparison_notices_a_difference(engine: Engine) -> None:
    """Guards the test above: a model change that no migration carries must show up."""
    changed = sa.MetaData()
    for table in SQLModel.metadata.tables.values():
        table.to_metadata(changed)
    execution = changed.tables["execution"]
    execution.append_column(sa.Column("note", sa.String(50), nullable=True))
    sa.Index("ix_execution_probe", execution.c.failed_step)
    kinds = {entry[0] for entry in _diff(engine, changed) if isinstance(entry, tuple)}
    assert {"add_column", "add_index"} <= kinds


def test_migration_is_at_head_and_upgrading_again_changes_nothing(url: str) -> None:
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    before = _sqlite_schema(url)
    assert before[1] == [(head,)]
    upgrade(url)
    assert _sqlite_schema(url) == before


def test_downgrade_to_base_drops_every_table(url: str) -> None:
    command.downgrade(alembic_config(url), "base")
    engine = sa.create_engine(url)
    try:
        assert set(sa.inspect(engine).get_table_names()) == {"alembic_version"}
    finally:
        engine.dispose()
    upgrade(url)
    assert _sqlite_schema(url)[1] != []


def test_engine_turns_on_foreign_keys_and_wal(engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"


def test_deleting_a_workflow_cascades_and_deleting_a_user_sets_null(engine: Engine) -> None:
    with Session(engine) as session:
        user = User(email="owner@example.com", password_hash="x")
        session.add(user)
        session.flush()
        workflow = Workflow(name="nightly", created_by=user.id)
        session.add(workflow)
        session.flush()
        execution = Execution(workflow_id=workflow.id, created_by=user.id)
        session.add(execution)
        session.flush()
        step = ExecutionStep(execution_id=execution.id, position=0, action_id="a", type="http")
        session.add(step)
        session.flush()
        session.add(StepAttempt(step_id=step.id, number=1))
        session.commit()
        workflow_id = workflow.id

    with engine.begin() as conn:
        conn.execute(sa.text('DELETE FROM "user"'))
    with Session(engine) as session:
        assert session.get(Workflow, workflow_id).created_by is None
        assert session.exec(select(Execution)).one().created_by is None

    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM workflow WHERE id = :id"), {"id": workflow_id})
    with Session(engine) as session:
        assert session.exec(select(Execution)).all() == []
        assert session.exec(select(ExecutionStep)).all() == []
        assert session.exec(select(StepAttempt)).all() == []


def test_a_row_pointing_nowhere_is_refused(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(Execution(workflow_id=12345))
        with pytest.raises(sa.exc.IntegrityError, match="FOREIGN KEY"):
            session.commit()
