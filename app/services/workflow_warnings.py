"""Warnings on save: what a valid workflow will not do as written, said when it is saved.

A warning never refuses the save. Its shape, in the REST create/update answers and for the
form: `{"path": "actions[2].config.metrics", "message": "…"}` (the path as validation problems
write it, so the form shows it next to the step).

Today: a `monitor` step whose `metrics` no connected metric source can measure (that step
will end `skipped` for those with the same words, "no metrics source for ranking, traffic,
engagement: add one under Connections").
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from app.core.errors import NotFound
from app.core.metrics import SOURCE_PLATFORMS, no_source_reason, unserved
from app.db.engine import session_scope
from app.db.models import Connection
from app.integrations.credentials import find_row
from app.services.actor import Actor

NO_SMTP = "no SMTP connection: add one under Connections"


def _platforms(named: list[Any] | None) -> list[str]:
    """The metric source platforms connected (of the `named` connections when given)."""
    with session_scope() as session:
        if named:
            found = []
            for ref in named:
                try:
                    found.append(find_row(session, ref).platform)
                except NotFound:
                    continue  # the run names it; a save warning is about sources
            return [p for p in found if p in SOURCE_PLATFORMS]
        rows = session.exec(
            select(Connection.platform)
            .where(col(Connection.platform).in_(SOURCE_PLATFORMS))
            .distinct()
        ).all()
    return list(rows)


def warnings_for(actions: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The warnings of a workflow's steps (as stored: `{"id", "type", "config"}` dicts)."""
    found: list[dict[str, str]] = _email_warnings(actions)
    for index, action in enumerate(actions):
        config = action.get("config") if isinstance(action, dict) else None
        if action.get("type") != "monitor" or not isinstance(config, dict):
            continue
        metrics = [m for m in config.get("metrics") or [] if isinstance(m, str)]
        if not metrics:
            continue
        sources = config.get("sources")
        missing = unserved(metrics, _platforms(sources if isinstance(sources, list) else None))
        if missing:
            path = f"actions[{index}].config.metrics"
            found.append({"path": path, "message": no_source_reason(missing)})
    return found


def _email_warnings(actions: list[dict[str, Any]]) -> list[dict[str, str]]:
    """A `send_email` step with no SMTP connection to send through (it will fail so)."""
    steps = [(i, a) for i, a in enumerate(actions) if a.get("type") == "send_email"]
    if not steps:
        return []
    with session_scope() as session:
        rows = session.exec(
            select(Connection.id, Connection.name).where(Connection.platform == "smtp")
        )
        smtp = {str(ref) for row in rows.all() for ref in row}
    found = []
    for index, action in steps:
        ref = (action.get("config") or {}).get("connection")
        if (ref is None and not smtp) or (ref is not None and str(ref) not in smtp):
            message = (
                NO_SMTP if ref is None else f"no SMTP connection {ref!r}: add it under Connections"
            )
            found.append({"path": f"actions[{index}].config.connection", "message": message})
    return found


def check_warnings(actor: Actor, actions: list[dict[str, Any]]) -> list[dict[str, str]]:
    """For the form: the warnings of `actions` as they stand (members and admins)."""
    actor.require_member()
    return warnings_for(actions)
