"""An n8n workflow export as a Flowdeck workflow definition, with a report. Pure.

Nodes become steps (`app.core.n8n_nodes`), the trigger node the trigger; connections become
`depends_on` (`"<id>:true"` / `"<id>:false"` after an IF, `"<id>:<case>"` after a Switch); a
node with several inputs waits with `none_failed` (it runs after whichever branch ran, as in
n8n). A node that cannot be mapped is left out and its dependents take its dependencies (n8n
passes items through it), so the rest still runs in the same order; the report lists it by
name and type with the reason, next to every expression left untranslated and every step that
needs a person (a connection to choose…). Positions become the steps' `ui` hints.

A Loop Over Items whose body is one step that can run per item over a list (an HTTP response
or a webhook body) becomes a `for_each` with `$json` as `item`; any other loop is reported.
The definition is validated by the caller like any other (`app.services.workflow_defs`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from app.core.cron import validate_timezone
from app.core.errors import Problem, ValidationFailed
from app.core.n8n_expressions import Scope
from app.core.n8n_graph import Edge, ordered, reachable, read_edges, read_nodes, without_cycles
from app.core.n8n_model import (
    MAX_DEPTH,
    Context,
    Mapped,
    N8nNode,
    TriggerMapped,
    Unmapped,
    too_deep,
)
from app.core.n8n_nodes import OUTPUT_PATHS, PASS_THROUGH, is_trigger, map_action, map_trigger

MAX_COORD = 1_000_000.0
_PER_ITEM = frozenset({"api_call", "transform", "notify"})
_LIST_SOURCES = (".output.body", "trigger.body")


@dataclass
class ImportReport:
    """What the import did with each node, for people: mapped, left out, to check."""

    source: str
    mapped: list[dict[str, Any]] = field(default_factory=list)
    unmapped: list[dict[str, Any]] = field(default_factory=list)
    untranslated: list[dict[str, Any]] = field(default_factory=list)
    attention: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "mapped": self.mapped,
            "unmapped": self.unmapped,
            "untranslated": self.untranslated,
            "attention": self.attention,
            "notes": self.notes,
        }

    def leave_out(self, node: N8nNode, reason: str) -> None:
        self.unmapped.append({"node": node.name, "type": node.type, "reason": reason})


@dataclass(frozen=True)
class Imported:
    definition: dict[str, Any]
    report: ImportReport


def step_ids(names: Sequence[str]) -> dict[str, str]:
    """A unique step id (`^[a-z][a-z0-9_-]{0,62}$`) per node name, read from the name."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        slug = re.sub(r"[^a-z0-9_-]+", "_", ascii_name.lower()).strip("_-")
        if not slug or not slug[0].isalpha():
            slug = f"n_{slug}".rstrip("_")
        slug, candidate, number = slug[:63], slug[:63], 1
        while candidate in taken:
            number += 1
            suffix = f"_{number}"
            candidate = slug[: 63 - len(suffix)] + suffix
        taken.add(candidate)
        ids[name] = candidate
    return ids


def _clamp(value: float) -> float:
    return max(-MAX_COORD, min(MAX_COORD, value))


def _choose_trigger(
    nodes: list[N8nNode], sources: set[str], context: Context, report: ImportReport
) -> tuple[N8nNode | None, TriggerMapped]:
    """The trigger kept: a connected one, and rather not the manual one that n8n workflows
    often keep beside their real trigger for testing."""
    chosen: tuple[N8nNode | None, TriggerMapped] | None = None
    triggers = sorted(
        (n for n in nodes if is_trigger(n)),
        key=lambda n: (n.name not in sources, n.short_type == "manualTrigger"),
    )
    for node in triggers:
        result = map_trigger(node, context)
        if isinstance(result, Unmapped):
            report.leave_out(node, result.reason)
        elif chosen is not None:
            report.leave_out(
                node, f"a Flowdeck workflow has one trigger; {chosen[0].name!r} is kept"
            )
        else:
            chosen = (node, result)
            report.mapped.append(
                {
                    "node": node.name,
                    "type": node.type,
                    "step_id": None,
                    "as": f"trigger:{result.type}",
                }
            )
    if chosen is None:
        report.notes.append("no trigger could be mapped: the workflow starts manually")
        return None, TriggerMapped("manual", {})
    return chosen


def _common(sources: list[str | None]) -> str | None:
    found = set(sources)
    return found.pop() if len(found) == 1 else None


@dataclass
class _Walk:
    """The state of one import while nodes are visited in order."""

    nodes: dict[str, N8nNode]
    edges: list[Edge]  # acyclic
    back: list[Edge]
    ids: dict[str, str]
    context: Context
    report: ImportReport
    kept: dict[str, Mapped] = field(default_factory=dict)
    inner: set[str] = field(default_factory=set)  # loop bodies folded into a for_each
    output: dict[str, str | None] = field(default_factory=dict)
    into: dict[str, list[Edge]] = field(default_factory=dict)  # incoming edges by target
    memo: dict[str, list[str]] = field(default_factory=dict)  # depends_on by node

    def incoming(self, name: str) -> list[Edge]:
        if not self.into:
            for edge in self.edges:
                self.into.setdefault(edge.target, []).append(edge)
        return self.into.get(name, [])

    def input_of(self, name: str) -> str | None:
        edges = self.incoming(name)
        return _common([self.output.get(e.source) for e in edges]) if edges else None

    def scope(self, json: str | None, nodes: dict[str, str | None] | None = None) -> Context:
        """The mapping context of a node whose `$json` is `json`."""
        scope = Scope(json=json, nodes=dict(self.output) if nodes is None else nodes)
        return replace(self.context, scope=scope)

    def visit(self, name: str) -> None:
        node, source = self.nodes[name], self.input_of(name)
        if node.settings.get("disabled") is True:
            self.report.leave_out(node, "disabled in n8n (its items pass through)")
            self.output[name] = source
            return
        if is_trigger(node):
            self.report.leave_out(node, "a trigger after the start: Flowdeck has one trigger")
            self.output[name] = None
            return
        result = self.loop(node, source) if node.short_type == "splitInBatches" else None
        result = result or map_action(node, self.scope(source))
        if isinstance(result, Unmapped):
            self.report.leave_out(node, result.reason)
            self.output[name] = None
            return
        self.kept[name] = result
        step = f"steps.{self.ids[name]}"
        if node.short_type in OUTPUT_PATHS:
            self.output[name] = step + OUTPUT_PATHS[node.short_type]
        else:
            self.output[name] = source if node.short_type in PASS_THROUGH else None

    def loop(self, node: N8nNode, source: str | None) -> Mapped | Unmapped | None:
        """A Loop Over Items as a for_each, when its meaning is clear; else why not."""
        body = [e.target for e in self.edges if e.source == node.name and e.output == 1]
        if node.version < 3 or len(body) != 1:
            return None
        inner = self.nodes[body[0]]
        returns = [e for e in self.back if e.source == inner.name and e.target == node.name]
        alone = [e.source for e in self.incoming(inner.name)] == [node.name] and not any(
            e.source == inner.name for e in self.edges
        )
        if not (returns and alone) or not (source and source.endswith(_LIST_SOURCES)):
            return None
        # Inside the loop, n8n's paired item of the list's node is the current item.
        paired = {name: "item" if path == source else path for name, path in self.output.items()}
        mapped = map_action(inner, self.scope("item", paired))
        if isinstance(mapped, Unmapped) or mapped.type not in _PER_ITEM:
            return None
        self.inner.add(inner.name)
        size = node.parameters.get("batchSize", 1)
        step = {
            "type": mapped.type,
            "name": inner.name[:200],
            "config": mapped.config,
            **_step_fields(inner),
        }
        config = {
            "items": "{{ " + source + " }}",
            "step": step,
            "concurrency": size if isinstance(size, int) and 1 <= size <= 64 else 1,
        }
        self.report.mapped.append(
            {
                "node": inner.name,
                "type": inner.type,
                "step_id": self.ids[node.name],
                "as": "for_each step",
            }
        )
        untranslated = [(f"step.config.{path}", text) for path, text in mapped.untranslated]
        return Mapped("for_each", config, untranslated, mapped.attention, mapped.notes)

    def depends_on(self, name: str) -> list[str]:
        """The step's `depends_on`: its sources' ids (and outputs), through nodes left out.

        Memoised: the edges are acyclic, and a lattice of left-out nodes would otherwise be
        walked once per path (exponentially many)."""
        if name in self.memo:
            return self.memo[name]
        found: list[str] = []
        for edge in self.incoming(name):
            source = self.nodes.get(edge.source)
            mapped = self.kept.get(edge.source)
            if source is None:
                continue  # the trigger (start at the beginning)
            if mapped is None:
                found += self.depends_on(edge.source)
            elif mapped.outputs is not None:
                labels = mapped.outputs[edge.output] if edge.output < len(mapped.outputs) else []
                found += [f"{self.ids[edge.source]}:{label}" for label in labels]
            elif edge.output == 0:
                found.append(self.ids[edge.source])
            else:
                self.report.attention.append(
                    {
                        "node": source.name,
                        "step_id": self.ids[edge.source],
                        "message": "its error output is not kept: set continue_on_error and a "
                        "condition on the next step instead",
                    }
                )
        self.memo[name] = list(dict.fromkeys(found))
        return self.memo[name]


def _step_fields(node: N8nNode) -> dict[str, Any]:
    """Retry and continue-on-error from the node's settings."""
    fields: dict[str, Any] = {}
    settings = node.settings
    if settings.get("retryOnFail") is True:
        tries, wait = settings.get("maxTries", 3), settings.get("waitBetweenTries", 1000)
        tries = tries if isinstance(tries, int) and not isinstance(tries, bool) else 3
        wait = wait if isinstance(wait, int | float) and not isinstance(wait, bool) else 1000
        fields["retry"] = {
            "strategy": "exponential",
            "max_attempts": max(1, min(20, tries)),
            "delay_s": max(0.0, wait / 1000),
            "factor": 1,
            "max_delay_s": max(60.0, wait / 1000),
        }
    if settings.get("continueOnFail") is True or settings.get("onError") in (
        "continueRegularOutput",
        "continueErrorOutput",
    ):
        fields["continue_on_error"] = True
    return fields


def _timezone(data: Mapping[str, Any], report: ImportReport) -> str:
    settings = data.get("settings")
    zone = settings.get("timezone") if isinstance(settings, Mapping) else None
    if isinstance(zone, str) and zone and zone != "DEFAULT":
        if validate_timezone(zone) is None:
            return zone
        report.notes.append(f"time zone {zone!r} is not known: UTC used")
    return "UTC"


def _actions(walk: _Walk, order: list[str]) -> list[dict[str, Any]]:
    actions: list[dict[str, Any]] = []
    for name in (n for n in order if n in walk.kept):
        node, mapped, step_id = walk.nodes[name], walk.kept[name], walk.ids[name]
        depends_on = walk.depends_on(name)
        step: dict[str, Any] = {
            "id": step_id,
            "name": name[:200],
            "type": mapped.type,
            "config": mapped.config,
            "depends_on": depends_on,
            **_step_fields(node),
        }
        if len(depends_on) > 1:
            step["trigger_rule"] = "none_failed"
        if node.position is not None:
            step["ui"] = {"x": _clamp(node.position[0]), "y": _clamp(node.position[1])}
        at = f"actions[{len(actions)}]"
        report = walk.report
        report.mapped.append(
            {"node": name, "type": node.type, "step_id": step_id, "as": mapped.type}
        )
        report.untranslated += [
            {"node": name, "step_id": step_id, "path": f"{at}.config.{path}", "expression": text}
            for path, text in mapped.untranslated
        ]
        report.attention += [
            {"node": name, "step_id": step_id, "message": message} for message in mapped.attention
        ]
        report.notes += [f"{name}: {note}" for note in mapped.notes]
        actions.append(step)
    return actions


def import_n8n(
    data: Mapping[str, Any],
    *,
    connections: Mapping[str, Sequence[str]] | None = None,
    workflows: Mapping[str, int] | None = None,
    alerts: Mapping[str, Sequence[int]] | None = None,
) -> Imported:
    """The Flowdeck definition of an n8n export; `ValidationFailed` if the export is malformed.

    `connections` (platform → connection names) and `workflows` (name → id) are what the
    install has, so a Slack node finds the one Slack connection and an Execute Workflow node
    the workflow of the same name; `alerts` (type → ids): an Email Send node the one email
    alert.
    """
    report = ImportReport("n8n")
    if too_deep(data):
        raise ValidationFailed([Problem("", f"nested more than {MAX_DEPTH} levels deep")])
    all_nodes = read_nodes(data)
    edges = read_edges(data, {n.name for n in all_nodes})
    notes = [n for n in all_nodes if n.short_type == "stickyNote"]
    nodes = [n for n in all_nodes if n.short_type != "stickyNote"]
    if notes:
        report.notes.append(f"{len(notes)} sticky note(s) left out")
    context = Context(
        connections=connections or {},
        workflows=workflows or {},
        alerts=alerts or {},
        timezone=_timezone(data, report),
    )
    trigger_node, trigger = _choose_trigger(nodes, {e.source for e in edges}, context, report)
    targets = {e.target for e in edges}
    roots = (
        [trigger_node.name] if trigger_node else [n.name for n in nodes if n.name not in targets]
    )
    live = reachable(roots, edges)
    for node in nodes:
        if node.name not in live and not is_trigger(node):
            report.leave_out(node, "not connected to the trigger: n8n never runs it")
    edges = [e for e in edges if e.source in live and e.target in live]
    acyclic, back = without_cycles(roots, edges)
    kept_nodes = [n for n in nodes if n.name in live]
    order = ordered(kept_nodes, acyclic)
    ids = step_ids([n.name for n in kept_nodes if n is not trigger_node])
    walk = _Walk({n.name: n for n in kept_nodes}, acyclic, back, ids, context, report)
    if trigger_node is not None:
        walk.output[trigger_node.name] = "trigger"
        walk.nodes.pop(trigger_node.name)
    for name in order:
        if name in walk.nodes and name not in walk.inner:
            walk.visit(name)
    folded = {e for e in back if e.source in walk.inner}
    for edge in (e for e in back if e not in folded):
        report.notes.append(f"the loop from {edge.source!r} back to {edge.target!r} was cut")
    definition = _definition(data, trigger, _actions(walk, order), report)
    return Imported(definition, report)


def _definition(
    data: Mapping[str, Any],
    trigger: TriggerMapped,
    actions: list[dict[str, Any]],
    report: ImportReport,
) -> dict[str, Any]:
    report.attention += [{"node": None, "step_id": None, "message": m} for m in trigger.attention]
    report.notes += trigger.notes
    name = data.get("name")
    name = name.strip()[:200] if isinstance(name, str) and name.strip() else "Imported n8n workflow"
    listens = trigger.type in ("schedule", "webhook")
    active = data.get("active") is True or not listens
    if not active:
        report.notes.append("imported paused, as it was inactive in n8n: resume it to let it fire")
    n8n_id = data.get("id")
    described = f"Imported from n8n (workflow {n8n_id})" if isinstance(n8n_id, str) else ""
    settings = data.get("settings") if isinstance(data.get("settings"), Mapping) else {}
    if settings.get("errorWorkflow"):
        report.notes.append(
            "n8n ran an error workflow when this one failed: in Flowdeck, add an alert on "
            "workflow_fail (or step_fail)"
        )
    return {
        "name": name,
        "description": (described or "Imported from n8n")[:1000],
        "workflow_type": "n8n",
        "is_active": active,
        "trigger": {"type": trigger.type, "config": trigger.config},
        "actions": actions,
    }
