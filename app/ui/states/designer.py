"""The designer: the workflow form's state, drawn and edited on a canvas.

The designer is a substate of the form's (`WorkflowEditorErrors`), so the definition being
edited is the form's own `actions` and the side panel is the form's step card, bound to the
same handlers: one set of fields and checks for both. Canvas edits go through `app.core.canvas`
on the steps the form builds (`action_to_spec`), and only their graph fields and positions come
back into the form; text typed into the panel (even JSON that does not parse yet) is kept.
Saving goes through `app.services.workflows.update_workflow`, like the form's Save.

Undo / redo and the unsaved-changes flag are `designer_history`'s, copy / paste
`designer_clipboard`'s (state mixins). The selection is a list of ids (shift-click and box
select on the canvas); the side panel shows when exactly one step is selected, and follows it
by its place in the list while its id is being retyped. Every input a handler takes is bounded
by the workflow's own size: no more ids than steps, no longer JSON than those ids need.
"""

from __future__ import annotations

import json
from typing import Any, TypedDict

import reflex as rx

from app.core import canvas
from app.core.errors import FlowdeckError, Problem, ValidationFailed
from app.core.graph import MAX_STEPS
from app.services import workflows
from app.ui.forms.step_kinds import (
    ACTION_TYPES,
    BASIC_TYPES,
    CONTENT_TYPES,
    FLOW_TYPES,
    OPS_TYPES,
    graph_form,
)
from app.ui.forms.workflow_form import (
    ActionForm,
    action_to_spec,
    blank_action,
    definition_to_form,
    form_to_definition,
)
from app.ui.states.designer_clipboard import DesignerClipboard
from app.ui.states.designer_history import DesignerHistory
from app.ui.states.designer_selection import DesignerSelection, bounded_json
from app.ui.states.session import error_text, run_service
from app.ui.states.workflow_editor import WorkflowEditorErrors, plain, warning_toasts


class NodeData(TypedDict):
    step_id: str
    label: str
    kind: str
    outputs: list[str]
    rule: str
    error: str
    status: str
    index: int


class CanvasNode(TypedDict):
    id: str
    type: str
    position: dict[str, float]
    initialWidth: float
    initialHeight: float
    data: NodeData


class CanvasPatch(TypedDict):
    id: str
    data: dict[str, Any]


class CanvasEdge(TypedDict):
    id: str
    source: str
    target: str
    sourceHandle: str
    targetHandle: str
    label: str


#: The palette's groups, as the form's "add" buttons group the registry's types.
PALETTE: list[tuple[str, list[str]]] = [
    ("Basic", BASIC_TYPES),
    ("Flow", FLOW_TYPES),
    ("Operations", OPS_TYPES),
    ("Content", CONTENT_TYPES),
]


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


class DesignerState(DesignerSelection, DesignerHistory, DesignerClipboard, WorkflowEditorErrors):
    fit_token: int = 0
    palette_query: str = ""

    # -- the form's steps as the canvas sees them -----------------------------------------------

    def _steps(self) -> list[dict[str, Any]]:
        """Each form step as a definition step, with `_i`: its place in the form."""
        scratch: list[Problem] = []
        return [
            {**action_to_spec(action, i, scratch), "_i": i}
            for i, action in enumerate(self._form_actions())
        ]

    def _pinned(self) -> list[dict[str, Any]]:
        """The steps with every position written down: what changes the graph moves nothing."""
        return canvas.pin(self._steps())

    def _apply(self, steps: list[dict[str, Any]], new: dict[str, ActionForm] | None = None) -> None:
        """Graph fields and positions of `steps` into the form, as one undoable edit.

        A step without `_i` is new: its form is `new[id]` (a paste) or a blank one.
        """
        self._commit()  # side-panel edits made before this one are their own entry
        actions: list[ActionForm] = []
        for step in steps:
            index = step.get("_i")
            if index is None:
                form = dict((new or {}).get(str(step["id"])) or {})
                form = form or blank_action(len(actions), str(step["type"]))  # type: ignore
                form.update(id=str(step["id"]))
            else:
                form = dict(plain(self.actions)[index])  # type: ignore[assignment]
            form.update(graph_form(step))  # type: ignore[typeddict-item]
            form["ui"] = dict(step.get("ui") or {})
            actions.append(form)  # type: ignore[arg-type]
        self.actions = actions
        self._commit(panel=False)

    def _fresh_id(self, kind: str) -> str:
        taken = {a["id"] for a in plain(self.actions)}
        base = kind.replace("_", "-") if kind[:1].isalpha() else f"step-{kind}"
        number = 1
        while f"{base}{number}" in taken:
            number += 1
        return f"{base}{number}"

    # -- loading --------------------------------------------------------------------------------

    @rx.event
    async def load_designer(self) -> Any:
        self.selected_at, self.selected_ids, self.palette_query = -1, [], ""
        result = await self.load_edit()
        self._steps_unsent = True  # the canvas and the panel draw them
        self._reset_history()
        self.fit_token += 1
        return result

    # -- canvas events --------------------------------------------------------------------------

    @rx.event
    def connect_nodes(self, source: str, handle: str, target: str) -> Any:
        try:
            self._apply(canvas.connect(self._pinned(), source, handle, target))
        except ValidationFailed as exc:
            return rx.toast.error(_sentence(exc.problems[0].message))
        return None

    @rx.event
    def move_nodes(self, moved_json: str) -> None:
        moved = bounded_json(moved_json, 120 * (len(self.actions) + 1))
        if not isinstance(moved, list) or len(moved) > len(self.actions):
            return
        steps = self._steps()
        ids = {str(s["id"]) for s in steps}
        for item in moved:
            if not isinstance(item, dict) or item.get("id") not in ids:
                continue
            x, y = item.get("x"), item.get("y")
            if isinstance(x, int | float) and isinstance(y, int | float):
                steps = canvas.move(steps, item["id"], x, y)
        self._apply(steps)

    @rx.event
    def delete_items(self, payload_json: str) -> None:
        """Delete on the canvas: JSON {nodes: [ids], edges: [edge ids]}."""
        steps = self._steps()
        edges = canvas.edges_of(steps)
        payload = bounded_json(payload_json, 200 * (len(steps) + len(edges) + 1))
        if not isinstance(payload, dict):
            return
        nodes, cut = payload.get("nodes") or [], payload.get("edges") or []
        if not isinstance(nodes, list) or not isinstance(cut, list):
            return
        if len(nodes) > len(steps) or len(cut) > len(edges):
            return
        steps = self._pinned()
        by_id = {e["id"]: e for e in edges}
        gone = {str(n) for n in nodes}
        for edge_id in cut:
            if not isinstance(edge_id, str):
                continue
            edge = by_id.get(edge_id)
            if edge and edge["source"] not in gone and edge["target"] not in gone:
                steps = canvas.disconnect(
                    steps, edge["source"], edge["sourceHandle"], edge["target"]
                )
        if gone:
            steps = canvas.remove_steps(steps, gone)
            self.errors = {}  # their paths name places in the list that just moved
            self._select([])
        self._apply(steps)

    @rx.event
    def remove_step(self, index: int) -> None:
        """The side panel's trash: like Delete on the canvas (positions pinned, undoable)."""
        if not isinstance(index, int) or not 0 <= index < len(self.actions):
            return
        steps = self._pinned()
        gone = str(steps[index]["id"])
        if sum(1 for s in steps if s["id"] == gone) > 1:  # a duplicate id: this one only
            steps = steps[:index] + steps[index + 1 :]
        else:
            steps = canvas.remove_steps(steps, {gone})
        self.errors = {}
        self._select([])
        self._apply(steps)

    @rx.event
    def add_node(self, kind: str) -> None:
        if kind not in ACTION_TYPES or len(self.actions) >= MAX_STEPS:
            return
        step_id = self._fresh_id(kind)
        steps = canvas.add_step(
            self._pinned(), {"id": step_id, "type": kind}, after=self.selected or None
        )
        self._apply(steps)
        self._select([step_id])
        self.fit_token += 1  # the new node may sit outside the view

    @rx.event
    def drop_node(self, kind: str, at_json: str) -> None:
        """A palette entry dropped on the canvas: a new step there, not connected yet."""
        try:
            at = json.loads(at_json)
        except ValueError:
            return
        x, y = (at.get("x"), at.get("y")) if isinstance(at, dict) else (None, None)
        numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (x, y))
        if kind not in ACTION_TYPES or not numbers or len(self.actions) >= MAX_STEPS:
            return
        step_id = self._fresh_id(kind)
        self._apply(canvas.place_step(self._pinned(), {"id": step_id, "type": kind}, x, y))
        self._select([step_id])

    @rx.event
    def tidy_up(self) -> None:
        self._apply(canvas.tidy(self._steps()))
        self.fit_token += 1

    @rx.event
    def set_palette_query(self, value: str) -> None:
        self.palette_query = value[:60]

    # -- saving ---------------------------------------------------------------------------------

    @rx.event
    async def save_design(self) -> Any:
        self._commit()
        self.form_error, self.errors = "", {}
        definition, problems = form_to_definition(self.fields, self.trigger, self.actions)
        if problems:
            self._show(problems)
            return rx.toast.error("Some steps need attention")
        workflow_id = self.workflow_id
        if not workflow_id:
            return None
        self.saving = True
        try:
            saved = await run_service(
                self, lambda a: workflows.update_workflow(a, workflow_id, definition)
            )
        except ValidationFailed as exc:
            self._show(exc.problems)
            return rx.toast.error("Some steps need attention")
        except FlowdeckError as exc:
            self.form_error = error_text(exc)
            return None
        finally:
            self.saving = False
        self.fields, self.trigger, self.actions = definition_to_form(saved.workflow)
        self.warnings = {w["path"]: w["message"] for w in saved.warnings}
        self._mark_clean()
        return [rx.toast.success(f"Saved {saved.workflow['name']}"), *warning_toasts(saved)]

    # -- what the page draws --------------------------------------------------------------------

    @rx.var(deps=["actions", "errors"], auto_deps=False)
    def canvas_nodes(self) -> list[CanvasNode]:
        # Not on `panel_edit`: a keystroke in the side panel redraws its own node through
        # `canvas_patch` (~0.2 KB) instead of resending 200 nodes (~50 KB).
        nodes, _ = canvas.to_canvas(self._steps(), self.errors)
        return nodes  # type: ignore[return-value]

    @rx.var
    def canvas_patch(self) -> CanvasPatch:
        """The panel's step as its node shows it while text typed there waits in `panel_edit`
        (name, kind, branch outputs, trigger rule); nothing when no text waits."""
        at, edit, actions = self.panel_at, plain(self.panel_edit), plain(self.actions)
        if not edit or not 0 <= at < len(actions):
            return {"id": "", "data": {}}
        spec = action_to_spec({**actions[at], **edit}, at, [])  # type: ignore[typeddict-item]
        return {"id": str(spec["id"]), "data": canvas.node_look(spec)}

    @rx.var(deps=["actions"], auto_deps=False)
    def canvas_edges(self) -> list[CanvasEdge]:
        # Only `actions`: text typed in the side panel (`panel_edit`) never moves an edge (ids,
        # types and dependencies are written at once), so a keystroke does not resend them.
        return canvas.edges_of(self._steps())  # type: ignore[return-value]

    @rx.var
    def panel_step(self) -> ActionForm:
        """The selected step as its panel shows it: with the text typed there not written yet."""
        at = self.selected_at
        if not 0 <= at < len(self.actions):
            return blank_action(0)
        edit = self.panel_edit if self.panel_at == at else {}
        return {**plain(self.actions)[at], **plain(edit)}  # type: ignore[typeddict-item]

    @rx.var
    def palette_matches(self) -> list[str]:
        query = self.palette_query.strip().lower().replace(" ", "_")
        return [kind for kind in ACTION_TYPES if query in kind]

    @rx.var
    def palette_groups(self) -> list[str]:
        """The palette groups with a step type matching the search."""
        matches = set(self.palette_matches)
        return [name for name, kinds in PALETTE if matches & set(kinds)]

    @rx.var
    def problem_lines(self) -> list[str]:
        """Every problem, said with the step it is about (`check · depends_on[0]: …`)."""
        ids = [a["id"] or f"step {i + 1}" for i, a in enumerate(plain(self.actions))]
        lines = []
        for path, message in self.errors.items():
            head, _, rest = path.partition("]")
            if head.startswith("actions[") and head[8:].isdigit() and int(head[8:]) < len(ids):
                where = ids[int(head[8:])] + (f" · {rest.lstrip('.')}" if rest else "")
            else:
                where = path
            lines.append(f"{where}: {message}")
        return lines
