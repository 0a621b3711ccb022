"""Orchestration use cases shared by the UI and the REST API: create, change, list, delete.

Roles: viewers read (list, get, versions, runs); members and admins change and run. Every
save is a version (`orchestration_versions`; read and restored in `orchestration_history`) and
an audit row. A definition is validated by `app.core.orchestration.validate_orchestration`
(every problem with its path, camelCase accepted) plus one rule of storage: a secret written
literally into a call's headers or query would be stored, versioned and shown, so it is
refused; use a connection or a template such as `{{ env.API_TOKEN }}` (secret FLOWDECK_ENV_*
values are masked in every record).

Runs and their records: `orchestration_runs`. Rows saved before migration 0005 may hold calls
in the original loose shape; they are listed and shown as stored, with `problems` saying what a
run (or the next save) would refuse.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from pydantic.alias_generators import to_camel
from sqlmodel import Session, func, select

from app.core.errors import Conflict, NotFound, Problem, ValidationFailed
from app.core.orchestration import OrchestrationSpec, validate_orchestration
from app.core.redact import is_secret_key
from app.db.engine import session_scope
from app.db.models import Orchestration
from app.db.portable import contains_text, order_by
from app.db.types import utcnow
from app.engine.bus import bus
from app.services import audit
from app.services.actor import Actor
from app.services.orchestration_versions import write_version

DEFINITION_FIELDS = (
    "name",
    "description",
    "mode",
    "calls",
    "retry",
    "timeout_s",
    "max_parallel",
    "is_active",
)
_SNAKE = {to_camel(name): name for name in (*DEFINITION_FIELDS, "change_description")}
_SECRET_HINT = (
    "a secret written here would be stored and shown: authenticate with a connection"
    " (`connection`: its id or name) or use a template such as {{ env.API_TOKEN }}"
)


def require_reader(actor: Actor) -> None:
    """Members and admins read orchestrations, as workflows (viewers see /status only)."""
    actor.require_member()  # as for workflows: definitions hold URLs and call shapes


def snake_keys(data: dict[str, Any]) -> dict[str, Any]:
    """Top-level camelCase keys (the original document's) in snake_case."""
    return {_SNAKE.get(key, key): value for key, value in data.items()}


def _is_template(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def _literal_secrets(spec: OrchestrationSpec) -> list[Problem]:
    problems = []
    for index, call in enumerate(spec.calls):
        for where, values in (("headers", call.headers), ("query", call.query)):
            for key, value in values.items():
                if is_secret_key(key) and value not in (None, "") and not _is_template(value):
                    problems.append(Problem(f"calls[{index}].{where}.{key}", _SECRET_HINT))
    return problems


def parse_definition(data: dict[str, Any]) -> OrchestrationSpec:
    """Validate a definition, reporting every problem at once with its path.

    Unknown top-level keys (such as `createdBy` or `id` from the original examples) are not
    part of the definition and are dropped, as for workflows.
    """
    clean = {k: v for k, v in snake_keys(data).items() if k in DEFINITION_FIELDS}
    spec = validate_orchestration(clean)
    if problems := _literal_secrets(spec):
        raise ValidationFailed(problems)
    return spec


def definition_of(spec: OrchestrationSpec) -> dict[str, Any]:
    """The JSON stored in the row and in versions (snake_case, every default written)."""
    return spec.model_dump(mode="json")


def definition_from_row(row: Orchestration) -> dict[str, Any]:
    return {
        "name": row.name,
        "description": row.description,
        "mode": row.mode,
        "calls": list(row.calls),
        "retry": dict(row.retry),
        "timeout_s": row.timeout_s,
        "max_parallel": row.max_parallel,
        "is_active": row.is_active,
    }


def apply_definition(row: Orchestration, definition: dict[str, Any]) -> None:
    for name in DEFINITION_FIELDS:
        setattr(row, name, definition[name])


_PROBLEMS: OrderedDict[tuple[int, str, int], list[dict[str, str]]] = OrderedDict()
_PROBLEMS_KEPT = 512


def definition_problems(row: Orchestration) -> list[dict[str, str]]:
    """What a run of the stored definition would refuse (`[]` for anything saved since 0005).

    Remembered per (id, updated_at, version): a list page validates each row once per change.
    """
    key = (row.id or 0, row.updated_at.isoformat(), row.version)
    found = _PROBLEMS.get(key)
    if found is None:
        try:
            parse_definition(definition_from_row(row))
            found = []
        except ValidationFailed as exc:
            found = [p.as_dict() for p in exc.problems]
        _PROBLEMS[key] = found
        if len(_PROBLEMS) > _PROBLEMS_KEPT:
            _PROBLEMS.popitem(last=False)
    return found


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def to_public(row: Orchestration) -> dict[str, Any]:
    """The orchestration as the API and UI show it: definition, counters, last run, problems."""
    finished = row.successes + row.failures
    return {
        "id": row.id,
        **definition_from_row(row),
        "call_count": len(row.calls),
        "version": row.version,
        "runs": row.runs,
        "successes": row.successes,
        "failures": row.failures,
        "success_rate": row.successes / finished if finished else None,
        "avg_ms": round(row.avg_ms, 2) if finished else None,
        "p95_ms": None if row.p95_ms is None else round(row.p95_ms, 2),
        "last_run_id": row.last_run_id,
        "last_run_at": _iso(row.last_run_at),
        "last_status": row.last_status,
        "problems": definition_problems(row),
        "created_by": row.created_by,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def get_row(session: Session, orchestration_id: int) -> Orchestration:
    row = session.get(Orchestration, orchestration_id)
    if row is None:
        raise NotFound(f"orchestration {orchestration_id} does not exist")
    return row


def _announce(orchestration_id: int) -> None:
    bus.publish_nowait("orchestration.changed", orchestration_id=orchestration_id)


def create_orchestration(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    actor.require_member()
    spec = parse_definition(data)
    definition = definition_of(spec)
    with session_scope() as session:
        row = Orchestration(created_by=actor.user_id)
        apply_definition(row, definition)
        session.add(row)
        session.flush()
        description = snake_keys(data).get("change_description") or "created"
        write_version(session, row, definition, actor, description=str(description))
        audit.record(
            session,
            actor,
            "orchestration.created",
            target_type="orchestration",
            target_id=row.id,
            details={"name": row.name, "mode": row.mode, "calls": len(row.calls)},
        )
        public = to_public(row)
    _announce(public["id"])
    return public


def update_orchestration(
    actor: Actor,
    orchestration_id: int,
    data: dict[str, Any],
    *,
    audit_action: str = "orchestration.updated",
    restored_from: int | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """Change an orchestration; keys left out keep their value (PUT with a partial body works).

    A save that changes nothing writes no version. A rollback comes through here too, naming
    its audit action and recording what it restored and why.
    """
    actor.require_member()
    data = snake_keys(data)
    with session_scope() as session:
        row = get_row(session, orchestration_id)
        before = definition_from_row(row)
        spec = parse_definition({**before, **data})
        after = definition_of(spec)
        if restored_from is not None and after == before:
            raise Conflict(
                f"orchestration {orchestration_id} already matches version {restored_from}"
            )
        if after != before:
            apply_definition(row, after)
            row.updated_at = utcnow()
            write_version(
                session,
                row,
                after,
                actor,
                description=str(data.get("change_description") or ""),
                restored_from=restored_from,
                reason=reason,
            )
            details: dict[str, Any] = {"name": row.name, "version": row.version}
            if restored_from is not None:
                details |= {"restored_from": restored_from, "reason": reason}
            audit.record(
                session,
                actor,
                audit_action,
                target_type="orchestration",
                target_id=row.id,
                details=details,
            )
        public = to_public(row)
    _announce(orchestration_id)
    return public


def delete_orchestration(actor: Actor, orchestration_id: int) -> None:
    """Delete it with its versions and runs (a run still going on stops being recorded)."""
    actor.require_member()
    with session_scope() as session:
        row = get_row(session, orchestration_id)
        name = row.name
        session.delete(row)
        audit.record(
            session,
            actor,
            "orchestration.deleted",
            target_type="orchestration",
            target_id=orchestration_id,
            details={"name": name},
        )
    _announce(orchestration_id)


def get_orchestration(actor: Actor, orchestration_id: int) -> dict[str, Any]:
    require_reader(actor)
    with session_scope() as session:
        return to_public(get_row(session, orchestration_id))


@dataclass(frozen=True)
class OrchestrationFilter:
    search: str = ""
    mode: str | None = None
    is_active: bool | None = None
    sort: str = "name"  # name, -last_run_at, -runs, avg_ms, -p95_ms, created_at …
    limit: int = 50
    offset: int = 0


_SORTS = {
    "name": Orchestration.name,
    "created_at": Orchestration.created_at,
    "runs": Orchestration.runs,
    "last_run_at": Orchestration.last_run_at,
    "avg_ms": Orchestration.avg_ms,
    "p95_ms": Orchestration.p95_ms,
}
SORT_FIELDS = tuple(_SORTS)


def list_orchestrations(
    actor: Actor, flt: OrchestrationFilter | None = None
) -> tuple[list[dict[str, Any]], int]:
    """A page of orchestrations and the total that match the filter."""
    require_reader(actor)
    flt = flt or OrchestrationFilter()
    query = select(Orchestration)
    if flt.search:
        query = query.where(contains_text(Orchestration.name, flt.search))
    if flt.mode:
        query = query.where(Orchestration.mode == flt.mode)
    if flt.is_active is not None:
        query = query.where(Orchestration.is_active == flt.is_active)
    column = _SORTS.get(flt.sort.lstrip("-"), Orchestration.name)
    order = order_by(
        column,
        descending=flt.sort.startswith("-"),
        text=column is Orchestration.name,
        tie=Orchestration.id,
    )
    with session_scope() as session:
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = session.exec(
            query.order_by(*order).offset(max(0, flt.offset)).limit(min(max(1, flt.limit), 500))
        ).all()
        return [to_public(row) for row in rows], total
