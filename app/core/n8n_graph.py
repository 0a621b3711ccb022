"""An n8n export's nodes and connections, read and checked, as a graph. Pure.

n8n's export: `{"name", "nodes": [{"id", "name", "type", "typeVersion", "position": [x, y],
"parameters", …}], "connections": {"<source name>": {"main": [[{"node": "<target name>",
"type": "main", "index": 0}], …]}}, "settings", …}`. Connections name nodes by their (unique)
name; `main[k]` is output k of the source (an IF's true is 0, false is 1). Other connection
kinds (AI sub-nodes) carry no data between steps and are ignored here.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app.core.errors import Problem, ValidationFailed
from app.core.n8n_model import N8nNode, listed

MAX_NODES = 500
_NODE_KEYS = ("name", "type", "typeVersion", "position", "parameters", "id")


@dataclass(frozen=True)
class Edge:
    source: str
    output: int
    target: str


def _key(name: str) -> str:
    return '"' + name.replace('"', '\\"') + '"'


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _node(raw: Any, at: str, problems: list[Problem]) -> N8nNode | None:
    if not isinstance(raw, Mapping):
        problems.append(Problem(at, "a node must be an object"))
        return None
    name, kind = raw.get("name"), raw.get("type")
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem(f"{at}.name", "required"))
    if not isinstance(kind, str) or not kind.strip():
        problems.append(Problem(f"{at}.type", "required"))
    parameters = raw.get("parameters", {})
    if not isinstance(parameters, Mapping):
        problems.append(Problem(f"{at}.parameters", "must be an object"))
    if not (isinstance(name, str) and name.strip() and isinstance(kind, str) and kind.strip()):
        return None
    position = raw.get("position")
    point = None
    if isinstance(position, list) and len(position) == 2 and all(_number(p) for p in position):
        point = (float(position[0]), float(position[1]))
    version = raw.get("typeVersion", 1)
    return N8nNode(
        name=name,
        type=kind,
        version=float(version) if _number(version) else 1.0,
        parameters=parameters if isinstance(parameters, Mapping) else {},
        position=point,
        settings={k: v for k, v in raw.items() if k not in _NODE_KEYS},
    )


def read_nodes(data: Mapping[str, Any]) -> list[N8nNode]:
    """The export's nodes, or `ValidationFailed` naming every malformed one by its path."""
    raw = data.get("nodes")
    if not isinstance(raw, list):
        raise ValidationFailed([Problem("nodes", "must be a list of nodes")])
    if len(raw) > MAX_NODES:
        message = f"at most {MAX_NODES} nodes can be imported; this export has {len(raw)}"
        raise ValidationFailed([Problem("nodes", message)])
    problems: list[Problem] = []
    nodes: list[N8nNode] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        node = _node(item, f"nodes[{index}]", problems)
        if node is None:
            continue
        if node.name in seen:
            problems.append(Problem(f"nodes[{index}].name", f"duplicate node name {node.name!r}"))
        seen.add(node.name)
        nodes.append(node)
    if problems:
        raise ValidationFailed(problems)
    return nodes


def read_edges(data: Mapping[str, Any], names: set[str]) -> list[Edge]:
    """The `main` connections, or `ValidationFailed` naming every one that points nowhere."""
    raw = data.get("connections", {})
    if not isinstance(raw, Mapping):
        raise ValidationFailed([Problem("connections", "must be an object")])
    problems: list[Problem] = []
    edges: list[Edge] = []
    for source, kinds in raw.items():
        at = f"connections[{_key(str(source))}]"
        if source not in names:
            problems.append(Problem(at, f"no node is named {source!r}"))
            continue
        outputs = kinds.get("main") if isinstance(kinds, Mapping) else None
        if not isinstance(kinds, Mapping) or not isinstance(outputs, list | None):
            problems.append(Problem(at, "must be {main: [[{node, index}], …]}"))
            continue
        for k, targets in enumerate(listed(outputs)):
            for j, link in enumerate(targets if isinstance(targets, list) else []):
                target = link.get("node") if isinstance(link, Mapping) else None
                if not isinstance(target, str) or target not in names:
                    problems.append(
                        Problem(f"{at}.main[{k}][{j}].node", f"no node is named {target!r}")
                    )
                else:
                    edges.append(Edge(source, k, target))
    if problems:
        raise ValidationFailed(problems)
    return list(dict.fromkeys(edges))


def reachable(roots: Iterable[str], edges: list[Edge]) -> set[str]:
    out: dict[str, list[str]] = {}
    for edge in edges:
        out.setdefault(edge.source, []).append(edge.target)
    seen, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(out.get(name, ()))
    return seen


def without_cycles(roots: list[str], edges: list[Edge]) -> tuple[list[Edge], list[Edge]]:
    """(the edges with every back edge removed, the removed ones), by depth-first search."""
    out: dict[str, list[Edge]] = {}
    for edge in edges:
        out.setdefault(edge.source, []).append(edge)
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    back: list[Edge] = []
    for root in roots:
        if root in state:
            continue
        stack = [(root, iter(out.get(root, ())))]
        state[root] = 1
        while stack:
            name, children = stack[-1]
            edge = next(children, None)
            if edge is None:
                state[name] = 2
                stack.pop()
            elif state.get(edge.target) == 1:
                back.append(edge)
            elif edge.target not in state:
                state[edge.target] = 1
                stack.append((edge.target, iter(out.get(edge.target, ()))))
    removed = set(back)
    return [e for e in edges if e not in removed], back


def ordered(nodes: list[N8nNode], edges: list[Edge]) -> list[str]:
    """Node names, every source before its targets; ties left to right, then top to bottom."""
    rank = {n.name: (*(n.position or (0.0, 0.0)), index) for index, n in enumerate(nodes)}
    waiting = {n.name: 0 for n in nodes}
    out: dict[str, list[str]] = {}
    for edge in edges:
        waiting[edge.target] += 1
        out.setdefault(edge.source, []).append(edge.target)
    ready = [(rank[name], name) for name, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, name = heapq.heappop(ready)
        order.append(name)
        for target in out.get(name, ()):
            waiting[target] -= 1
            if waiting[target] == 0:
                heapq.heappush(ready, (rank[target], target))
    return order
