"""A workflow's steps as canvas nodes and edges (React Flow's shapes), and canvas edits back.

One node per step; one edge per dependency, leaving the branch output it follows (an `if`
node's `true` handle for `"check:true"`) or the plain `out` handle. A node sits where its
step's `ui: {x, y}` hint says, else where the layered layout (`app.core.layout`) puts it.

The edits take and return a list of step mappings and copy every step they change, keeping
keys they do not know (a caller may carry its own bookkeeping through). A step whose
`depends_on` was omitted follows the previous step in the list; an edit that touches it, or
that would change which step is "previous", writes the dependency out first, so no edit
silently moves an edge the canvas did not show moving. Positions are hints: no edit of them
changes the graph `app.core.graph.build_graph` builds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from app.core.errors import Problem, ValidationFailed
from app.core.graph import (
    FAILED_OUTPUT,
    Dependency,
    Graph,
    Node,
    branch_outputs,
    dependents_of,
    field_of,
    nodes_of,
    parse_dependency,
    raw_dependencies,
    topological_order,
    validate_graph,
)
from app.core.layout import Sizes, boxes, layer_layout

Step = Mapping[str, Any]
OUT = "out"  # the handle of a plain dependency ("after this step, whatever it chose")
IN = "in"
NODE_TYPE = "step"
SIZES = Sizes(node_w=220, node_h=72, lane_w=24, gap_x=48, gap_y=72, pad=24)
MAX_COORD = 1_000_000.0
LAYOUT_CACHE = 16  # graph shapes whose layout is kept (a few tabs' designers at once)


def lenient_graph(steps: Sequence[Any]) -> Graph:
    """The graph of steps that may still have problems (cycles, unknown ids): never raises."""
    nodes = nodes_of(steps)
    return Graph(nodes=nodes, order=topological_order(nodes), dependents=dependents_of(nodes))


def hint(step: Step) -> tuple[float, float] | None:
    """The step's `ui` position, if it holds two finite numbers."""
    ui = step.get("ui")
    if not isinstance(ui, Mapping):
        return None
    x, y = ui.get("x"), ui.get("y")
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (x, y))
    if not numbers or not all(abs(float(v)) <= MAX_COORD for v in (x, y)):
        return None
    return float(x), float(y)


class _Shape:
    """A graph keyed by what the layout reads of it: ids, places in the list, dependencies.

    Steps renamed, reconfigured or given another trigger rule have the same shape, so the
    designer (which maps the whole definition again on every keystroke in its side panel)
    lays a 200-step graph out once, not once per keystroke.
    """

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.key = tuple((n.id, n.index, n.depends_on) for n in graph.nodes.values())
        self._hash = hash(self.key)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Shape) and self.key == other.key


@lru_cache(maxsize=LAYOUT_CACHE)
def _laid_out(shape: _Shape) -> Mapping[str, tuple[float, float]]:
    placed = boxes(layer_layout(shape.graph), SIZES)
    return MappingProxyType({step_id: (box.x, box.y) for step_id, box in placed.items()})


def layout_cache_info() -> Any:
    """Hits and misses of the layouts kept for the last few graph shapes (`functools`' own)."""
    return _laid_out.cache_info()


def layout_positions(
    steps: Sequence[Any], graph: Graph | None = None
) -> dict[str, tuple[float, float]]:
    """Where the layered layout puts each step (top-left corner), ignoring every hint.

    `graph`: the steps' `lenient_graph`, when the caller has it already.
    """
    return dict(_laid_out(_Shape(graph or lenient_graph(steps))))


def _problems_by_step(problems: Mapping[str, str], count: int) -> list[list[str]]:
    found: list[list[str]] = [[] for _ in range(count)]
    for path, message in problems.items():
        head = path.partition("]")[0]
        if head.startswith("actions[") and head[8:].isdigit() and int(head[8:]) < count:
            rest = path.partition("]")[2].lstrip(".")
            found[int(head[8:])].append(f"{rest}: {message}" if rest else message)
    return found


def to_canvas(
    steps: Sequence[Any], problems: Mapping[str, str] | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """React Flow nodes and edges for `steps`; `problems` (path → message) go on their nodes."""
    graph = lenient_graph(steps)
    hinted = all(hint(step) is not None for step in steps if isinstance(step, Mapping))
    laid = {} if hinted else layout_positions(steps, graph)
    errors = _problems_by_step(problems or {}, len(steps))
    nodes: list[dict[str, Any]] = []
    for step_id, node in graph.nodes.items():
        step = steps[node.index]
        x, y = hint(step) or laid.get(step_id, (0.0, 0.0))
        data = _node_data(step, node, "\n".join(errors[node.index]))
        nodes.append(
            {
                "id": step_id,
                "type": NODE_TYPE,
                "position": {"x": x, "y": y},
                # React Flow hides a node (and its edges) until it has measured it; with a
                # size to start from, 200 nodes show at once and are measured afterwards.
                "initialWidth": SIZES.node_w,
                "initialHeight": SIZES.node_h,
                "data": data,
            }
        )
    return nodes, edges_of(steps, graph)


def _node_data(step: Step, node: Node, error: str) -> dict[str, Any]:
    rule = node.trigger_rule.value
    return {
        "step_id": node.id,
        "label": str(field_of(step, "name") or node.id),
        "kind": node.type,
        "outputs": list(node.outputs),
        "rule": "" if rule == "all_succeeded" else rule.replace("_", " "),
        "error": error,
        "status": "",
        "index": node.index,
    }


def node_look(step: Step) -> dict[str, Any]:
    """What one step's node shows of the step itself (name, kind, outputs, trigger rule): the
    same fields as its `data` in `to_canvas`, read from the step alone (no graph, no layout),
    so a step being edited can be redrawn without mapping every other one again."""
    node = next(iter(nodes_of([step]).values()), None)
    if node is None:
        return {}
    data = _node_data(step, node, "")
    return {key: data[key] for key in ("label", "kind", "outputs", "rule")}


def edges_of(steps: Sequence[Any], graph: Graph | None = None) -> list[dict[str, Any]]:
    """The canvas edges alone (no layout needed)."""
    graph = graph or lenient_graph(steps)
    return [edge for node in graph.nodes.values() for edge in _edges_into(node.id, graph)]


def edge_id(source: str, output: str | None, target: str) -> str:
    return f"{source}:{output}->{target}" if output else f"{source}->{target}"


def _edges_into(target: str, graph: Graph) -> list[dict[str, Any]]:
    return [
        {
            "id": edge_id(dep.source, dep.output, target),
            "source": dep.source,
            "target": target,
            "sourceHandle": dep.output or OUT,
            "targetHandle": IN,
            "label": dep.output or "",
        }
        for dep in graph.nodes[target].depends_on
    ]


# -- edits ------------------------------------------------------------------------------------


def _ids(steps: Sequence[Step]) -> list[str]:
    return [str(field_of(step, "id")) for step in steps]


def _written(steps: Sequence[Step], position: int) -> list[str]:
    """The step's dependencies as a list, the implied "previous step" written out."""
    raw, _ = raw_dependencies(steps, position)
    return [str(item) for item in raw] if isinstance(raw, list) else []


def _with_deps(step: Step, deps: list[str]) -> dict[str, Any]:
    copy = {k: v for k, v in step.items() if k != "dependsOn"}
    copy["depends_on"] = deps
    return copy


def _position_of(steps: Sequence[Step], step_id: str) -> int:
    ids = _ids(steps)
    if step_id not in ids:
        raise ValidationFailed([Problem("", f'no step "{step_id}"')])
    return ids.index(step_id)


def _refuse_cycles(before: Sequence[Step], after: list[dict[str, Any]]) -> list[dict[str, Any]]:
    old = {p.message for p in validate_graph(before) if p.message.startswith("cycle: ")}
    new = [p for p in validate_graph(after) if p.message.startswith("cycle: ")]
    refused = [p for p in new if p.message not in old]
    if refused:  # one loop is enough to say why; the first runs through the earliest step
        first = refused[0]
        raise ValidationFailed([Problem(first.path, f"That would make a {first.message}")])
    return after


def connect(steps: Sequence[Step], source: str, output: str | None, target: str) -> list[dict]:
    """`target` runs after `source` (on its `output`, for a branch); a cycle is refused."""
    at, origin = _position_of(steps, target), _position_of(steps, source)
    if source == target:
        raise ValidationFailed(
            [Problem(f"actions[{at}].depends_on", "a step cannot follow itself")]
        )
    output = None if output in (None, "", OUT) else output
    outputs = branch_outputs(steps[origin])
    if output is not None and output not in outputs and output != FAILED_OUTPUT:
        raise ValidationFailed(
            [Problem(f"actions[{at}].depends_on", f'"{source}" has no output "{output}"')]
        )
    dependency = str(Dependency(source, output))
    deps = _written(steps, at)
    if dependency in deps:
        return [dict(step) for step in steps]
    after = [dict(step) for step in steps]
    after[at] = _with_deps(steps[at], [*deps, dependency])
    return _refuse_cycles(steps, after)


def disconnect(steps: Sequence[Step], source: str, output: str | None, target: str) -> list[dict]:
    """Remove the edge `source` (`output`) → `target`; a step left with none starts at once."""
    at = _position_of(steps, target)
    output = None if output in (None, "", OUT) else output
    deps = [d for d in _written(steps, at) if parse_dependency(d) != Dependency(source, output)]
    after = [dict(step) for step in steps]
    after[at] = _with_deps(steps[at], deps)
    return after


def remove_steps(steps: Sequence[Step], step_ids: Iterable[str]) -> list[dict]:
    """Drop the steps and every edge touching them; the others keep the edges they showed."""
    gone = set(step_ids)
    after = []
    for position, step in enumerate(steps):
        if str(field_of(step, "id")) in gone:
            continue
        deps = _written(steps, position)
        kept = [d for d in deps if parse_dependency(d).source not in gone]
        after.append(_with_deps(step, kept) if kept != deps else dict(step))
    return after


def add_step(
    steps: Sequence[Step], step: Step, after: str | None = None, output: str | None = None
) -> list[dict]:
    """Append `step`, following `after` (on its `output`), placed below it unless it has `ui`.

    Without `after` it follows the last step; with no steps at all it starts at once.
    """
    ids = _ids(steps)
    source = after if after in ids else (ids[-1] if ids else None)
    new = dict(step)
    new["depends_on"] = [] if source is None else [str(Dependency(source, output or None))]
    if hint(new) is None:
        new["ui"] = _below(steps, source)
    return [*(dict(s) for s in steps), new]


def place_step(steps: Sequence[Step], step: Step, x: float, y: float) -> list[dict]:
    """Append `step` at (x, y), connected to nothing yet (it would start at once)."""
    new = {**step, "depends_on": []}
    return move([*(dict(s) for s in steps), new], str(field_of(new, "id")), x, y)


def _below(steps: Sequence[Step], source: str | None) -> dict[str, float]:
    """A free spot one row below `source`: straight down if free, else the nearest column
    beside it (so the new edge does not run behind the steps already below it)."""
    laid = layout_positions(steps) if any(hint(s) is None for s in steps) else {}
    where = {
        sid: hint(s) or laid.get(sid, (0.0, 0.0)) for sid, s in zip(_ids(steps), steps, strict=True)
    }
    if source is None or source not in where:
        lowest = max((y for _, y in where.values()), default=-SIZES.node_h - SIZES.gap_y)
        return {"x": float(SIZES.pad), "y": lowest + SIZES.node_h + SIZES.gap_y}
    x, y = where[source]
    below = y + SIZES.node_h + SIZES.gap_y
    step_x = SIZES.node_w + SIZES.gap_x
    for k in range(len(where) + 1):
        for dx in (k * step_x, -k * step_x) if k else (0.0,):
            if not _column_taken(where.values(), x + dx, y, below):
                return {"x": x + dx, "y": below}
    return {"x": x + (len(where) + 1) * step_x, "y": below}


def _column_taken(boxes: Iterable[tuple[float, float]], x: float, top: float, y: float) -> bool:
    """Whether a step sits at (x, y), or between the source's row and it in that column."""
    return any(
        abs(px - x) < SIZES.node_w + SIZES.gap_x / 2 and top < py < y + SIZES.node_h
        for px, py in boxes
    )


def move(steps: Sequence[Step], step_id: str, x: float, y: float) -> list[dict]:
    """The step's `ui` hint set to (x, y), clamped to the bounds the schema accepts."""
    at = _position_of(steps, step_id)
    after = [dict(step) for step in steps]
    clamp = lambda v: round(max(-MAX_COORD, min(MAX_COORD, float(v))), 1)  # noqa: E731
    after[at]["ui"] = {"x": clamp(x), "y": clamp(y)}
    return after


def tidy(steps: Sequence[Step]) -> list[dict]:
    """Every step's `ui` hint set to where the layered layout puts it."""
    laid = layout_positions(steps)
    after = []
    for step_id, step in zip(_ids(steps), steps, strict=True):
        x, y = laid.get(step_id, (0.0, 0.0))
        after.append({**step, "ui": {"x": round(x, 1), "y": round(y, 1)}})
    return after


def from_canvas(
    steps: Sequence[Step], nodes: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, Any]]
) -> list[dict]:
    """The steps with the canvas's edges as dependencies and its positions as `ui` hints.

    A step whose incoming edges are the ones it already had keeps `depends_on` as written
    (omitted stays omitted), so reading a canvas back changes nothing but positions.
    """
    incoming: dict[str, list[str]] = {}
    for edge in edges:
        handle = edge.get("sourceHandle")
        output = None if handle in (None, "", OUT) else str(handle)
        target = str(edge["target"])
        incoming.setdefault(target, []).append(str(Dependency(str(edge["source"]), output)))
    where = {str(node["id"]): node.get("position") or {} for node in nodes}
    after = []
    for position, step in enumerate(steps):
        step_id = str(field_of(step, "id"))
        deps = incoming.get(step_id, [])
        same = sorted(deps) == sorted(_written(steps, position))
        copy = dict(step) if same else _with_deps(step, deps)
        place = where.get(step_id)
        if place and "x" in place and "y" in place:
            copy = move([copy], step_id, place["x"], place["y"])[0]
        after.append(copy)
    return after


def pin(steps: Sequence[Step]) -> list[dict]:
    """Every step without a `ui` hint pinned where the layout draws it now.

    Before an edit that changes the graph: the layout of unpinned steps would move them all
    (a node added, an edge drawn), so the canvas pins what it shows and only the edit changes.
    """
    laid = layout_positions(steps)
    after = []
    for step_id, step in zip(_ids(steps), steps, strict=True):
        if hint(step) is None:
            x, y = laid.get(step_id, (0.0, 0.0))
            step = {**step, "ui": {"x": round(x, 1), "y": round(y, 1)}}
        after.append(dict(step))
    return after
