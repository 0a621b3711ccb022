"""The designer's editing aids against a real database: undo / redo (canvas and side panel),
the unsaved-changes flag, multi-select, copy / paste, and the side panel's trash.

The workflow is saved by the real service and opened in the designer as the page does; every
edit goes through the handlers the canvas and the panel call.
"""

from __future__ import annotations

import json

import pytest

from app.ui.states.designer import DesignerState
from app.ui.states.workflow_editor import WorkflowEditorState
from tests.unit.ui import test_state_guards as guards
from tests.unit.ui.test_designer_state import designer, designer_again
from tests.unit.ui.test_state_guards import People, call

people_template = guards.people_template
people = guards.people


def _edges(state: DesignerState) -> set[tuple[str, str, str]]:
    return {(e["source"], e["sourceHandle"], e["target"]) for e in state.canvas_edges}


def _status(state: DesignerState) -> tuple[bool, bool, bool]:
    status = state.edit_status
    return status["dirty"], status["can_undo"], status["can_redo"]


async def test_undo_and_redo_a_connect_and_a_delete(people: People) -> None:
    state, _ = await designer(people)
    assert _status(state) == (False, False, False)
    start = _edges(state)
    await call(state, "connect_nodes", "fetch", "out", "yes")
    connected = _edges(state)
    assert ("fetch", "out", "yes") in connected and _status(state) == (True, True, False)
    await call(state, "delete_items", json.dumps({"nodes": ["check"], "edges": []}))
    assert [a["id"] for a in state.actions] == ["fetch", "yes"]

    await call(state, "undo")
    assert [a["id"] for a in state.actions] == ["fetch", "check", "yes"]
    assert _edges(state) == connected and _status(state) == (True, True, True)
    await call(state, "undo")
    assert _edges(state) == start and _status(state) == (False, False, True)
    await call(state, "undo")  # nothing left: nothing happens
    assert _edges(state) == start
    await call(state, "redo")
    await call(state, "redo")
    assert [a["id"] for a in state.actions] == ["fetch", "yes"]
    assert _status(state) == (True, True, False)


async def test_fifty_moves_undone_and_redone(people: People) -> None:
    state, _ = await designer(people)
    for n in range(60):
        await call(state, "move_nodes", json.dumps([{"id": "yes", "x": n, "y": 0}]))
    for _ in range(50):
        await call(state, "undo")
    assert state.actions[2]["ui"] == {"x": 9.0, "y": 0.0}
    for _ in range(50):
        await call(state, "redo")
    assert state.actions[2]["ui"] == {"x": 59.0, "y": 0.0}
    assert len(state._history.past) == 60 and not state._history.future


async def test_side_panel_typing_is_one_undo_per_field(people: People) -> None:
    state, _ = await designer(people)
    form = await state.get_state(WorkflowEditorState)
    await call(state, "select_node", "fetch")
    original = state.actions[0]["name"]
    for typed in ("F", "Fe", "Fet", "Fetch"):  # the form's handler, a key at a time
        await call(form, "set_action_field", 0, "name", typed)
    assert _status(state) == (True, True, False)  # found before any designer event
    await call(state, "checkpoint")  # the field lost focus
    await call(form, "set_action_field", 0, "condition", "trigger.n > 0")
    await call(state, "undo")  # the condition first (found now), then the whole name
    assert state.actions[0]["condition"] == "" and state.actions[0]["name"] == "Fetch"
    await call(state, "undo")
    assert state.actions[0]["name"] == original
    assert state.selected == "fetch"  # the selection survives
    await call(state, "redo")
    assert state.actions[0]["name"] == "Fetch"


async def test_saving_keeps_the_history_and_loading_clears_it(people: People) -> None:
    state, workflow_id = await designer(people)
    await call(state, "move_nodes", json.dumps([{"id": "yes", "x": 300, "y": 10}]))
    await call(state, "save_design")
    assert state.errors == {} and _status(state) == (False, True, False)
    await call(state, "undo")
    assert _status(state) == (True, False, True)
    await call(state, "redo")
    assert _status(state) == (False, True, False)  # back to what is stored
    await call(state, "move_nodes", json.dumps([{"id": "yes", "x": 1, "y": 1}]))
    await call(state, "load_designer")
    assert _status(state) == (False, False, False)
    assert state.actions[2]["ui"] == {"x": 300.0, "y": 10.0}
    again, _ = await designer_again(people, workflow_id)
    assert _status(again) == (False, False, False)


async def test_the_history_is_bounded_and_backend_only(people: People) -> None:
    state, _ = await designer(people)
    for n in range(130):
        await call(state, "move_nodes", json.dumps([{"id": "fetch", "x": n, "y": 0}]))
    assert len(state._history.past) == 100
    await call(state, "copy_nodes", json.dumps(["fetch"]))
    sent = state.dict()[state.get_full_name()]  # what goes to the browser
    assert "edit_status_rx_state_" in sent
    assert not [k for k in sent if any(w in k for w in ("history", "seen", "saved", "clipboard"))]


async def test_multi_select_shows_no_panel_and_deletes_all(people: People) -> None:
    state, _ = await designer(people)
    await call(state, "select_nodes", json.dumps(["fetch", "nope", "yes"]))
    assert state.canvas_selection == ["fetch", "yes"] and state.selected_count == 2
    assert state.selected_index == -1  # no side panel for two steps
    await call(state, "select_nodes", json.dumps(["check"]))
    assert state.selected_index == 1 and state.selected_count == 1
    for junk in ("{", json.dumps(["fetch"] * 4), json.dumps({"a": 1}), "x" * 10_000):
        await call(state, "select_nodes", junk)
        assert state.canvas_selection == []
    await call(
        state, "delete_items", json.dumps({"nodes": ["fetch", "yes"], "edges": ["check:true->yes"]})
    )
    assert [a["id"] for a in state.actions] == ["check"]
    await call(state, "undo")
    assert [a["id"] for a in state.actions] == ["fetch", "check", "yes"]


async def test_copy_and_paste_two_connected_steps(people: People) -> None:
    state, _ = await designer(people)
    specs = await call(state, "copy_nodes", json.dumps(["check", "yes"]))
    board = json.loads(state._clipboard)
    assert [s["id"] for s in board["steps"]] == ["check", "yes"]
    assert board["steps"][0]["depends_on"] == []  # fetch was not copied
    script = str(specs[0].args[0][1])  # also on the system clipboard
    assert '["writeText"]' in script and '\\"check\\"' in script
    await call(state, "paste_nodes", "")
    assert [a["id"] for a in state.actions] == ["fetch", "check", "yes", "check1", "yes1"]
    assert ("check1", "true", "yes1") in _edges(state)
    assert state.actions[3]["at_start"]  # its parent stayed behind: it starts at once
    assert state.actions[3]["branch_condition"] == "steps.fetch.output.n > 0"  # fetch not copied
    assert state.canvas_selection == ["check1", "yes1"]
    moved = {n["id"]: n["position"] for n in state.canvas_nodes}
    assert moved["check1"] == {"x": moved["check"]["x"] + 40, "y": moved["check"]["y"] + 40}
    await call(state, "undo")
    assert [a["id"] for a in state.actions] == ["fetch", "check", "yes"]


async def test_paste_from_another_workflows_clipboard(people: People) -> None:
    state, _ = await designer(people)
    other = [
        {"id": "load", "type": "transform", "config": {"values": {"a": 1}}, "ui": {"x": 0, "y": 0}},
        {
            "id": "use",
            "type": "transform",
            "config": {"values": {"b": "{{ steps.load.output.a }}"}},
            "depends_on": ["load"],
            "ui": {"x": 0, "y": 144},
        },
    ]
    text = json.dumps({"flowdeck": "steps", "version": 1, "steps": other})
    await call(state, "paste_nodes", text)
    assert [a["id"] for a in state.actions][3:] == ["load1", "use1"]
    assert ("load1", "out", "use1") in _edges(state)
    assert "steps.load1.output.a" in state.actions[4]["values_json"]
    await call(state, "save_design")
    assert state.errors == {}, state.errors


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        json.dumps({"flowdeck": "steps", "steps": [{"id": "x", "type": "rm_rf"}]}),
        json.dumps({"flowdeck": "steps", "steps": [{"id": "x", "type": "delay", "retry": 3}]}),
        json.dumps({"flowdeck": "steps", "steps": [{"id": "x", "type": "delay"}] * 498}),
        " " * 1_000_001,
    ],
)
async def test_a_bad_paste_changes_nothing(people: People, text: str) -> None:
    state, _ = await designer(people)
    before = [dict(a) for a in state.actions]
    refusal = await call(state, "paste_nodes", text)
    assert "Cannot paste" in str(refusal)
    assert [dict(a) for a in state.actions] == before and not state.edit_status["can_undo"]


async def test_paste_with_nothing_copied(people: People) -> None:
    state, _ = await designer(people)
    assert "Nothing to paste" in str(await call(state, "paste_nodes", ""))
    assert len(state.actions) == 3


async def test_the_panels_trash_keeps_the_layout_and_undoes(people: People) -> None:
    """The steps have no positions (laid out): removing one must not move the others."""
    state, _ = await designer(people)
    await call(state, "add_node", "delay")  # after "yes"; its own position is pinned
    where = {n["id"]: n["position"] for n in state.canvas_nodes}
    await call(state, "select_node", "check")
    await call(state, "remove_step", 1)
    after = {n["id"]: n["position"] for n in state.canvas_nodes}
    assert after == {k: v for k, v in where.items() if k != "check"}
    assert state.selected_index == -1 and _edges(state) == {("yes", "out", "delay1")}
    await call(state, "undo")
    assert [a["id"] for a in state.actions] == ["fetch", "check", "yes", "delay1"]
    for junk in (-1, 9, "0"):
        await call(state, "remove_step", junk)
    assert len(state.actions) == 4


async def test_the_forms_own_remove_moved_the_others(people: People) -> None:
    """Why the panel has its own trash: the form's remove leaves the layout to re-flow."""
    state, _ = await designer(people)
    where = {n["id"]: n["position"] for n in state.canvas_nodes}
    form = await state.get_state(WorkflowEditorState)
    await call(form, "remove_action", 0)
    after = {n["id"]: n["position"] for n in state.canvas_nodes}
    assert after["check"] != where["check"]
