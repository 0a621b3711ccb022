"""The execution graph's layout: layers by depth, orders without needless crossings, geometry."""

from __future__ import annotations

import random
from typing import Any

import pytest

from app.core.graph import build_graph
from app.core.layout import LayerLayout, Sizes, boxes, crossings, draw, layer_layout


def step(step_id: str, *deps: str, type: str = "transform", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": step_id, "type": type, "config": extra.pop("config", {})}
    if deps == ("-",):
        data["depends_on"] = []
    elif deps:
        data["depends_on"] = list(deps)
    return data | extra


def branch(step_id: str, *deps: str) -> dict[str, Any]:
    return step(step_id, *deps, type="if", config={"condition": "{{ trigger.ok }}"})


def rows(steps: list[dict[str, Any]]) -> list[list[str]]:
    """Each layer's steps, left to right (lanes left out)."""
    layout = layer_layout(build_graph(steps))
    return [[i for i in layer if isinstance(i, str)] for layer in layout.layers]


DIAMOND = [
    step("a"),
    branch("check", "a"),
    step("yes", "check:true"),
    step("no", "check:false"),
    step("join", "yes", "no", trigger_rule="none_failed"),
]


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        pytest.param([], [], id="no steps"),
        pytest.param([step("a")], [["a"]], id="one step"),
        pytest.param([step("a"), step("b"), step("c")], [["a"], ["b"], ["c"]], id="chain"),
        pytest.param(
            [step("a"), step("b", "-"), step("c", "-")], [["a", "b", "c"]], id="all at the start"
        ),
        pytest.param(DIAMOND, [["a"], ["check"], ["yes", "no"], ["join"]], id="if and join"),
        pytest.param(
            [step("a"), step("b", "a"), step("c", "a", "b")],
            [["a"], ["b"], ["c"]],
            id="a shortcut does not pull its target up: depth is the longest path",
        ),
        pytest.param(
            [step("a"), step("b", "-"), step("x", "b"), step("y", "a")],
            [["a", "b"], ["y", "x"]],
            id="children follow their parents' order instead of crossing",
        ),
        pytest.param(
            [step("r"), *[step(f"p{i}", "r") for i in range(4)], step("j", "p0", "p1", "p2", "p3")],
            [["r"], ["p0", "p1", "p2", "p3"], ["j"]],
            id="fan out and in",
        ),
    ],
)
def test_layers_by_depth_in_a_readable_order(steps: list, expected: list) -> None:
    assert rows(steps) == expected


def test_an_edge_over_a_layer_runs_in_a_lane_beside_the_step_it_skips() -> None:
    layout = layer_layout(build_graph([step("a"), step("b", "a"), step("c", "a", "b")]))
    assert layout.layers == (("a",), ("b", ("a", "c", 1)), ("c",))
    drawing = draw(layout)
    lane = next(e for e in drawing.edges if (e.source, e.target) == ("a", "c"))
    b = drawing.boxes["b"]
    # The lane's straight part runs beside b, not through it.
    assert " L " in lane.d
    x = float(lane.d.split(" L ")[1].split()[0])
    assert x > b.x + b.w


def test_crossing_edges_are_uncrossed_by_the_sweeps() -> None:
    # Definition order puts x under a and y under b, but x follows b and y follows a.
    steps = [step("a"), step("b", "-"), step("x", "b"), step("y", "a")]
    layout = layer_layout(build_graph(steps))
    assert layout.crossings == 0
    links: list = [("b", "x"), ("a", "y")]
    assert crossings([["a", "b"], ["x", "y"]], links) == 1  # what definition order would give


def _random_dag(seed: int, size: int = 14) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    steps = [step("s0")]
    for i in range(1, size):
        parents = rng.sample(range(i), k=min(i, rng.randint(1, 3)))
        steps.append(step(f"s{i}", *[f"s{p}" for p in parents]))
    return steps


def test_random_graphs_never_get_more_crossings_and_mostly_fewer() -> None:
    ours = naive = 0
    for seed in range(20):
        graph = build_graph(_random_dag(seed))
        layout = layer_layout(graph)
        links = layout_links(layout)
        by_definition = [
            sorted(layer, key=lambda i: graph.nodes[i if isinstance(i, str) else i[1]].index)
            for layer in layout.layers
        ]
        before = crossings([list(layer) for layer in by_definition], links)
        assert layout.crossings <= before
        assert layout.crossings == crossings([list(layer) for layer in layout.layers], links)
        ours, naive = ours + layout.crossings, naive + before
    assert ours < naive * 0.8


def layout_links(layout: LayerLayout) -> list:
    """Every link between neighbouring layers, lanes included."""
    depth = {i: n for n, layer in enumerate(layout.layers) for i in layer}
    links = []
    for source, target, _ in layout.edges:
        chain = [source, *[(source, target, k) for k in range(depth[source] + 1, depth[target])]]
        links += list(zip(chain, [*chain[1:], target], strict=True))
    return links


def test_branch_edges_carry_their_output_and_pairs_are_drawn_once() -> None:
    switch = step("s", type="switch", config={"value": "x", "cases": {"a": 1, "b": 2}})
    layout = layer_layout(
        build_graph(
            [switch, step("t", "s:a", "s:b", trigger_rule="none_failed"), step("u", "s:default")]
        )
    )
    assert sorted(layout.edges) == [("s", "t", "a / b"), ("s", "u", "default")]


def test_geometry_boxes_do_not_overlap_and_edges_meet_their_boxes() -> None:
    sizes = Sizes(node_w=100, node_h=40, lane_w=10, gap_x=20, gap_y=30, pad=10)
    drawing = draw(layer_layout(build_graph(DIAMOND)), sizes)
    boxes = drawing.boxes
    yes, no = boxes["yes"], boxes["no"]
    assert yes.y == no.y == 10 + 2 * (40 + 30) and no.x >= yes.x + yes.w + 20
    assert drawing.width == 10 + 100 + 20 + 100 + 10 and drawing.height == 10 + 4 * 40 + 3 * 30 + 10
    for edge in drawing.edges:
        src, dst = boxes[edge.source], boxes[edge.target]
        start = [float(v) for v in edge.d.split()[1:3]]
        end = [float(v) for v in edge.d.split()[-2:]]
        assert start == [src.x + src.w / 2, src.y + src.h]  # leaves the bottom middle
        assert end == [dst.x + dst.w / 2, dst.y]  # enters the top middle
    true_edge = next(e for e in drawing.edges if e.label == "true")
    assert true_edge.label_y == boxes["check"].y + 40 + 15  # halfway down the gap


def test_forty_steps_stay_one_box_wide_when_chained() -> None:
    drawing = draw(layer_layout(build_graph([step(f"s{i}") for i in range(40)])))
    assert drawing.width == Sizes().node_w + 2 * Sizes().pad
    assert len({b.y for b in drawing.boxes.values()}) == 40


def test_empty_graph_draws_nothing() -> None:
    drawing = draw(layer_layout(build_graph([])))
    assert (drawing.width, drawing.height, dict(drawing.boxes), drawing.edges) == (32, 0, {}, ())


@pytest.mark.parametrize("seed", range(5))
def test_boxes_alone_are_the_boxes_draw_places(seed: int) -> None:
    layout = layer_layout(build_graph(_random_dag(seed)))
    sizes = Sizes(node_w=100, node_h=40, lane_w=10, gap_x=20, gap_y=30, pad=10)
    assert boxes(layout, sizes) == dict(draw(layout, sizes).boxes)
    assert boxes(layout) == dict(draw(layout).boxes)
