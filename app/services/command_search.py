"""The command palette's search: pages and actions, workflows by name, runs by number and by
error text, for what the person may open.

Bounded everywhere: the query is cut to `MAX_QUERY` characters, each group returns a few
hits, and the error search reads only the newest `ERROR_WINDOW` runs (an id range on the
primary key, newest first), so it costs the same with a million runs as with a thousand.
Members and admins only (viewers have no admin pages); admin-only pages and actions are left
out for members.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from app.core.palette import Entry, Query, like_pattern, parse, ranked, snippet
from app.core.statuses import Role
from app.db.engine import get_engine
from app.db.models import Execution, Workflow
from app.services.actor import Actor

MAX_ENTRIES = 6  # pages and actions shown for a query
MAX_WORKFLOWS = 6
MAX_RUN_ACTIONS = 3  # "Run <workflow>" offered for the best workflow matches
MAX_ERRORS = 6  # runs found by their error text
ERROR_WINDOW = 20_000  # the newest runs whose errors are searched

_EX = Execution.__table__  # type: ignore[attr-defined]
_WF = Workflow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Hit:
    kind: str  # "page", "action", "workflow", "run" (run a workflow) or "execution"
    label: str
    hint: str
    icon: str
    target: str  # the path it opens ("" for an action the page carries out)
    action: str = ""  # the entry's action name, for `kind == "action"` without a path
    ref: int = 0  # the workflow (kind "run") or execution it is about


def search(
    actor: Actor, raw: str, *, entries: Sequence[Entry], error_window: int = ERROR_WINDOW
) -> list[Hit]:
    """What the palette lists for `raw`: an execution by number first, then pages and
    actions, workflows (and running them), then runs whose error mentions the text (among
    the newest `error_window` runs)."""
    actor.require_member()
    query = parse(raw)
    admin = actor.role == Role.ADMIN
    hits: list[Hit] = []
    with get_engine().connect() as conn:
        if query.execution_id is not None:
            hits += _execution(conn, query.execution_id)
        if query.run_name is None:
            hits += [_entry_hit(e) for e in _entries(query, entries, admin)]
        if query.execution_id is None and query.text:
            hits += _workflows(conn, query)
        if query.searches_errors and query.run_name is None:
            hits += _errors(conn, query.text, max(1, error_window))
    return hits


def _entries(query: Query, entries: Sequence[Entry], admin: bool) -> list[Entry]:
    limit = len(entries) if not query.text else MAX_ENTRIES
    return ranked(query.text, entries, admin=admin, limit=limit)


def _entry_hit(entry: Entry) -> Hit:
    path = entry.target if entry.target.startswith("/") else ""
    hint = "Page" if entry.kind == "page" else "Action"
    action = "" if path else entry.target
    return Hit(entry.kind, entry.label, hint, entry.icon, path, action)


def _execution(conn: sa.Connection, execution_id: int) -> list[Hit]:
    row = conn.execute(
        sa.select(_EX.c.id, _EX.c.status, _EX.c.error, _WF.c.name)
        .join(_WF, _WF.c.id == _EX.c.workflow_id)
        .where(_EX.c.id == execution_id)
    ).first()
    if row is None:
        return []
    hint = row.status + (f" · {snippet(row.error, '', 70)}" if row.error else "")
    label = f"#{row.id} · {row.name}"
    return [Hit("execution", label, hint, "play", _run_path(row.id), "", row.id)]


def _workflows(conn: sa.Connection, query: Query) -> list[Hit]:
    name = (query.run_name if query.run_name is not None else query.text).lower()
    lowered = sa.func.lower(_WF.c.name)
    anywhere = like_pattern(name)
    rows = conn.execute(
        sa.select(_WF.c.id, _WF.c.name, _WF.c.is_active, _WF.c.trigger_type)
        .where(lowered.like(anywhere, escape="\\"))
        .order_by(  # names that start with the text first, then the shorter ones
            lowered.like(anywhere.removeprefix("%"), escape="\\").desc(),
            sa.func.length(_WF.c.name),
            _WF.c.id,
        )
        .limit(MAX_WORKFLOWS)
    ).all()
    runs = [
        Hit("run", f"Run {r.name}", "Action · starts it now", "play", "", "run", r.id)
        for r in rows
        if r.is_active
    ][:MAX_RUN_ACTIONS]
    jumps = [
        Hit(
            "workflow",
            r.name,
            f"Workflow · {r.trigger_type}" + ("" if r.is_active else " · paused"),
            "workflow",
            f"/admin/workflows/{r.id}",
            "",
            r.id,
        )
        for r in rows
    ]
    return runs + jumps if query.run_name is not None else jumps + runs


def _errors(conn: sa.Connection, text: str, window: int) -> list[Hit]:
    newest = conn.execute(sa.select(sa.func.max(_EX.c.id))).scalar() or 0
    rows = conn.execute(
        sa.select(_EX.c.id, _EX.c.status, _EX.c.error, _WF.c.name)
        .join(_WF, _WF.c.id == _EX.c.workflow_id)
        .where(
            _EX.c.id > newest - window,
            _EX.c.error.is_not(None),
            sa.func.lower(_EX.c.error).like(like_pattern(text.lower()), escape="\\"),
        )
        .order_by(_EX.c.id.desc())
        .limit(MAX_ERRORS)
    ).all()
    return [
        Hit(
            "execution",
            f"#{r.id} · {r.name}",
            f"{r.status} · {snippet(r.error, text, 80)}",
            "circle-x",
            _run_path(r.id),
            "",
            r.id,
        )
        for r in rows
    ]


def _run_path(execution_id: int) -> str:
    return f"/admin/executions/{execution_id}"
