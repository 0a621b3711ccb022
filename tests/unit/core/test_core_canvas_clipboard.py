"""Copy / paste of canvas steps: what is copied, fresh ids, remapped edges and references,
offsets, and clipboards refused before anything walks them."""

from __future__ import annotations

import json

import pytest

from app.core import canvas_clipboard as clip
from app.core.errors import ValidationFailed
from app.core.graph import build_graph
from app.core.workflow import validate_workflow
from app.engine.actions import action_types

ALLOWED = {"transform", "if", "switch", "delay", "for_each"}


def _step(step_id: str, kind: str = "transform", x: float = 0, y: float = 0, **extra) -> dict:
    config = {"values": {}} if kind == "transform" else {}
    return {"id": step_id, "type": kind, "config": config, "ui": {"x": x, "y": y}, **extra}


def _flow() -> list[dict]:
    """fetch → check (if) → yes (true) / no (false); tail follows no implicitly (no depends_on
    written); sw (switch) after no."""
    return [
        _step("fetch", x=0, y=0),
        _step("check", "if", 0, 144, config={"condition": "steps.fetch.output.n > 1"}),
        _step("yes", x=-130, y=288, depends_on=["check:true"]),
        _step("no", x=130, y=288, depends_on=["check:false"]),
        _step("tail", x=130, y=432),
        _step(
            "sw", "switch", 390, 432, config={"value": "a", "cases": {"a": 1}}, depends_on=["no"]
        ),
    ]


@pytest.mark.parametrize(
    ("ids", "copied", "deps"),
    [
        (["check", "yes"], ["check", "yes"], [[], ["check:true"]]),  # fetch → check dropped
        (["fetch", "check"], ["fetch", "check"], [[], ["fetch"]]),
        (["yes", "no"], ["yes", "no"], [[], []]),  # both lose their parent
        (["no", "tail"], ["no", "tail"], [[], ["no"]]),  # the implied edge written out
        (["tail"], ["tail"], [[]]),
        (["nope"], [], []),
        (["no", "fetch"], ["fetch", "no"], [[], []]),  # the workflow's order, not the click's
    ],
)
def test_copy_keeps_inner_edges_and_drops_outer_ones(ids, copied, deps):
    board = clip.copy_steps(_flow(), ids)
    assert board["flowdeck"] == "steps" and board["version"] == 1
    assert [s["id"] for s in board["steps"]] == copied
    assert [s["depends_on"] for s in board["steps"]] == deps


def test_copy_leaves_private_keys_behind():
    steps = [{**_step("a"), "_i": 0, "dependsOn": []}]
    assert clip.copy_steps(steps, ["a"])["steps"] == [{**_step("a"), "depends_on": []}]


@pytest.mark.parametrize(
    ("old", "kind", "taken", "new"),
    [
        ("fetch", "transform", {"fetch"}, "fetch1"),
        ("fetch", "transform", {"fetch", "fetch1", "fetch2"}, "fetch3"),
        ("check2", "if", {"check2"}, "check1"),
        ("check2", "if", {"check1", "check2"}, "check3"),
        ("for-each1", "for_each", {"for-each1"}, "for-each2"),
        ("Bad Id", "for_each", set(), "for-each1"),  # not an id: named after its type
        ("123", "delay", set(), "delay1"),
        ("a" * 63, "delay", set(), "a" * 62 + "1"),  # ids stay within 63 characters
        ("a" * 70, "delay", set(), "delay1"),
    ],
)
def test_fresh_ids(old, kind, taken, new):
    assert clip.fresh_id(old, kind, taken) == new


@pytest.mark.parametrize(
    ("text", "out"),
    [
        ("{{ steps.fetch.output.n }}", "{{ steps.fetch1.output.n }}"),
        (
            "steps.fetch.output.n > steps.other.output.n",
            "steps.fetch1.output.n > steps.other.output.n",
        ),
        (
            "{{ steps[\"fetch\"].output }} {{ steps['check'].x }}",
            "{{ steps[\"fetch1\"].output }} {{ steps['check9'].x }}",
        ),
        ("steps.fetcher.output", "steps.fetcher.output"),  # another id that starts alike
        ("mysteps.fetch and x.steps.fetch", "mysteps.fetch and x.steps.fetch"),
        ("no reference to fetch", "no reference to fetch"),
        ("steps . fetch", "steps . fetch1"),
    ],
)
def test_rewrite_refs_renames_copied_steps_only(text, out):
    assert clip.rewrite_refs(text, {"fetch": "fetch1", "check": "check9"}) == out


def test_rewrite_refs_walks_nested_config():
    config = {"values": {"a": ["{{ steps.fetch.output }}", 3, None]}, "steps.fetch": "key kept"}
    assert clip.rewrite_refs(config, {"fetch": "f1"}) == {
        "values": {"a": ["{{ steps.f1.output }}", 3, None]},
        "steps.fetch": "key kept",
    }


def test_paste_remaps_ids_edges_branches_and_references():
    flow = _flow()
    copied = clip.copy_steps(flow, ["fetch", "check", "yes", "tail", "sw"])["steps"]
    pasted, mapping = clip.paste_steps(copied, flow)
    assert mapping == {
        "fetch": "fetch1",
        "check": "check1",
        "yes": "yes1",
        "tail": "tail1",
        "sw": "sw1",
    }
    by_id = {s["id"]: s for s in pasted}
    assert by_id["check1"]["depends_on"] == ["fetch1"]
    assert by_id["yes1"]["depends_on"] == ["check1:true"]  # a branch output follows its node
    assert by_id["sw1"]["depends_on"] == by_id["tail1"]["depends_on"] == []  # "no" not copied
    assert by_id["check1"]["config"]["condition"] == "steps.fetch1.output.n > 1"
    assert [s["ui"] for s in pasted][:2] == [{"x": 40.0, "y": 40.0}, {"x": 40.0, "y": 184.0}]
    # the whole workflow still validates and its graph is the old one plus the copy
    together = [*flow, *pasted]
    validate_workflow(
        {"name": "w", "trigger": {"type": "manual"}, "actions": together}, set(action_types())
    )
    assert len(build_graph(together).nodes) == 11


def test_pasting_twice_does_not_stack_copies():
    flow = _flow()
    copied = clip.copy_steps(flow, ["fetch"])["steps"]
    first, _ = clip.paste_steps(copied, flow)
    second, mapping = clip.paste_steps(copied, [*flow, *first])
    assert first[0]["ui"] == {"x": 40.0, "y": 40.0} and first[0]["id"] == "fetch1"
    assert second[0]["ui"] == {"x": 80.0, "y": 80.0} and mapping == {"fetch": "fetch2"}


def test_a_copy_without_positions_is_laid_out_below_everything():
    copied = [{"id": "a", "type": "delay"}, {"id": "b", "type": "delay", "depends_on": ["a"]}]
    pasted, _ = clip.paste_steps(copied, _flow())
    assert all(s["ui"]["y"] > 432 for s in pasted)
    assert pasted[1]["ui"]["y"] > pasted[0]["ui"]["y"]


def test_a_copy_without_depends_on_follows_the_previous_pasted_step():
    copied = [{"id": "a", "type": "delay", "ui": {"x": 0, "y": 0}}, {"id": "b", "type": "delay"}]
    pasted, _ = clip.paste_steps(copied, [])
    assert [s["depends_on"] for s in pasted] == [[], ["a1"]]


@pytest.mark.parametrize(
    ("text", "room", "message"),
    [
        ("not json", 10, "no Flowdeck steps"),
        ('{"flowdeck": "other", "steps": [{"id": "a", "type": "delay"}]}', 10, "no Flowdeck"),
        ('{"flowdeck": "steps", "steps": []}', 10, "no Flowdeck steps"),
        ('{"flowdeck": "steps", "steps": {"id": "a"}}', 10, "no Flowdeck steps"),
        ('{"flowdeck": "steps", "steps": [1]}', 10, "needs an id"),
        ('{"flowdeck": "steps", "steps": [{"type": "delay"}]}', 10, "needs an id"),
        ('{"flowdeck": "steps", "steps": [{"id": "a", "type": "shell"}]}', 10, "unknown step"),
        ('{"flowdeck": "steps", "steps": [{"id": "a", "type": ["delay"]}]}', 10, "unknown step"),
        (
            '{"flowdeck": "steps", "steps": [{"id": "a", "type": "delay", "config": 3}]}',
            9,
            "config",
        ),
        ('{"flowdeck": "steps", "steps": [{"id": "a", "type": "delay"}]}', 0, "room for 0 more"),
        ("[" * 100 + "]" * 100, 10, "nests too deeply"),
        (" " * (clip.MAX_TEXT + 1), 10, "too much"),
    ],
)
def test_read_clipboard_refuses(text, room, message):
    with pytest.raises(ValidationFailed) as caught:
        clip.read_clipboard(text, ALLOWED, room)
    assert message in caught.value.problems[0].message


def test_read_clipboard_reads_what_copy_wrote():
    board = clip.copy_steps(_flow(), ["check", "yes"])
    assert clip.read_clipboard(json.dumps(board), ALLOWED, 2) == board["steps"]


@pytest.mark.parametrize(
    ("copied", "existing", "shift"),
    [
        ([(0, 0)], [], 40.0),
        ([(0, 0)], [(40, 40)], 80.0),
        ([(0, 0), (100, 0)], [(140, 40)], 80.0),  # any pasted node on a taken spot moves all
        ([(0, 0)], [(40.2, 39.8)], 80.0),  # rounded: a drag that ended a fraction off
        ([(0, 0)], [(40, 0)], 40.0),
    ],
)
def test_free_offset(copied, existing, shift):
    assert clip.free_offset(copied, existing) == shift
