"""The designer's state against a real database: canvas edits, the side panel, and Save.

A workflow saved by the real service is opened in the designer; nodes are added, connected,
moved, deleted through the handlers the canvas calls; the side panel's field handlers (the
form's) change the same steps; Save goes through `update_workflow` and a reload shows what was
saved, positions included. A cycle is refused with the graph checks' words, and the service's
problems show on their node and in the list.
"""

from __future__ import annotations

import json

import pytest
import reflex as rx
from reflex.istate.data import PageData

from app.core.graph import build_graph
from app.services import auth, workflows
from app.ui.states.designer import DesignerState
from app.ui.states.workflow_editor import WorkflowEditorState
from tests.unit.ui import test_state_guards as guards
from tests.unit.ui.tabs import sign_in_tab
from tests.unit.ui.test_state_guards import People, call

people_template = guards.people_template
people = guards.people

DEFINITION = {
    "name": "Designed",
    "trigger": {"type": "manual", "config": {}},
    "actions": [
        {"id": "fetch", "type": "transform", "config": {"values": {"n": 1}}},
        {"id": "check", "type": "if", "config": {"condition": "steps.fetch.output.n > 0"}},
        {"id": "yes", "type": "delay", "config": {"seconds": 0}, "depends_on": ["check:true"]},
    ],
}


async def designer(people: People) -> tuple[DesignerState, int]:
    actor = auth.authenticate(people.tokens["admin"])
    workflow_id = workflows.create_workflow(actor, DEFINITION).workflow["id"]
    root = rx.State()
    root.rx_router_page = PageData(
        path=f"/admin/workflows/{workflow_id}/designer", params={"workflow_id": str(workflow_id)}
    )
    state = await root.get_state(DesignerState)
    sign_in_tab(state, people.tokens["admin"])
    await call(state, "load_designer")
    return state, workflow_id


def _edges(state: DesignerState) -> set[tuple[str, str, str]]:
    return {(e["source"], e["sourceHandle"], e["target"]) for e in state.canvas_edges}


async def test_opens_on_the_canvas(people: People) -> None:
    state, _ = await designer(people)
    assert [n["id"] for n in state.canvas_nodes] == ["fetch", "check", "yes"]
    assert state.canvas_nodes[1]["data"]["outputs"] == ["true", "false"]
    assert _edges(state) == {("fetch", "out", "check"), ("check", "true", "yes")}
    assert state.fit_token == 1 and state.selected_index == -1


async def test_add_connect_move_save_and_reload(people: People) -> None:
    state, workflow_id = await designer(people)
    await call(state, "select_node", "check")
    await call(state, "add_node", "transform")
    assert state.selected == "transform1" and state.selected_index == 3
    assert ("check", "out", "transform1") in _edges(state)
    await call(state, "connect_nodes", "check", "false", "transform1")
    assert state.actions[3]["depends_on"] == ["check", "check:false"]
    await call(state, "delete_items", json.dumps({"nodes": [], "edges": ["check->transform1"]}))
    assert state.actions[3]["depends_on"] == ["check:false"]
    # the side panel is the form's card: its handlers change the same step
    form = await state.get_state(WorkflowEditorState)
    await call(form, "set_action_field", 3, "values_json", '{"side": "no"}')
    for typed in ("t", "", "tr", "transform1"):  # renamed a key at a time: still selected
        await call(form, "set_action_field", 3, "id", typed)
        assert state.selected_index == 3 and state.selected == typed
    await call(state, "move_nodes", json.dumps([{"id": "yes", "x": 500.5, "y": 80}]))
    assert state.canvas_nodes[2]["position"] == {"x": 500.5, "y": 80.0}
    await call(state, "save_design")
    assert state.errors == {} and state.form_error == "", state.errors

    stored = workflows.get_workflow(auth.authenticate(people.tokens["admin"]), workflow_id)
    new = stored["actions"][3]
    assert new["id"] == "transform1" and new["depends_on"] == ["check:false"]
    assert new["config"] == {"values": {"side": "no"}} and "ui" in new
    assert stored["actions"][2]["ui"] == {"x": 500.5, "y": 80.0}
    assert "depends_on" not in stored["actions"][1]  # untouched steps stay as written

    again, _ = await designer_again(people, workflow_id)
    assert [n["id"] for n in again.canvas_nodes] == ["fetch", "check", "yes", "transform1"]
    assert again.canvas_nodes[2]["position"] == {"x": 500.5, "y": 80.0}
    assert ("check", "false", "transform1") in _edges(again)


async def designer_again(people: People, workflow_id: int) -> tuple[DesignerState, int]:
    root = rx.State()
    root.rx_router_page = PageData(
        path=f"/admin/workflows/{workflow_id}/designer", params={"workflow_id": str(workflow_id)}
    )
    state = await root.get_state(DesignerState)
    sign_in_tab(state, people.tokens["admin"])
    await call(state, "load_designer")
    return state, workflow_id


async def test_a_cycle_is_refused_and_nothing_changes(people: People) -> None:
    state, _ = await designer(people)
    before = [dict(a) for a in state.actions]
    refusal = await call(state, "connect_nodes", "yes", "out", "fetch")
    assert "cycle: fetch → check → yes → fetch" in str(refusal)
    assert [dict(a) for a in state.actions] == before


async def test_moves_and_tidy_never_change_the_graph(people: People) -> None:
    state, _ = await designer(people)
    steps = [{k: v for k, v in s.items() if k != "_i"} for s in state._steps()]
    await call(state, "move_nodes", json.dumps([{"id": "fetch", "x": -30, "y": 9e9}, "junk"]))
    await call(state, "tidy_up")
    assert state.fit_token == 2
    after = [{k: v for k, v in s.items() if k != "_i"} for s in state._steps()]
    assert build_graph(after) == build_graph(steps)
    assert all(s["ui"] for s in after)


async def test_service_problems_show_on_the_node_and_in_the_list(people: People) -> None:
    state, _ = await designer(people)
    await call(state, "select_node", "yes")
    form = await state.get_state(WorkflowEditorState)
    await call(form, "set_action_field", 2, "seconds", "-5")
    await call(state, "save_design")
    node = state.canvas_nodes[2]["data"]
    assert node["error"].startswith("config.seconds: "), state.errors
    assert state.problem_lines == [
        f"yes · config.seconds: {state.errors['actions[2].config.seconds']}"
    ]


async def test_deleting_a_node_drops_its_edges(people: People) -> None:
    state, _ = await designer(people)
    await call(state, "select_node", "check")
    await call(
        state, "delete_items", json.dumps({"nodes": ["check"], "edges": ["check:true->yes"]})
    )
    assert [a["id"] for a in state.actions] == ["fetch", "yes"]
    assert state.selected == "" and _edges(state) == set()
    assert state.actions[1]["at_start"]


async def test_the_palette_search_keeps_groups_with_a_match(people: People) -> None:
    state, _ = await designer(people)
    assert state.palette_groups == ["Basic", "Flow", "Operations", "Content"]
    await call(state, "set_palette_query", "for ea")
    assert state.palette_matches == ["for_each"] and state.palette_groups == ["Flow"]
    await call(state, "set_palette_query", "zzz")
    assert state.palette_matches == [] and state.palette_groups == []


async def test_a_palette_entry_dropped_on_the_canvas(people: People) -> None:
    state, _ = await designer(people)
    await call(state, "drop_node", "wait", json.dumps({"x": 40, "y": 640.25}))
    assert state.selected == "wait1" and state.actions[3]["at_start"]
    assert state.canvas_nodes[3]["position"] == {"x": 40.0, "y": 640.2}
    for junk in ("nope", "{", json.dumps({"x": True, "y": 1}), json.dumps([1, 2])):
        await call(state, "drop_node", "wait" if junk != "nope" else junk, junk)
    assert len(state.actions) == 4


@pytest.mark.parametrize("kind", ["nope", ""])
async def test_an_unknown_palette_kind_adds_nothing(people: People, kind: str) -> None:
    state, _ = await designer(people)
    await call(state, "add_node", kind)
    assert len(state.actions) == 3
