"""What a run starts with: its graph of steps, the secrets it knows, its template context."""

from __future__ import annotations

import json
import logging
from typing import Any

from app.core.graph import Graph, build_graph
from app.core.redact import SecretValues
from app.db.types import utcnow
from app.integrations.secrets import SecretUnreadable, decrypt

log = logging.getLogger("flowdeck.engine")

_GRAPHS: dict[str, Graph] = {}
_GRAPHS_KEPT = 64


def graph_of(actions: list[dict[str, Any]]) -> Graph:
    """The graph of a run's steps; built (and checked) once per distinct definition.

    Checking a graph costs more than planning a short run, and most runs repeat a definition
    (a version's steps never change). Graphs are frozen, so runs may share one.
    """
    key = json.dumps(actions, sort_keys=True, default=str)
    graph = _GRAPHS.get(key)
    if graph is None:
        graph = build_graph(actions)
        if len(_GRAPHS) >= _GRAPHS_KEPT:
            _GRAPHS.pop(next(iter(_GRAPHS)))
        _GRAPHS[key] = graph
    return graph


def run_secrets(run: dict[str, Any], env_secrets: tuple[str, ...]) -> SecretValues:
    """The secrets a run knows from its start: secret env values and its webhook secret."""
    secrets = SecretValues(env_secrets)
    if run.get("webhook_secret_enc"):
        try:
            secrets.append(decrypt(run["webhook_secret_enc"]))
        except SecretUnreadable:  # the keyring check reports it; the run need not fail
            log.warning("execution %s: the webhook secret cannot be read to mask it", run["id"])
    return secrets


def run_context(run: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    return {
        "trigger": run["trigger_payload"] or {},
        "steps": {},
        "workflow": {
            "id": run["workflow_id"],
            "name": run["workflow_name"],
            "version": run["workflow_version"],
        },
        "execution": {
            "id": run["id"],
            "trigger_type": run["trigger_type"],
            "retry_of": run["retry_of"],
        },
        "env": dict(env),
        "now": utcnow().isoformat(),
    }
