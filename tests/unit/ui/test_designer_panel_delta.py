"""A keystroke in the designer's side panel sends little: the text waits in `panel_edit`
(shown on the panel and the canvas) and is written into the form's `actions` at the next
designer event, so the whole steps list, the edges and the "Runs after" choices are not sent
again per key. Checked on the delta Reflex would send after each handler.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.ui.states.designer import DesignerState
from app.ui.states.workflow_editor import WorkflowEditorState
from tests.unit.ui import test_state_guards as guards
from tests.unit.ui.test_designer_state import designer
from tests.unit.ui.test_state_guards import People, call

people_template = guards.people_template
people = guards.people


def _sent(state: rx.State) -> set[str]:
    """The var names (without their state) in the delta of the whole tab, then cleaned."""
    root = state._get_root_state()
    delta = root.get_delta()
    root._clean()
    return {key.rpartition("_rx_state_")[0] for sub in delta.values() for key in sub}


def _label(state: DesignerState, step_id: str) -> Any:
    """The node's label as the canvas draws it: the patch of the step being typed into laid
    over the nodes (as the browser does)."""
    patch = state.canvas_patch
    if patch["id"] == step_id and "label" in patch["data"]:
        return patch["data"]["label"]
    return next(n["data"]["label"] for n in state.canvas_nodes if n["id"] == step_id)


async def test_a_keystroke_in_the_panel_does_not_resend_the_steps(people: People) -> None:
    state, _ = await designer(people)
    form = await state.get_state(WorkflowEditorState)
    await call(state, "select_node", "fetch")
    _sent(state)
    await call(form, "set_action_field", 0, "name", "Fetch it")
    sent = _sent(state)
    assert "actions" not in sent and "canvas_edges" not in sent
    assert "canvas_nodes" not in sent  # its node is redrawn from the patch
    assert "dependency_choices" not in sent and "missing_dependencies" not in sent
    assert {"panel_edit", "panel_step", "canvas_patch"} <= sent
    assert state.canvas_patch == {
        "id": "fetch",
        "data": {"label": "Fetch it", "kind": "transform", "outputs": [], "rule": ""},
    }
    assert state.panel_step["name"] == "Fetch it" and _label(state, "fetch") == "Fetch it"
    assert state.actions[0]["name"] != "Fetch it"
    assert state.edit_status["dirty"]

    await call(state, "checkpoint")  # the field lost focus: written into the form's steps
    assert state.actions[0]["name"] == "Fetch it" and not state.panel_edit
    sent = _sent(state)
    assert {"canvas_nodes", "canvas_patch"} <= sent and state.canvas_patch["id"] == ""
    assert "actions" not in sent  # the designer draws the steps from its own vars
    assert _label(state, "fetch") == "Fetch it"
    await call(state, "undo")
    assert state.actions[0]["name"] != "Fetch it" and _label(state, "fetch") != "Fetch it"


async def test_panel_text_follows_its_step_when_another_is_selected(people: People) -> None:
    state, _ = await designer(people)
    form = await state.get_state(WorkflowEditorState)
    await call(state, "select_node", "fetch")
    await call(form, "set_action_field", 0, "condition", "trigger.n > 0")
    await call(state, "select_node", "yes")
    assert state.actions[0]["condition"] == "trigger.n > 0"
    assert state.panel_step["id"] == "yes" and state.panel_step["condition"] == ""
    await call(form, "set_action_field", 0, "condition", "x")  # not the panel's step: at once
    assert state.actions[0]["condition"] == "x"


async def test_the_form_page_writes_at_once(people: People) -> None:
    state, _ = await designer(people)
    form = await state.get_state(WorkflowEditorState)
    await call(form, "load_edit")  # the form page: no panel
    await call(form, "set_action_field", 0, "name", "Typed")
    assert form.actions[0]["name"] == "Typed" and not form.panel_edit


async def test_the_designer_is_not_sent_the_forms_steps_and_the_form_page_is(
    people: People,
) -> None:
    """The designer draws the steps from the canvas and the panel: the form's list (~2 KB a
    step) stays out of what its tab is sent, at load, on edits and on a reload (hydration);
    the form page's load in the same tab sends it again."""
    state, _ = await designer(people)
    root = state._get_root_state()
    assert "actions" not in _sent(state)  # the load's delta (canvas_nodes only)
    assert not any(
        key.startswith("actions_rx_state_") for sub in root.dict().values() for key in sub
    )
    await call(state, "add_node", "transform")
    sent = _sent(state)
    assert "actions" not in sent and {"canvas_nodes", "canvas_edges"} <= sent
    form = await state.get_state(WorkflowEditorState)
    await call(form, "load_edit")  # the Form link, same tab
    assert "actions" in _sent(state)
    assert any(key.startswith("actions_rx_state_") for sub in root.dict().values() for key in sub)
