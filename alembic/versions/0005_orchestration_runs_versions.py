"""Orchestrations: run settings, counters, versions, and runs recorded call by call

Revision ID: 0005
Revises: 0004
Create Date: 2027-02-01

`orchestration` gets its overall `timeout_s` (300), `max_parallel` (8), the current `version`
(1), and counters of finished runs (`successes`, `failures`, `avg_ms`, `p95_ms`, `last_run_id`).
`orchestration_run` gets the run's `inputs`, its `trigger` (manual | api | workflow; existing
runs were started by hand), who started it, the workflow execution whose step ran it, the
definition version it ran, call progress, and an index listing an orchestration's runs newest
first. `orchestration_version` keeps every save; each existing orchestration gets version 1 with
its definition as stored (the calls as written, whatever their shape: the service reports what
a run would refuse). `orchestration_call` holds one row per call of newer runs (older runs keep
their `results`). No existing value changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from app.db.types import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ORCHESTRATIONS = sa.table(
    "orchestration",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("description", sa.String),
    sa.column("mode", sa.String),
    sa.column("calls", sa.JSON),
    sa.column("retry", sa.JSON),
    sa.column("is_active", sa.Boolean),
    sa.column("timeout_s", sa.Float),
    sa.column("max_parallel", sa.Integer),
    sa.column("created_by", sa.Integer),
    sa.column("updated_at", UTCDateTime),
)
_BATCH = 500


def _fk(name: str, target: str, ondelete: str, nullable: bool = True) -> sa.Column:
    return sa.Column(
        name, sa.Integer(), sa.ForeignKey(target, ondelete=ondelete), nullable=nullable
    )


def _add_orchestration_columns() -> None:
    # Plain ADD COLUMNs: a batch copy of `orchestration` would cascade-delete its runs.
    for name, kind, default in (
        ("timeout_s", sa.Float(), "300"),
        ("max_parallel", sa.Integer(), "8"),
        ("version", sa.Integer(), "1"),
        ("successes", sa.Integer(), "0"),
        ("failures", sa.Integer(), "0"),
        ("avg_ms", sa.Float(), "0"),
    ):
        op.add_column(
            "orchestration", sa.Column(name, kind, nullable=False, server_default=default)
        )
    op.add_column("orchestration", sa.Column("p95_ms", sa.Float(), nullable=True))
    op.add_column("orchestration", sa.Column("last_run_id", sa.Integer(), nullable=True))


def _add_run_columns() -> None:
    # Nothing points at orchestration_run, so its batch copy (needed for the foreign key on
    # SQLite) deletes nothing.
    with op.batch_alter_table("orchestration_run") as batch:
        batch.add_column(sa.Column("orchestration_version", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("inputs", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column("trigger", sa.String(length=16), nullable=False, server_default="manual")
        )
        batch.add_column(sa.Column("created_by", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_orchestration_run_created_by", "user", ["created_by"], ["id"], ondelete="SET NULL"
        )
        batch.add_column(sa.Column("execution_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("calls_total", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("calls_done", sa.Integer(), nullable=False, server_default="0"))
        batch.create_index("ix_orchestration_run_created_by", ["created_by"])
        batch.create_index("ix_orchestration_run_execution_id", ["execution_id"])
        batch.create_index("ix_orch_run_newest", ["orchestration_id", "id"])


def _create_tables() -> None:
    op.create_table(
        "orchestration_version",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("orchestration_id", "orchestration.id", "CASCADE", nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("diff", sa.JSON(), nullable=False),
        sa.Column("change_summary", sa.JSON(), nullable=False),
        sa.Column("change_description", sa.String(length=2000), nullable=False),
        sa.Column("restored_from", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=2000), nullable=True),
        _fk("created_by", "user.id", "SET NULL"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("orchestration_id", "version_number"),
    )
    op.create_index("ix_orchestration_version_created_by", "orchestration_version", ["created_by"])
    op.create_table(
        "orchestration_call",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("run_id", "orchestration_run.id", "CASCADE", nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.UniqueConstraint("run_id", "position"),
    )


def _definition(row: sa.Row) -> dict:
    """What the service stores as a version, from a row saved before versions existed."""
    return {
        "name": row.name,
        "description": row.description,
        "mode": row.mode,
        "calls": row.calls if isinstance(row.calls, list) else [],
        "retry": row.retry if isinstance(row.retry, dict) else {},
        "timeout_s": row.timeout_s,
        "max_parallel": row.max_parallel,
        "is_active": bool(row.is_active),
    }


def _first_versions() -> None:
    conn = op.get_bind()
    versions = sa.table(
        "orchestration_version",
        *(sa.column(name) for name in ("orchestration_id", "version_number", "change_description")),
        sa.column("definition", sa.JSON),
        sa.column("diff", sa.JSON),
        sa.column("change_summary", sa.JSON),
        sa.column("created_by", sa.Integer),
        sa.column("created_at", UTCDateTime),
    )
    last_id = 0
    while True:
        rows = conn.execute(
            sa.select(_ORCHESTRATIONS)
            .where(_ORCHESTRATIONS.c.id > last_id)
            .order_by(_ORCHESTRATIONS.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        conn.execute(
            versions.insert(),
            [
                {
                    "orchestration_id": row.id,
                    "version_number": 1,
                    "definition": _definition(row),
                    "diff": {},
                    "change_summary": ["created"],
                    "change_description": "as saved before versions were kept",
                    "created_by": row.created_by,
                    "created_at": row.updated_at,
                }
                for row in rows
            ],
        )
        last_id = rows[-1].id


def upgrade() -> None:
    _add_orchestration_columns()
    _add_run_columns()
    _create_tables()
    _first_versions()


def downgrade() -> None:
    op.drop_table("orchestration_call")
    op.drop_index("ix_orchestration_version_created_by", table_name="orchestration_version")
    op.drop_table("orchestration_version")
    with op.batch_alter_table("orchestration_run") as batch:
        batch.drop_index("ix_orch_run_newest")
        batch.drop_index("ix_orchestration_run_execution_id")
        batch.drop_index("ix_orchestration_run_created_by")
        batch.drop_constraint("fk_orchestration_run_created_by", type_="foreignkey")
        for name in (
            "calls_done",
            "calls_total",
            "execution_id",
            "created_by",
            "trigger",
            "inputs",
            "orchestration_version",
        ):
            batch.drop_column(name)
    # Plain DROP COLUMNs (SQLite 3.35+ and PostgreSQL): a batch copy would cascade deletes.
    for name in (
        "last_run_id",
        "p95_ms",
        "avg_ms",
        "failures",
        "successes",
        "version",
        "max_parallel",
        "timeout_s",
    ):
        op.drop_column("orchestration", name)
