"""Analytics rollups, error groups, application settings, retention columns

Revision ID: 0009
Revises: 0008
Create Date: 2027-04-01

`execution_hour` / `execution_day` count each workflow's finished runs per UTC hour and day
(by outcome, with duration and queue-wait sums and fixed histogram columns `d0..d91`,
`q0..q91`: bounds in app.core.analytics); `step_hour` / `step_day` the same per action;
`error_group` failures per message shape and day with an example. `app_setting` holds
application-wide settings as JSON by key ("retention"). `workflow` gets its own retention
(`keep_days`, `keep_last`, `keep_data_days`, null: the global one), `execution` the time its
steps' data was pruned (`data_pruned_at`), `execution_step` an index on (action_id, status,
execution_id) for an action's latest failures, `execution` a partial index on the runs whose
step data is kept (retention), `audit_event` four composite indexes (audit reports).

The rollups are filled from the existing runs by the code that keeps them as runs end
(app.engine.rollups_sql.add_rollups, streamed a batch at a time). It reads the 0008 columns
of `execution` / `execution_step` and writes the tables created here; a later migration that
changes those must freeze a copy of it here. No existing value changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from app.db.types import UTCDateTime
from app.engine import rollups_sql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Audit reports count ranges of these (app.services.audit_reports).
_AUDIT_INDEXES = {
    "ix_audit_action_at": ["action", "at"],
    "ix_audit_actor_at": ["actor_id", "at"],
    "ix_audit_actor_action_at": ["actor_id", "action", "at"],
    "ix_audit_target_at": ["target_type", "target_id", "at"],
}
#: Histogram buckets at this revision (app.core.analytics.HIST_BUCKETS).
_BUCKETS = 92


def _workflow_fk() -> sa.Column:
    return sa.Column(
        "workflow_id", sa.Integer(), sa.ForeignKey("workflow.id", ondelete="CASCADE"),
        nullable=False,
    )  # fmt: skip


def _counts(*names: str) -> list[sa.Column]:
    return [sa.Column(n, sa.Integer(), nullable=False, server_default="0") for n in names]


def _total(name: str) -> sa.Column:
    return sa.Column(name, sa.Float(), nullable=False, server_default="0")


def _histogram(prefix: str) -> list[sa.Column]:
    return _counts(*(f"{prefix}{i}" for i in range(_BUCKETS)))


def _execution_rollup(name: str, period: str) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), primary_key=True),
        _workflow_fk(),
        sa.Column(period, UTCDateTime(), nullable=False),
        *_counts("runs", "succeeded", "failed", "cancelled", "other", "timed"),
        _total("duration_ms_sum"),
        *_counts("waited"),
        _total("queue_wait_ms_sum"),
        *_histogram("d"),
        *_histogram("q"),
        sa.UniqueConstraint("workflow_id", period, name=f"uq_{name}"),
    )
    op.create_index(f"ix_{name}_{period}", name, [period])


def _step_rollup(name: str, period: str) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), primary_key=True),
        _workflow_fk(),
        sa.Column("action_id", sa.String(length=64), nullable=False),
        sa.Column(period, UTCDateTime(), nullable=False),
        *_counts("runs", "failures", "skipped", "retries", "timed"),
        _total("duration_ms_sum"),
        *_histogram("d"),
        sa.UniqueConstraint("workflow_id", "action_id", period, name=f"uq_{name}"),
    )
    op.create_index(f"ix_{name}_{period}", name, [period])


def _create_tables() -> None:
    _execution_rollup("execution_hour", "hour")
    _execution_rollup("execution_day", "day")
    _step_rollup("step_hour", "hour")
    _step_rollup("step_day", "day")
    op.create_table(
        "error_group",
        sa.Column("id", sa.Integer(), primary_key=True),
        _workflow_fk(),
        sa.Column("action_id", sa.String(length=64), nullable=False),
        sa.Column("shape_hash", sa.String(length=16), nullable=False),
        sa.Column("day", UTCDateTime(), nullable=False),
        sa.Column("shape", sa.String(length=500), nullable=False),
        *_counts("count"),
        sa.Column("first_seen", UTCDateTime(), nullable=False),
        sa.Column("last_seen", UTCDateTime(), nullable=False),
        sa.Column("example_execution_id", sa.Integer(), nullable=True),
        sa.Column("example_error", sa.String(length=1000), nullable=False),
        sa.UniqueConstraint("workflow_id", "action_id", "shape_hash", "day", name="uq_error_group"),
    )
    op.create_index("ix_error_group_workflow_day", "error_group", ["workflow_id", "day"])
    op.create_index("ix_error_group_day", "error_group", ["day"])
    op.create_table(
        "app_setting",
        sa.Column("key", sa.String(length=64), primary_key=True),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column(
            "updated_by",
            sa.Integer(),
            sa.ForeignKey("user.id", ondelete="SET NULL"),
            nullable=True,
        ),  # fmt: skip
    )
    op.create_index("ix_app_setting_updated_by", "app_setting", ["updated_by"])


def upgrade() -> None:
    # Plain ADD COLUMNs: a batch copy of `workflow` or `execution` would cascade-delete rows.
    for name in ("keep_days", "keep_last", "keep_data_days"):
        op.add_column("workflow", sa.Column(name, sa.Integer(), nullable=True))
    op.add_column("execution", sa.Column("data_pruned_at", UTCDateTime(), nullable=True))
    op.create_index(
        "ix_execution_data_kept",
        "execution",
        ["workflow_id", "started_at"],
        sqlite_where=sa.text("data_pruned_at IS NULL"),
        postgresql_where=sa.text("data_pruned_at IS NULL"),
    )
    for name, columns in _AUDIT_INDEXES.items():
        op.create_index(name, "audit_event", columns)
    op.create_index(
        "ix_execution_step_action_status", "execution_step", ["action_id", "status", "execution_id"]
    )
    _create_tables()
    # The existing runs, as the engine would have counted them had the rollups existed.
    rollups_sql.add_rollups(op.get_bind())


def downgrade() -> None:
    for table in ("app_setting", "error_group", "step_day", "step_hour"):
        op.drop_table(table)
    op.drop_table("execution_day")
    op.drop_table("execution_hour")
    op.drop_index("ix_execution_step_action_status", table_name="execution_step")
    for name in _AUDIT_INDEXES:
        op.drop_index(name, table_name="audit_event")
    op.drop_index("ix_execution_data_kept", table_name="execution")
    # Plain DROP COLUMNs (SQLite 3.35+ and PostgreSQL): a batch copy would cascade deletes.
    op.drop_column("execution", "data_pruned_at")
    for name in ("keep_days", "keep_last", "keep_data_days"):
        op.drop_column("workflow", name)
