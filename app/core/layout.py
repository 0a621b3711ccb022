"""A workflow graph laid out in layers, for drawing without a canvas library.

A step's layer is its depth: the longest chain of dependencies above it, so every edge points
down. An edge that skips layers passes through one *lane* per layer it crosses (Sugiyama's
dummy nodes): a lane takes a narrow slot in that layer, so the edge goes around the steps in
between instead of through them. The order inside each layer comes from a few barycenter
sweeps (a step sits near the mean place of its neighbours), keeping the order with the fewest
crossings; ties keep definition order, so the same graph always draws the same way.

`layer_layout` decides layers and orders; `draw` turns them into pixel boxes and SVG paths
(`boxes`: the boxes alone).
Both are pure: the execution page draws what they return.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.core.graph import Graph

Item = str | tuple[str, str, int]  # a step id, or a lane: (source, target, layer)
Rank = tuple[int, int, int]
SWEEPS = 4


@dataclass(frozen=True)
class Position:
    """Where a step sits: its layer (0 = starts at the beginning) and its place in the layer."""

    layer: int
    row: int


@dataclass(frozen=True)
class LayerLayout:
    """Every layer left to right, lanes included; `positions` of the steps alone."""

    layers: tuple[tuple[Item, ...], ...]
    positions: Mapping[str, Position]
    edges: tuple[tuple[str, str, str], ...]  # (source, target, label); one per pair
    crossings: int


def depths(graph: Graph) -> dict[str, int]:
    """Longest path from a step with no dependency; steps off the order (a cycle) get 0."""
    depth: dict[str, int] = {}
    for step_id in graph.order:
        sources = [d.source for d in graph.nodes[step_id].depends_on]
        depth[step_id] = 1 + max((depth.get(s, 0) for s in sources), default=-1)
    return {step_id: depth.get(step_id, 0) for step_id in graph.nodes}


def graph_edges(graph: Graph) -> tuple[tuple[str, str, str], ...]:
    """(source, target, label) per dependency pair; a pair with several outputs joins them."""
    labels: dict[tuple[str, str], list[str]] = {}
    for node in graph.nodes.values():
        for dep in node.depends_on:
            outputs = labels.setdefault((dep.source, node.id), [])
            if dep.output is not None:
                outputs.append(dep.output)
    return tuple((s, t, " / ".join(outs)) for (s, t), outs in labels.items())


def _chains(edges: tuple[tuple[str, str, str], ...], depth: Mapping[str, int]) -> list[list[Item]]:
    """Each edge as the items it passes, from source to target, one per layer."""
    chains: list[list[Item]] = []
    for source, target, _ in edges:
        lanes: list[Item] = [(source, target, k) for k in range(depth[source] + 1, depth[target])]
        chains.append([source, *lanes, target])
    return chains


def crossings(layers: list[list[Item]], links: list[tuple[Item, Item]]) -> int:
    """Pairs of links between the same two layers that cross."""
    place = {item: (n, i) for n, layer in enumerate(layers) for i, item in enumerate(layer)}
    by_layer: dict[int, list[tuple[int, int]]] = {}
    for upper, lower in links:
        by_layer.setdefault(place[upper][0], []).append((place[upper][1], place[lower][1]))
    count = 0
    for pairs in by_layer.values():
        for i, (a1, b1) in enumerate(pairs):
            count += sum(1 for a2, b2 in pairs[i + 1 :] if (a1 - a2) * (b1 - b2) < 0)
    return count


def _sweep(
    layers: list[list[Item]],
    neighbours: Mapping[Item, list[Item]],
    rank: Mapping[Item, Rank],
    downward: bool,
) -> list[list[Item]]:
    """Reorder each layer by the mean place of its neighbours in the layer before it."""
    out = [list(layer) for layer in layers]
    indices = range(1, len(out)) if downward else range(len(out) - 2, -1, -1)
    for n in indices:
        before = out[n - 1] if downward else out[n + 1]
        place = {item: i for i, item in enumerate(before)}
        current = {item: i for i, item in enumerate(out[n])}

        def key(item: Item, place: dict = place, current: dict = current) -> tuple:
            seen = [place[x] for x in neighbours.get(item, ()) if x in place]
            centre = sum(seen) / len(seen) if seen else float(current[item])
            return (centre, rank[item])

        out[n].sort(key=key)
    return out


def _pair_crossings(
    u: Item, v: Item, place: Mapping[Item, int], neighbours: Mapping[Item, list[Item]]
) -> int:
    """Crossings between the links of `u` and `v` (u left of v) into one other layer."""
    return sum(
        1
        for a in neighbours.get(u, ())
        for b in neighbours.get(v, ())
        if a in place and b in place and place[a] > place[b]
    )


def _transpose(
    layers: list[list[Item]], ups: Mapping[Item, list[Item]], downs: Mapping[Item, list[Item]]
) -> list[list[Item]]:
    """Swap neighbours in a layer while that removes crossings (where barycenters tie)."""
    out = [list(layer) for layer in layers]
    place = {item: i for layer in out for i, item in enumerate(layer)}
    improved, rounds = True, 0
    while improved and rounds < SWEEPS:
        improved, rounds = False, rounds + 1
        for layer in out:
            for i in range(len(layer) - 1):
                u, v = layer[i], layer[i + 1]
                now = _pair_crossings(u, v, place, ups) + _pair_crossings(u, v, place, downs)
                swapped = _pair_crossings(v, u, place, ups) + _pair_crossings(v, u, place, downs)
                if swapped < now:
                    layer[i], layer[i + 1] = v, u
                    place[u], place[v] = i + 1, i
                    improved = True
    return out


def layer_layout(graph: Graph) -> LayerLayout:
    """Layers by depth, ordered to keep edges from crossing where a few sweeps can."""
    depth = depths(graph)
    edges = graph_edges(graph)
    chains = _chains(edges, depth)
    index = {step_id: node.index for step_id, node in graph.nodes.items()}
    # Ties keep definition order; a lane sorts just after the step it leads to.
    rank: dict[Item, Rank] = {step_id: (i, 0, 0) for step_id, i in index.items()}
    for chain in chains:
        for lane in chain[1:-1]:
            rank[lane] = (index[str(chain[-1])], 1, index[str(chain[0])])
    layers: list[list[Item]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for item in sorted(rank, key=rank.__getitem__):
        layers[depth[item] if isinstance(item, str) else item[2]].append(item)

    links = [(a, b) for chain in chains for a, b in zip(chain, chain[1:], strict=False)]
    ups: dict[Item, list[Item]] = {}
    downs: dict[Item, list[Item]] = {}
    for upper, lower in links:
        ups.setdefault(lower, []).append(upper)
        downs.setdefault(upper, []).append(lower)
    best, fewest = layers, crossings(layers, links)
    current = layers
    for n in range(SWEEPS):
        if fewest == 0:
            break
        downward = n % 2 == 0
        current = _sweep(current, ups if downward else downs, rank, downward)
        current = _transpose(current, ups, downs)
        count = crossings(current, links)
        if count < fewest:
            best, fewest = current, count
    positions = {
        item: Position(n, i)
        for n, layer in enumerate(best)
        for i, item in enumerate(layer)
        if isinstance(item, str)
    }
    return LayerLayout(tuple(tuple(layer) for layer in best), positions, edges, fewest)


@dataclass(frozen=True)
class Sizes:
    """Pixel sizes of the drawing: step boxes, lanes and the gaps between them."""

    node_w: int = 176
    node_h: int = 56
    lane_w: int = 16
    gap_x: int = 20
    gap_y: int = 44
    pad: int = 16


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class EdgePath:
    """An edge as an SVG path `d`, with the point where its label (if any) is drawn."""

    source: str
    target: str
    label: str
    d: str
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Drawing:
    width: float
    height: float
    boxes: Mapping[str, Box]
    edges: tuple[EdgePath, ...]


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _centres(layout: LayerLayout, sizes: Sizes) -> tuple[dict[Item, float], float]:
    """The horizontal centre of every item (each layer centred), and the widest layer."""

    def width(item: Item) -> int:
        return sizes.node_w if isinstance(item, str) else sizes.lane_w

    spans = [
        sum(width(i) for i in layer) + sizes.gap_x * max(len(layer) - 1, 0)
        for layer in layout.layers
    ]
    widest = max(spans, default=0)
    centres: dict[Item, float] = {}
    for layer, span in zip(layout.layers, spans, strict=True):
        x = sizes.pad + (widest - span) / 2
        for item in layer:
            centres[item] = x + width(item) / 2
            x += width(item) + sizes.gap_x
    return centres, widest


def _boxes(layout: LayerLayout, sizes: Sizes, centres: Mapping[Item, float]) -> dict[str, Box]:
    pitch = sizes.node_h + sizes.gap_y
    return {
        step_id: Box(
            centres[step_id] - sizes.node_w / 2,
            sizes.pad + p.layer * pitch,
            sizes.node_w,
            sizes.node_h,
        )
        for step_id, p in layout.positions.items()
    }


def boxes(layout: LayerLayout, sizes: Sizes | None = None) -> dict[str, Box]:
    """The steps' boxes alone, as `draw` places them (no edge paths: a canvas draws its own)."""
    sizes = sizes or Sizes()
    return _boxes(layout, sizes, _centres(layout, sizes)[0])


def draw(layout: LayerLayout, sizes: Sizes | None = None) -> Drawing:
    """Boxes for the steps and a path per edge: curves between layers, straight down lanes."""
    sizes = sizes or Sizes()
    centres, widest = _centres(layout, sizes)
    pitch = sizes.node_h + sizes.gap_y

    def top(layer: int) -> float:
        return sizes.pad + layer * pitch

    placed = _boxes(layout, sizes, centres)
    paths: list[EdgePath] = []
    for source, target, label in layout.edges:
        start = layout.positions[source].layer
        end = layout.positions[target].layer
        points = [(centres[source], top(start) + sizes.node_h)]
        for k in range(start + 1, end):
            x = centres[(source, target, k)]
            points += [(x, top(k)), (x, top(k) + sizes.node_h)]
        points.append((centres[target], top(end)))
        d = f"M {_n(points[0][0])} {_n(points[0][1])}"
        for i in range(1, len(points)):
            (x1, y1), (x2, y2) = points[i - 1], points[i]
            if i % 2:  # between layers: a curve leaving and entering vertically
                mid = (y1 + y2) / 2
                d += f" C {_n(x1)} {_n(mid)} {_n(x2)} {_n(mid)} {_n(x2)} {_n(y2)}"
            else:  # down a lane
                d += f" L {_n(x2)} {_n(y2)}"
        (x1, y1), (x2, y2) = points[0], points[1]
        paths.append(EdgePath(source, target, label, d, (x1 + x2) / 2, (y1 + y2) / 2))
    height = top(len(layout.layers)) - sizes.gap_y + sizes.pad if layout.layers else 0
    return Drawing(widest + 2 * sizes.pad, height, placed, tuple(paths))
