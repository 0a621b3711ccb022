"""The graph an execution runs: the steps of the workflow version it was started with.

The execution page draws it (nodes = steps, edges = `depends_on`). A version's steps never
change, so the page reads this once per execution, not on every live update. Built leniently
(`nodes_of`): an old definition that would not validate today still draws.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.core.errors import NotFound
from app.core.graph import Graph, dependents_of, field_of, nodes_of, topological_order
from app.db.engine import get_engine
from app.db.models import Execution, Workflow, WorkflowVersion
from app.services.actor import Actor

_EX = Execution.__table__  # type: ignore[attr-defined]
_WF = Workflow.__table__  # type: ignore[attr-defined]
_WV = WorkflowVersion.__table__  # type: ignore[attr-defined]
_RUN = sa.select(_EX.c.workflow_id, _EX.c.workflow_version).where(
    _EX.c.id == sa.bindparam("p_execution_id")
)
_DEFINITION = sa.select(_WV.c.definition).where(
    _WV.c.workflow_id == sa.bindparam("p_workflow_id"),
    _WV.c.version_number == sa.bindparam("p_version"),
)
_ACTIONS = sa.select(_WF.c.actions).where(_WF.c.id == sa.bindparam("p_workflow_id"))


@dataclass(frozen=True)
class ExecutionGraph:
    graph: Graph
    names: Mapping[str, str]  # step id → its name (the id when it has none)
    steps: tuple[Mapping[str, Any], ...] = ()  # the step definitions (for the canvas)


def graph_from_actions(actions: list[Any]) -> ExecutionGraph:
    steps = [a for a in actions if isinstance(a, Mapping)]
    nodes = nodes_of(steps)
    graph = Graph(nodes=nodes, order=topological_order(nodes), dependents=dependents_of(nodes))
    names = {
        str(field_of(a, "id")): str(a.get("name") or field_of(a, "id"))
        for a in steps
        if isinstance(field_of(a, "id"), str)
    }
    return ExecutionGraph(graph, names, tuple(steps))


def execution_graph(actor: Actor, execution_id: int) -> ExecutionGraph:
    """The steps' graph of `execution_id`, as its version defined them (blocking: a thread)."""
    actor.require_member()
    with get_engine().connect() as conn:
        run = conn.execute(_RUN, {"p_execution_id": execution_id}).first()
        if run is None:
            raise NotFound(f"execution {execution_id} does not exist")
        key = {"p_workflow_id": run.workflow_id, "p_version": run.workflow_version}
        definition = conn.execute(_DEFINITION, key).scalar()
        actions = (definition or {}).get("actions")
        if not actions:  # as the engine does: a version never recorded runs the current steps
            actions = conn.execute(_ACTIONS, key).scalar() or []
    return graph_from_actions(actions)
