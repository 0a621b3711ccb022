"""Save warnings in the workflow form: saved all the same, a warning toast per warning, and
the warning next to its step when the saved workflow is opened again."""

from __future__ import annotations

import json

import reflex as rx
from reflex.istate.data import PageData

from app.services import auth, connections, workflows
from app.ui.states.workflow_editor import WorkflowEditorErrors, WorkflowEditorState
from tests.unit.ui import test_state_guards as guards
from tests.unit.ui.tabs import sign_in_tab
from tests.unit.ui.test_state_guards import People, call, toasts

people_template = guards.people_template
people = guards.people
REASON = "no metrics source for ranking, traffic, engagement: add one under Connections"
MONITOR = {"id": "monitor", "type": "monitor",
           "config": {"metrics": ["ranking", "traffic", "engagement"]}}  # fmt: skip


async def editor(token: str, **params: str) -> WorkflowEditorState:
    root = rx.State()
    root.rx_router_page = PageData(path="/admin/workflows/edit", params=params)
    state = await root.get_state(WorkflowEditorState)
    sign_in_tab(state, token)
    return state


async def test_a_save_with_a_warning_is_saved_and_says_so(people: People) -> None:
    tab = await editor(people.tokens["member"])
    await call(tab, "load_new")
    tab.json_mode = True
    definition = {"name": "Measured", "trigger": {"type": "manual"}, "actions": [MONITOR]}
    tab.json_text = json.dumps(definition)
    answer = await call(tab, "save")
    assert ("warning", REASON) in toasts(answer)
    assert ("success", "Saved Measured") in toasts(answer)
    assert tab.workflow_id and tab.warnings == {"actions[0].config.metrics": REASON}


async def test_opening_it_again_shows_the_warning_next_to_the_step(people: People) -> None:
    member = auth.authenticate(people.tokens["member"])
    pre = {"id": "pre", "type": "transform", "config": {"values": {"a": 1}}}
    saved = workflows.create_workflow(
        member, {"name": "w", "trigger": {"type": "manual"}, "actions": [pre, MONITOR]}
    )
    tab = await editor(people.tokens["member"], workflow_id=str(saved.workflow["id"]))
    await call(tab, "load_edit")
    cards = await tab.get_state(WorkflowEditorErrors)
    assert cards.action_warnings == ["", REASON]
    connections.create_connection(
        member,
        {"name": "gsc", "platform": "search_console",
         "credentials": {"accessToken": "ya29.x"}, "config": {"siteUrl": "sc-domain:a.io"}},
    )  # fmt: skip
    await call(tab, "load_edit")
    cards = await tab.get_state(WorkflowEditorErrors)
    assert cards.action_warnings == [
        "", "no metrics source for traffic, engagement: add one under Connections"
    ]  # fmt: skip
