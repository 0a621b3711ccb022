"""workflow.on_interrupted: what start-up recovery does with a run a dead process left behind

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

Existing workflows get "leave" (what Flowdeck always did). The stored version definitions get
the same key, so the history shows no phantom change on the next save and a rollback to a
version saved before this migration restores "leave".
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_VERSIONS = sa.table(
    "workflow_version", sa.column("id", sa.Integer), sa.column("definition", sa.JSON)
)
_BATCH = 500


def _rewrite_definitions(change: dict) -> None:
    """Apply `change` (key → value, None to remove) to every stored workflow definition."""
    conn = op.get_bind()
    last_id = 0
    while True:
        rows = conn.execute(
            sa.select(_VERSIONS.c.id, _VERSIONS.c.definition)
            .where(_VERSIONS.c.id > last_id)
            .order_by(_VERSIONS.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        for row_id, definition in rows:
            if isinstance(definition, dict):
                updated = {k: v for k, v in definition.items() if k not in change}
                updated |= {k: v for k, v in change.items() if v is not None}
                if updated != definition:
                    conn.execute(
                        _VERSIONS.update()
                        .where(_VERSIONS.c.id == row_id)
                        .values(definition=updated)
                    )
        last_id = rows[-1][0]


def upgrade() -> None:
    # A plain ADD COLUMN: a batch copy of `workflow` would cascade deletes (see downgrade).
    op.add_column(
        "workflow",
        sa.Column(
            "on_interrupted",
            sqlmodel.sql.sqltypes.AutoString(length=8),
            nullable=False,
            server_default="leave",
        ),
    )
    _rewrite_definitions({"on_interrupted": "leave"})


def downgrade() -> None:
    _rewrite_definitions({"on_interrupted": None})
    # A plain DROP COLUMN (SQLite 3.35+ and PostgreSQL), not a batch copy of the table: with
    # foreign keys on, dropping the old `workflow` table would cascade to every execution.
    op.drop_column("workflow", "on_interrupted")
