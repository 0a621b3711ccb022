"""Two versions' steps compared for the canvas: added / removed / changed with field paths,
secrets masked, positions ignored, and one union graph to draw."""

from __future__ import annotations

import pytest

from app.core import canvas_diff
from app.core.canvas_diff import FieldChange, compare_steps, diff_canvas, field_changes
from app.core.redact import REDACTED


def _step(step_id: str, kind: str = "transform", **extra) -> dict:
    config = {"values": {}} if kind == "transform" else {}
    return {"id": step_id, "type": kind, "config": config, **extra}


def _at(step: dict, x: float, y: float) -> dict:
    return {**step, "ui": {"x": x, "y": y}}


CHAIN = [_step("a"), _step("b"), _step("c")]


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        pytest.param(CHAIN, CHAIN, {}, id="same"),
        pytest.param(CHAIN, [*CHAIN, _step("d")], {"d": "added"}, id="added at the end"),
        pytest.param(
            CHAIN,
            [CHAIN[0], CHAIN[2]],
            # c followed b (implied); now it follows a: its dependencies changed
            {"b": "removed", "c": "changed"},
            id="removed in the middle",
        ),
        pytest.param(
            CHAIN,
            [CHAIN[0], {**CHAIN[1], "name": "Bee"}, CHAIN[2]],
            {"b": "changed"},
            id="renamed",
        ),
        pytest.param(
            CHAIN,
            [_at(s, 10 * i, 20 * i) for i, s in enumerate(CHAIN)],
            {},
            id="moved only",
        ),
        pytest.param(
            CHAIN,
            [CHAIN[0], {**CHAIN[1], "depends_on": ["a"]}, {**CHAIN[2], "depends_on": ["b"]}],
            {},
            id="implied dependencies written out",
        ),
        pytest.param(
            CHAIN,
            [_step("x"), _step("y")],
            {"x": "added", "y": "added", "a": "removed", "b": "removed", "c": "removed"},
            id="all replaced",
        ),
        pytest.param([], CHAIN, {"a": "added", "b": "added", "c": "added"}, id="from nothing"),
    ],
)
def test_steps_are_matched_by_id(before: list, after: list, expected: dict) -> None:
    found = compare_steps(before, after)
    assert {sid: s.change for sid, s in found.items()} == expected


@pytest.mark.parametrize(
    ("old", "new", "rows"),
    [
        pytest.param(
            {"config": {"url": "http://a", "method": "GET"}},
            {"config": {"url": "http://b", "method": "GET"}},
            [FieldChange("config.url", "changed", "http://a", "http://b")],
            id="one value",
        ),
        pytest.param(
            {"config": {}},
            {"config": {"timeout_s": 5}},
            [FieldChange("config.timeout_s", "added", "", "5")],  # not "config removed {}"
            id="a field added to an empty mapping",
        ),
        pytest.param(
            {"retry": {"max_attempts": 3}},
            {},
            [FieldChange("retry.max_attempts", "removed", "3", "")],
            id="removed",
        ),
        pytest.param(
            {"config": {"cases": [{"when": "x"}, {"when": "y"}]}},
            {"config": {"cases": [{"when": "x"}, {"when": "z"}]}},
            [FieldChange("config.cases[1].when", "changed", "y", "z")],
            id="inside a list",
        ),
        pytest.param(
            {"config": {"flag": 1}},
            {"config": {"flag": True}},
            [FieldChange("config.flag", "changed", "1", "true")],
            id="1 is not true",
        ),
        pytest.param(
            {"config": {"headers": {"Authorization": "Bearer old-token-123"}}},
            {"config": {"headers": {"Authorization": "Bearer new-token-456"}}},
            [FieldChange("config.headers.Authorization", "changed", REDACTED, REDACTED)],
            id="secret header masked",
        ),
        pytest.param(
            {"config": {"auth": {"password": "hunter22"}}},
            {"config": {"auth": {"user": "ada"}}},
            [
                FieldChange("config.auth.password", "removed", REDACTED, ""),
                FieldChange("config.auth.user", "added", "", "ada"),
            ],
            id="secret removed masked",
        ),
        pytest.param(
            {"config": {"api_key": ""}},
            {"config": {"api_key": "k-123456"}},
            [FieldChange("config.api_key", "added", "", REDACTED)],
            id="empty secret shown empty",
        ),
        pytest.param(
            {"config": {"timeout": None, "tags": [], "note": ""}},
            {"config": {"timeout": 5, "tags": ["a"], "note": None}},
            [
                FieldChange("config.tags[0]", "added", "", "a"),
                FieldChange("config.timeout", "added", "", "5"),
            ],
            id="from empty to a value is added, empty to empty is nothing",
        ),
        pytest.param(
            {"retry": {"strategy": "linear", "max": 3}},
            {"retry": None},
            [
                FieldChange("retry.max", "removed", "3", ""),
                FieldChange("retry.strategy", "removed", "linear", ""),
            ],
            id="a setting cleared is removed, leaf by leaf",
        ),
    ],
)
def test_field_changes_name_the_path_old_and_new(old: dict, new: dict, rows: list) -> None:
    assert field_changes(old, new) == rows


def test_a_long_value_is_cut_and_many_fields_are_counted() -> None:
    long = "x" * 1000
    [row] = field_changes({"a": "short"}, {"a": long})
    assert len(row.new) == canvas_diff.MAX_VALUE + 1 and row.new.endswith("…")
    many = {"config": {f"k{i:03}": i for i in range(canvas_diff.MAX_FIELDS + 15)}}
    found = compare_steps([_step("a")], [{**_step("a"), **many}])["a"]
    assert len(found.fields) == canvas_diff.MAX_FIELDS and found.more == 15


def test_a_changed_dependency_is_a_field_of_its_step() -> None:
    before = [
        _step("check", "if", config={"condition": "true"}),
        _step("go", depends_on=["check:true"]),
    ]
    after = [before[0], _step("go", depends_on=["check:false"])]
    [row] = compare_steps(before, after)["go"].fields
    assert row == FieldChange("depends_on", "changed", "check:true", "check:false")


def test_added_and_removed_steps_list_their_fields() -> None:
    found = compare_steps([_step("old", name="Old one")], [_step("new", name="New one")])
    added = {f.path: (f.old, f.new) for f in found["new"].fields}
    assert added["name"] == ("", "New one") and added["depends_on"] == ("", "(start)")
    removed = {f.path: (f.old, f.new) for f in found["old"].fields}
    assert removed["name"] == ("Old one", "") and removed["type"] == ("transform", "")


def _by_id(items: list[dict]) -> dict[str, dict]:
    return {item["id"]: item for item in items}


def test_the_drawing_holds_both_graphs_tagged_by_change() -> None:
    before = [_at(_step("a"), 0, 0), _at(_step("b"), 0, 150), _at(_step("c"), 0, 300)]
    after = [
        _at(_step("a"), 5, 5),
        _at({**_step("c"), "name": "See", "depends_on": ["a"]}, 0, 160),
        _at(_step("d", depends_on=["c"]), 0, 320),
    ]
    drawn = diff_canvas(before, after)
    nodes = _by_id(drawn.nodes)
    assert [n["id"] for n in drawn.nodes] == ["a", "c", "d", "b"]
    assert {sid: n["data"]["change"] for sid, n in nodes.items()} == {
        "a": "",
        "b": "removed",
        "c": "changed",
        "d": "added",
    }
    # positions from the newer version; the removed step where it was
    assert nodes["a"]["position"] == {"x": 5.0, "y": 5.0}
    assert nodes["b"]["position"] == {"x": 0.0, "y": 150.0}
    assert nodes["c"]["data"]["label"] == "See"
    edges = {e["id"]: e["change"] for e in drawn.edges}
    assert edges == {"a->c": "added", "c->d": "added", "a->b": "removed", "b->c": "removed"}
    assert (drawn.count("added"), drawn.count("removed"), drawn.count("changed")) == (1, 1, 1)


def test_without_positions_the_union_is_laid_out_without_overlap() -> None:
    before = [_step("a"), _step("b"), _step("c")]
    after = [_step("a"), _step("c")]  # b removed; c now follows a
    drawn = diff_canvas(before, after)
    places = [(n["position"]["x"], n["position"]["y"]) for n in drawn.nodes]
    assert len(set(places)) == 3
    # the removed step keeps its old dependency, drawn as a removed edge
    assert {e["id"]: e["change"] for e in drawn.edges} == {
        "a->c": "added",
        "a->b": "removed",
        "b->c": "removed",
    }


def test_branch_edges_keep_their_output() -> None:
    check = _step("check", "if", config={"condition": "true"})
    before = [check, _step("yes", depends_on=["check:true"])]
    after = [check, _step("yes", depends_on=["check:false"])]
    drawn = diff_canvas(before, after)
    edges = {e["id"]: (e["sourceHandle"], e["change"]) for e in drawn.edges}
    assert edges == {"check:false->yes": ("false", "added"), "check:true->yes": ("true", "removed")}


def test_a_step_that_is_not_a_mapping_is_skipped() -> None:
    assert compare_steps(["junk", _step("a")], [_step("a")]) == {}
    assert [n["id"] for n in diff_canvas([_step("a"), 5], [_step("a")]).nodes] == ["a"]
