"""alert.min_severity: the optional minimum, apart from `severity`, the label

Revision ID: 0006
Revises: 0005
Create Date: 2027-03-01

Until now an alert's `severity` was both the label of what it sent and a silent minimum: each
event kind has a fixed severity (a failed run is an error, a failed step a warning, a start or
a success information), and an alert fired only for events at or above its `severity`. So the
original document's alert (`events: ["workflow_complete", "workflow_fail"]`, `severity: "error"`)
never reported a success. From now on the events ticked are the events sent, `severity` is
only the label (colour, emoji, subject prefix), and a minimum, when wanted, is the separate
`min_severity` (null: none).

Every existing alert keeps exactly what it did. Where its `severity` filtered something
(warning, error, critical), that becomes its `min_severity` (so a `notify` step below it is
still held back), and the ticked events that the filter always held back are unticked: they
never fired, and a ticked event that can never fire is what the API now refuses. The original's
alert becomes `events: ["workflow_fail"]`, `min_severity: "error"`. An alert whose every event
was held back (it never fired at all) keeps its events and minimum: it still never fires, and
the next edit is refused with the reason until one of them changes. `info` filtered nothing:
`min_severity` stays null. Downgrade writes the minimum back into `severity` (the old code's
filter), `info` where there was none; unticked events stay unticked (they never fired there).
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ALERTS = sa.table(
    "alert",
    sa.column("id", sa.Integer),
    sa.column("events", sa.JSON),
    sa.column("severity", sa.String),
    sa.column("min_severity", sa.String),
)
_RANK = {"info": 0, "warning": 1, "error": 2, "critical": 3}
#: Each event kind's fixed severity, as app/alerts/events.py had it at this revision.
_EVENT_RANK = {"workflow_start": 0, "workflow_complete": 0, "workflow_fail": 2, "step_fail": 1}


def _upgraded(events: object, severity: str) -> dict | None:
    """The new values of one alert, or None when nothing changes."""
    rank = _RANK.get(severity, 0)
    if rank == 0:
        return None
    ticked = [e for e in events if isinstance(e, str)] if isinstance(events, list) else []
    kept = [e for e in ticked if _EVENT_RANK.get(e, 3) >= rank]
    return {"min_severity": severity, "events": kept or ticked}


def upgrade() -> None:
    # A plain ADD COLUMN: a batch copy of `alert` would cascade-delete its deliveries.
    op.add_column("alert", sa.Column("min_severity", sa.String(length=16), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.select(_ALERTS.c.id, _ALERTS.c.events, _ALERTS.c.severity)).all()
    for row_id, events, severity in rows:
        values = _upgraded(events, severity)
        if values is not None:
            conn.execute(_ALERTS.update().where(_ALERTS.c.id == row_id).values(**values))


def downgrade() -> None:
    op.execute(_ALERTS.update().values(severity=sa.func.coalesce(_ALERTS.c.min_severity, "info")))
    op.drop_column("alert", "min_severity")
