"""The definition ⇄ canvas mapping: nodes, edges, handles, edits, and positions never running."""

from __future__ import annotations

import pytest

from app.core import canvas
from app.core.errors import ValidationFailed
from app.core.graph import build_graph
from app.core.layout import draw, layer_layout
from app.core.workflow import validate_workflow
from app.engine.actions import action_types


def _step(step_id: str, kind: str = "transform", **extra) -> dict:
    config = {"values": {}} if kind == "transform" else {}
    return {"id": step_id, "type": kind, "config": config, **extra}


def _branchy() -> list[dict]:
    """check (if) → yes / no; sw (switch, cases a, b) after yes; join after both sides."""
    return [
        _step("fetch"),
        _step("check", "if", config={"condition": "true"}),
        _step("yes", depends_on=["check:true"]),
        _step("no", depends_on=["check:false"]),
        _step("sw", "switch", config={"value": "a", "cases": {"a": 1, "b": 2}}, depends_on=["yes"]),
        _step("join", depends_on=["sw:a", "no"], trigger_rule="none_failed"),
    ]


def _edges(steps: list[dict]) -> set[tuple[str, str, str]]:
    return {(e["source"], e["sourceHandle"], e["target"]) for e in canvas.to_canvas(steps)[1]}


def test_nodes_carry_type_label_outputs_and_rule():
    nodes, _ = canvas.to_canvas(_branchy())
    data = {n["id"]: n["data"] for n in nodes}
    assert [n["id"] for n in nodes] == ["fetch", "check", "yes", "no", "sw", "join"]
    assert {n["type"] for n in nodes} == {canvas.NODE_TYPE}
    assert data["check"]["kind"] == "if" and data["check"]["outputs"] == ["true", "false"]
    assert data["sw"]["outputs"] == ["a", "b", "default"]
    assert data["fetch"]["outputs"] == [] and data["fetch"]["label"] == "fetch"
    assert data["join"]["rule"] == "none failed" and data["yes"]["rule"] == ""


@pytest.mark.parametrize("step_id", ["fetch", "check", "yes", "sw", "join"])
def test_a_steps_look_alone_is_its_nodes_look_in_the_graph(step_id):
    """`node_look` (the designer's step being typed into) reads the step alone and draws
    what `to_canvas` draws for it in the whole graph."""
    steps = _branchy()
    whole = {n["id"]: n["data"] for n in canvas.to_canvas(steps)[0]}[step_id]
    alone = canvas.node_look(next(s for s in steps if s["id"] == step_id))
    assert alone == {key: whole[key] for key in ("label", "kind", "outputs", "rule")}


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ({"id": "a", "type": "delay", "name": ""}, {"label": "a", "kind": "delay"}),
        (
            {"id": "a", "type": "if", "name": "Is it?"},
            {"label": "Is it?", "outputs": ["true", "false"]},
        ),
        ({"id": "a", "type": "delay", "trigger_rule": "any_succeeded"}, {"rule": "any succeeded"}),
        ({"id": "a", "type": "delay", "trigger_rule": "nonsense"}, {"rule": ""}),
        ({"type": "delay"}, {}),
    ],
)
def test_a_steps_look_alone(step, expected):
    look = canvas.node_look(step)
    assert {key: look[key] for key in expected} == expected
    assert bool(look) == ("id" in step)


def test_edges_leave_the_branch_output_they_follow():
    assert _edges(_branchy()) == {
        ("fetch", "out", "check"),  # implied: after the previous step
        ("check", "true", "yes"),
        ("check", "false", "no"),
        ("yes", "out", "sw"),
        ("sw", "a", "join"),
        ("no", "out", "join"),
    }


def test_positions_come_from_hints_else_from_the_layers():
    steps = _branchy()
    steps[2]["ui"] = {"x": 640, "y": -12.5}
    nodes = {n["id"]: n["position"] for n in canvas.to_canvas(steps)[0]}
    assert nodes["yes"] == {"x": 640.0, "y": -12.5}
    assert nodes["fetch"]["y"] < nodes["check"]["y"] < nodes["no"]["y"] < nodes["join"]["y"]
    assert nodes["no"]["x"] != nodes["sw"]["x"] or nodes["no"]["y"] != nodes["sw"]["y"]


@pytest.mark.parametrize("bad", [None, "1,2", {"x": 1}, {"x": True, "y": 2}, {"x": 1e9, "y": 0}])
def test_a_bad_hint_falls_back_to_the_layout(bad):
    steps = [_step("a", ui=bad), _step("b")]
    laid = canvas.layout_positions(steps)
    position = canvas.to_canvas(steps)[0][0]["position"]
    assert (position["x"], position["y"]) == laid["a"]


def test_problems_show_on_their_node():
    nodes, _ = canvas.to_canvas(
        _branchy(), {"actions[5].depends_on[0]": "bad", "actions[1]": "whole", "name": "x"}
    )
    data = {n["id"]: n["data"]["error"] for n in nodes}
    assert data["join"] == "depends_on[0]: bad" and data["check"] == "whole" and data["no"] == ""


def _config_for(kind: str) -> dict:
    return {"switch": {"value": "x", "cases": {"a": 1}}, "if": {"condition": "true"}}.get(kind, {})


@pytest.mark.parametrize("kind", sorted(action_types()))
def test_every_step_type_round_trips(kind):
    """to_canvas → from_canvas gives the same definition back, positions aside."""
    step = _step("node", kind, config=_config_for(kind))
    steps = [_step("first"), step, _step("after"), _step("explicit", depends_on=["node"])]
    outputs = canvas.to_canvas(steps)[0][1]["data"]["outputs"]
    if outputs:  # a branch: one follower per output, and the chained one follows all of it
        steps[2]["depends_on"] = [f"node:{outputs[0]}"]
        steps[3]["depends_on"] = [f"node:{o}" for o in outputs[1:]] or ["node"]
    nodes, edges = canvas.to_canvas(steps)
    back = canvas.from_canvas(steps, nodes, edges)
    assert [{k: v for k, v in s.items() if k != "ui"} for s in back] == steps
    assert build_graph(back) == build_graph(steps)
    assert all(s["ui"] == n["position"] for s, n in zip(back, nodes, strict=True))


def test_from_canvas_writes_the_edges_it_was_given():
    steps = _branchy()
    nodes, edges = canvas.to_canvas(steps)
    edges = [e for e in edges if e["target"] != "join"]
    edges.append({"source": "check", "sourceHandle": "false", "target": "join"})
    back = canvas.from_canvas(steps, nodes, edges)
    assert back[5]["depends_on"] == ["check:false"]
    assert back[1] == {**steps[1], "ui": back[1]["ui"]}  # untouched: still chained


MOVES = [("fetch", 10, 20), ("join", -400.25, 9000), ("check", 2e6, -2e6)]


@pytest.mark.parametrize(("step_id", "x", "y"), MOVES)
def test_a_move_never_changes_the_graph_or_what_validates(step_id, x, y):
    steps = _branchy()
    moved = canvas.move(steps, step_id, x, y)
    assert build_graph(moved) == build_graph(steps)
    ui = moved[[s["id"] for s in moved].index(step_id)]["ui"]
    assert abs(ui["x"]) <= canvas.MAX_COORD and abs(ui["y"]) <= canvas.MAX_COORD
    spec = {"name": "w", "trigger": {"type": "manual"}, "actions": moved}
    dumped = validate_workflow(spec).model_dump()["actions"]
    plain = validate_workflow({**spec, "actions": steps}).model_dump()["actions"]
    assert [{k: v for k, v in a.items() if k != "ui"} for a in dumped] == plain


def test_tidy_places_every_step_and_keeps_the_graph():
    steps = _branchy()
    tidy = canvas.tidy(steps)
    assert build_graph(tidy) == build_graph(steps)
    laid = canvas.layout_positions(steps)
    assert {s["id"]: (s["ui"]["x"], s["ui"]["y"]) for s in tidy} == {
        k: (round(x, 1), round(y, 1)) for k, (x, y) in laid.items()
    }


CONNECTS = [
    # (source, output, target, depends_on of target afterwards)
    ("fetch", None, "no", ["check:false", "fetch"]),
    ("check", "true", "join", ["sw:a", "no", "check:true"]),
    ("sw", "b", "join", ["sw:a", "no", "sw:b"]),
    ("fetch", "out", "check", None),  # already there (implied): nothing written
]


@pytest.mark.parametrize(("source", "output", "target", "expected"), CONNECTS)
def test_connect_adds_a_dependency(source, output, target, expected):
    steps = _branchy()
    after = canvas.connect(steps, source, output, target)
    target_step = after[[s["id"] for s in after].index(target)]
    assert target_step.get("depends_on") == expected
    build_graph(after)  # still a sound graph


def test_connect_writes_out_an_implied_dependency_first():
    steps = [_step("a"), _step("b"), _step("c", depends_on=[])]
    after = canvas.connect(steps, "c", None, "b")
    assert after[1]["depends_on"] == ["a", "c"]
    assert "depends_on" not in steps[1]  # the input is not changed


REFUSED = [
    ("join", None, "fetch", "That would make a cycle: fetch → check → no → join → fetch"),
    ("yes", None, "yes", "a step cannot follow itself"),
    ("check", "maybe", "join", '"check" has no output "maybe"'),
    ("ghost", None, "join", 'no step "ghost"'),
]


@pytest.mark.parametrize(("source", "output", "target", "message"), REFUSED)
def test_connect_refuses_cycles_and_nonsense(source, output, target, message):
    with pytest.raises(ValidationFailed) as caught:
        canvas.connect(_branchy(), source, output, target)
    assert [p.message for p in caught.value.problems] == [message]


def test_disconnect_and_remove_keep_the_edges_that_were_shown():
    steps = _branchy()
    cut = canvas.disconnect(steps, "sw", "a", "join")
    assert cut[5]["depends_on"] == ["no"]
    alone = canvas.disconnect(steps, "fetch", "out", "check")
    assert alone[1]["depends_on"] == []  # its only edge gone: it starts at once
    removed = canvas.remove_steps(steps, ["check"])
    assert [s["id"] for s in removed] == ["fetch", "yes", "no", "sw", "join"]
    assert removed[1]["depends_on"] == [] and removed[2]["depends_on"] == []
    chain = canvas.remove_steps([_step("a"), _step("b"), _step("c")], ["b"])
    assert chain[1]["depends_on"] == []  # not silently re-chained to "a"
    assert _edges(chain) == set()


def test_add_step_follows_the_selected_node_and_sits_below_it():
    steps = canvas.tidy(_branchy())
    added = canvas.add_step(steps, _step("new"), after="check", output="false")
    new = added[-1]
    assert new["depends_on"] == ["check:false"]
    assert new["ui"]["y"] > steps[1]["ui"]["y"]
    others = [(s["ui"]["x"], s["ui"]["y"]) for s in steps]
    assert (new["ui"]["x"], new["ui"]["y"]) not in others
    build_graph(added)
    last = canvas.add_step(steps, _step("tail"))
    assert last[-1]["depends_on"] == ["join"]
    assert canvas.add_step([], _step("only"))[0]["depends_on"] == []


def test_a_broken_graph_still_draws():
    steps = [_step("a", depends_on=["b"]), _step("b", depends_on=["a"]), _step("c", depends_on=[1])]
    nodes, edges = canvas.to_canvas(steps)
    assert [n["id"] for n in nodes] == ["a", "b", "c"]
    assert {(e["source"], e["target"]) for e in edges} == {("b", "a"), ("a", "b")}


@pytest.mark.parametrize(
    ("ui", "problem"),
    [
        ({"x": 1, "y": 2.5}, None),
        ({"x": 1_000_001, "y": 0}, "actions[0].ui.x"),
        ({"x": 0, "y": "nan"}, "actions[0].ui.y"),
        ({"x": 0}, "actions[0].ui.y"),
        ({"x": 0, "y": 0, "z": 1}, "actions[0].ui.z"),
    ],
)
def test_the_ui_hint_is_two_bounded_numbers_left_out_when_absent(ui, problem):
    spec = {"name": "w", "trigger": {"type": "manual"}, "actions": [_step("a", ui=ui)]}
    if problem is None:
        assert validate_workflow(spec).model_dump()["actions"][0]["ui"] == {"x": 1.0, "y": 2.5}
        del spec["actions"][0]["ui"]
        assert "ui" not in validate_workflow(spec).model_dump()["actions"][0]
        return
    with pytest.raises(ValidationFailed) as caught:
        validate_workflow(spec)
    assert [p.path for p in caught.value.problems] == [problem]


def test_pin_keeps_hints_and_pins_the_rest_where_they_are_drawn():
    steps = _branchy()
    steps[0]["ui"] = {"x": -5, "y": 7}
    before = {n["id"]: n["position"] for n in canvas.to_canvas(steps)[0]}
    pinned = canvas.pin(steps)
    assert pinned[0]["ui"] == {"x": -5, "y": 7} and all("ui" in s for s in pinned)
    assert build_graph(pinned) == build_graph(steps)
    added = canvas.add_step(pinned, _step("new"), after="no")
    after = {n["id"]: n["position"] for n in canvas.to_canvas(added)[0]}
    assert all(
        after[k] == {"x": round(v["x"], 1), "y": round(v["y"], 1)} for k, v in before.items()
    )
    assert after["new"] not in list(after.values())[:-1]  # on a free spot, not on a step


def test_a_new_step_takes_the_nearest_free_column_below_its_source():
    steps = canvas.tidy([_step("a"), _step("b"), _step("c")])  # a chain: one column
    added = canvas.add_step(steps, _step("new"), after="a")
    a, new = steps[0]["ui"], added[-1]["ui"]
    assert new["y"] == steps[1]["ui"]["y"]  # the row below a …
    assert abs(new["x"] - a["x"]) == canvas.SIZES.node_w + canvas.SIZES.gap_x  # … beside b
    free = canvas.add_step(steps, _step("new"), after="c")[-1]["ui"]
    assert free["x"] == steps[2]["ui"]["x"] and free["y"] > steps[2]["ui"]["y"]


def test_a_dropped_step_sits_where_it_was_dropped_and_follows_nothing():
    steps = _branchy()
    placed = canvas.place_step(steps, _step("dropped"), 120.5, -3e6)
    assert placed[-1]["ui"] == {"x": 120.5, "y": -canvas.MAX_COORD}
    assert placed[-1]["depends_on"] == [] and placed[:-1] == steps
    assert build_graph(placed).nodes["dropped"].depends_on == ()


def _fresh_layout(steps: list[dict]) -> dict[str, tuple[float, float]]:
    """The layout computed from scratch, as before layouts were kept per graph shape."""
    placed = draw(layer_layout(canvas.lenient_graph(steps)), canvas.SIZES).boxes
    return {step_id: (box.x, box.y) for step_id, box in placed.items()}


def _positions(steps: list[dict]) -> dict[str, tuple[float, float]]:
    return {n["id"]: (n["position"]["x"], n["position"]["y"]) for n in canvas.to_canvas(steps)[0]}


def test_typing_in_a_step_reuses_its_graphs_layout():
    """Names, configs and trigger rules leave the layout as it was: laid out once, not again
    on every keystroke the designer maps the whole definition for."""
    steps = _branchy()
    assert _positions(steps) == _fresh_layout(steps)
    before = canvas.layout_cache_info()
    for typed in ("F", "Fe", "Fetch"):
        steps[0] = {**steps[0], "name": typed, "config": {"values": {"n": typed}}}
        steps[5] = {**steps[5], "trigger_rule": "all_done"}
        assert _positions(steps) == _fresh_layout(steps)
    after = canvas.layout_cache_info()
    assert after.hits - before.hits == 3 and after.misses == before.misses


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda s: s[4].update(depends_on=["no"]), id="an edge moved"),
        pytest.param(lambda s: s[3].update(depends_on=["check:true"]), id="another output"),
        pytest.param(lambda s: s.insert(1, s.pop(3)), id="steps reordered"),
        pytest.param(lambda s: s[2].update(id="yes2"), id="a step renamed by id"),
        pytest.param(lambda s: s.append(_step("late", depends_on=[])), id="a step added"),
    ],
)
def test_a_changed_graph_is_laid_out_again(change):
    steps = _branchy()
    _positions(steps)
    changed = [dict(s) for s in steps]
    change(changed)
    misses = canvas.layout_cache_info().misses
    assert _positions(changed) == _fresh_layout(changed)
    assert canvas.layout_cache_info().misses == misses + 1


def test_a_kept_layout_cannot_be_changed_by_its_caller():
    steps = _branchy()
    laid = canvas.layout_positions(steps)
    laid["fetch"] = (1e6, 1e6)
    laid.clear()
    assert canvas.layout_positions(steps) == _fresh_layout(steps)
