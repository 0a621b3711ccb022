"""Saving a workflow that would call itself through `sub_workflow` steps is refused.

The loop is spelled with the workflows' names (`Nightly → Report → Nightly`) at the path of
the call that starts it. Only literal workflow ids are followed (see
`app.core.workflow_calls`); a templated one meets the engine's depth limit at run time.
A new workflow cannot be in a loop (nothing can name it yet), so only updates are checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from app.core.errors import Problem, ValidationFailed
from app.core.workflow_calls import called_workflows, loop_through
from app.db.models import Workflow

_WF = Workflow.__table__  # type: ignore[attr-defined]
# Only definitions that mention a sub-workflow can be part of a loop.
_CALLERS = sa.select(_WF.c.id, _WF.c.name, _WF.c.actions).where(
    sa.cast(_WF.c.actions, sa.Text).like("%sub_workflow%")
)


def check_no_loop(session: Session, workflow_id: int, name: str, actions: Sequence[Any]) -> None:
    """Raise `ValidationFailed` if workflow `workflow_id` with `actions` reaches itself."""
    own = called_workflows(actions)
    if not own:
        return
    calls: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for row in session.connection().execute(_CALLERS):
        names[row.id] = row.name
        calls[row.id] = [target for _, target in called_workflows(row.actions or [])]
    calls[workflow_id] = [target for _, target in own]
    names[workflow_id] = name
    loop = loop_through(workflow_id, calls)
    if loop is None:
        return
    path = next(path for path, target in own if target == loop[1])
    spelled = " → ".join(names.get(node, f"workflow {node}") for node in loop)
    raise ValidationFailed([Problem(path, f"calls itself through sub-workflows: {spelled}")])
