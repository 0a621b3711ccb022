"""workflow.max_parallel: how many steps of one execution may run at the same time

Revision ID: 0003
Revises: 0002
Create Date: 2027-01-10

Graph workflows run independent steps concurrently, up to the workflow's `max_parallel`.
Existing workflows get 8, the default of a new one (a plain list of steps is a chain, so the
value changes nothing for them). The stored version definitions get the same key, so the history
shows no phantom change on the next save and a rollback to an older version restores 8.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_MAX_PARALLEL = 8
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
    # A plain ADD COLUMN: a batch copy of `workflow` would cascade deletes (see 0002).
    op.add_column(
        "workflow",
        sa.Column(
            "max_parallel",
            sa.Integer(),
            nullable=False,
            server_default=str(DEFAULT_MAX_PARALLEL),
        ),
    )
    _rewrite_definitions({"max_parallel": DEFAULT_MAX_PARALLEL})


def downgrade() -> None:
    _rewrite_definitions({"max_parallel": None})
    op.drop_column("workflow", "max_parallel")
