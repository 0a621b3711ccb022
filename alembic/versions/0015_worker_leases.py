"""worker_lease, leader_lease; execution.lease_id, execution_step.lease_id (#17)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02

Each Flowdeck process holds a row in `worker_lease` that it renews (heartbeat) and that
expires when it stops renewing it. A run and each of its steps record the lease of the
process that runs them (`lease_id`, a plain indexed text: the lease row goes when its process
is gone, the run keeps saying who ran it). Recovery interrupts only runs whose lease expired.
A lease also names the process's `instance` (kernel boot and pid namespace), so that a process
on the same machine can tell that a lease's pid is gone without waiting for it to run out.
`leader_lease` holds one row per leadership (`scheduler`): the lease holding it and until when.
Existing rows get a null `lease_id` ("from before leases"); nothing else changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from app.db.types import UTCDateTime

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "worker_lease",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("instance", sa.String(length=64), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("heartbeat_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_worker_lease_expires_at", "worker_lease", ["expires_at"])
    op.create_table(
        "leader_lease",
        sa.Column("name", sa.String(length=32), primary_key=True),
        sa.Column("holder", sa.String(length=32), nullable=False),
        sa.Column("acquired_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
    )
    # Plain ADD COLUMNs: a batch copy of `execution` would cascade deletes (see 0002).
    op.add_column("execution", sa.Column("lease_id", sa.String(length=32), nullable=True))
    op.create_index("ix_execution_lease_id", "execution", ["lease_id"])
    op.add_column("execution_step", sa.Column("lease_id", sa.String(length=32), nullable=True))


def downgrade() -> None:
    op.drop_column("execution_step", "lease_id")
    op.drop_index("ix_execution_lease_id", table_name="execution")
    op.drop_column("execution", "lease_id")
    op.drop_table("leader_lease")
    op.drop_index("ix_worker_lease_expires_at", table_name="worker_lease")
    op.drop_table("worker_lease")
