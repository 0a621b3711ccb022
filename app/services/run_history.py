"""The run-history strips of a page of workflows: each one's last runs, in one query.

One query for the whole page, never one per row: a `UNION ALL` of one small select per
workflow, each walking the `(workflow_id, id)` end of an index backwards and stopping after
`limit` rows. A window function (`row_number() over (partition by workflow_id …)`) would
number every run of every listed workflow first — a million-run history read to draw 600
bars. The bars themselves are decided in `app.core.run_strip`.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import sqlalchemy as sa

from app.core.errors import InvalidInput
from app.core.run_strip import STRIP_RUNS, Bar, Run, bars
from app.db.engine import get_engine
from app.db.models import Execution
from app.db.types import utcnow
from app.services.actor import Actor

MAX_WORKFLOWS = 100  # strips asked for at once (a page of the list is 20)
MAX_RUNS = 50  # runs per strip

_EX = Execution.__table__  # type: ignore[attr-defined]
_COLUMNS = (
    _EX.c.id,
    _EX.c.workflow_id,
    _EX.c.status,
    _EX.c.duration_ms,
    _EX.c.started_at,
    _EX.c.queued_at,
)


@lru_cache(maxsize=MAX_WORKFLOWS)
def _statement(count: int) -> sa.Select | sa.CompoundSelect:
    """The query for `count` workflows (`:w0`…, `:runs`), built once per count: building
    the 20 subqueries of a page cost more than running them."""
    parts = [
        sa.select(
            *sa.select(*_COLUMNS)
            .where(_EX.c.workflow_id == sa.bindparam(f"w{i}"))
            .order_by(_EX.c.id.desc())
            .limit(sa.bindparam("runs", literal_execute=False))
            .subquery()
            .c
        )
        for i in range(count)
    ]
    return parts[0] if count == 1 else sa.union_all(*parts)


def run_strips(
    actor: Actor, workflow_ids: Iterable[int], *, limit: int = STRIP_RUNS
) -> dict[int, list[Bar]]:
    """Each workflow's newest `limit` runs as strip bars (oldest first); an id without runs
    (or that does not exist) gets an empty list. Members and admins only."""
    actor.require_member()
    ids = sorted({int(i) for i in workflow_ids})
    if len(ids) > MAX_WORKFLOWS:
        raise InvalidInput(f"at most {MAX_WORKFLOWS} workflows at once; {len(ids)} were asked")
    if not 1 <= limit <= MAX_RUNS:
        raise InvalidInput(f"limit must be between 1 and {MAX_RUNS}")
    found: dict[int, list[Run]] = {i: [] for i in ids}
    if not ids:
        return {}
    params: dict[str, int] = {f"w{n}": workflow_id for n, workflow_id in enumerate(ids)}
    with get_engine().connect() as conn:
        for row in conn.execute(_statement(len(ids)), {**params, "runs": limit}):
            found[row.workflow_id].append(
                Run(row.id, row.status, row.duration_ms, row.started_at, row.queued_at)
            )
    now = utcnow()
    return {i: bars(runs, now, limit) for i, runs in found.items()}
