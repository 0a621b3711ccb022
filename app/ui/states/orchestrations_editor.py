"""Create / edit an orchestration: the form with its call cards, a JSON tab of the same
definition, and the calls' dependency graph redrawn as they are edited.

Saving goes through the service (which checks the role and validates); every problem it
reports comes back with its path (`calls[1].url`) and is shown next to that field, and all
of them in a list at the top.
"""

from __future__ import annotations

import json
from typing import Any, TypedDict

import reflex as rx

from app.core.errors import FlowdeckError, Problem, ValidationFailed
from app.core.orchestration import MAX_CALLS
from app.services import connections, orchestrations
from app.ui.states.orchestrations_form import (
    CALL_FIELDS,
    JSON_FIELDS,
    MODE_HINTS,
    NO_CONNECTION,
    CallForm,
    blank_call,
    default_fields,
    definition_to_form,
    form_to_definition,
    group_call_errors,
    json_field_problem,
    problem_lines,
    rename_in,
)
from app.ui.states.orchestrations_views import GraphEdge, GraphNode, graph_views
from app.ui.states.session import SessionState, error_text, run_service

MAX_TEXT = 200_000  # one field's text: a pasted 1 MB body is refused, not stored in the tab
_FORM_FIELDS = tuple(default_fields())
_TEXT_CALL_FIELDS = tuple(f for f in CALL_FIELDS if f not in ("depends_on", "continue_on_error"))


class ConnectionOption(TypedDict):
    value: str
    label: str


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def connection_options(items: list[dict[str, Any]]) -> list[ConnectionOption]:
    options = [ConnectionOption(value=NO_CONNECTION, label="No connection")]
    options += [
        ConnectionOption(value=str(c["id"]), label=f"{c['name']} ({c['platform']})") for c in items
    ]
    return options


class OrchestrationEditorState(SessionState):
    orch_id: int = 0
    fields: dict[str, str] = default_fields()
    calls: list[CallForm] = []
    errors: dict[str, str] = {}
    form_error: str = ""
    tab: str = "form"
    json_text: str = ""
    saving: bool = False
    dirty: bool = False
    loaded: bool = False
    connection_choices: list[ConnectionOption] = []
    graph_nodes: list[GraphNode] = []
    graph_edges: list[GraphEdge] = []
    graph_fit: int = 0

    # -- loading ----------------------------------------------------------------------------

    def _reset(self) -> None:
        self.orch_id, self.fields, self.calls = 0, default_fields(), [blank_call([])]
        self.errors, self.form_error, self.tab, self.json_text = {}, "", "form", ""
        self.dirty, self.loaded = False, False

    async def _load_connections(self) -> None:
        try:
            items = await run_service(self, connections.list_connections)
        except FlowdeckError:
            items = []
        self.connection_choices = connection_options(items)

    def _route_id(self) -> int:
        raw = str(self.rx_router_page.params.get("orchestration_id", ""))
        return int(raw) if raw.isdigit() and len(raw) < 12 else 0

    @rx.event
    async def load_new(self) -> Any:
        redirect = await self.guard_admin_area()
        if redirect is not None:
            return redirect
        self._reset()
        await self._load_connections()
        self._redraw()
        self.loaded = True
        return None

    async def _load_existing(self) -> dict[str, Any] | None:
        self._reset()
        wanted = self._route_id()
        try:
            data = await run_service(self, lambda a: orchestrations.get_orchestration(a, wanted))
        except FlowdeckError as exc:
            self.form_error = error_text(exc)
            return None
        if not wanted:
            return None
        self.orch_id = wanted
        self.fields, self.calls = definition_to_form(data)
        self.errors = {p["path"]: _sentence(p["message"]) for p in data.get("problems") or []}
        await self._load_connections()
        self._keep_unknown_connections()
        self._redraw()
        self.loaded = True
        return data

    def _keep_unknown_connections(self) -> None:
        """A call naming a connection by name (or one this person cannot list) keeps it."""
        known = {o["value"] for o in self.connection_choices}
        extra = sorted({c["connection"] for c in self.calls} - known)
        self.connection_choices = [
            *self.connection_choices,
            *[ConnectionOption(value=v, label=v) for v in extra],
        ]

    # -- editing ----------------------------------------------------------------------------

    def _edited(self) -> None:
        self.dirty = True
        self._redraw()

    @rx.event
    def set_field(self, name: str, value: str | bool) -> None:
        if name not in _FORM_FIELDS:
            return
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        self.fields = {**self.fields, name: text[:MAX_TEXT]}
        self.errors = {k: v for k, v in self.errors.items() if k.split(".")[0] != name}
        self._edited()

    def _has_call(self, index: int) -> bool:
        return isinstance(index, int) and 0 <= index < len(self.calls)

    @rx.event
    def set_call_field(self, index: int, name: str, value: str | bool) -> None:
        if not self._has_call(index):
            return
        calls = list(self.calls)
        old = calls[index]
        if name == "continue_on_error":
            calls[index] = {**old, name: bool(value)}  # type: ignore[typeddict-item]
        elif name in _TEXT_CALL_FIELDS:
            calls[index] = {**old, name: str(value)[:MAX_TEXT]}  # type: ignore[misc]
        else:
            return
        if name == "id" and str(value) not in {c["id"] for c in calls if c is not calls[index]}:
            calls = [  # calls that waited for this one follow its new id
                {**c, "depends_on": rename_in(c["depends_on"], old["id"], str(value))}  # type: ignore[misc]
                for c in calls
            ]
        self.calls = calls
        path = f"calls[{index}].{name}"
        self._clear_errors(path)
        if name in JSON_FIELDS and (problem := json_field_problem(name, str(value))):
            self.errors = {**self.errors, path: problem}  # shown as it is typed
        self._edited()

    def _clear_errors(self, prefix: str) -> None:
        self.errors = {
            k: v
            for k, v in self.errors.items()
            if k != prefix and not k.startswith((f"{prefix}.", f"{prefix}["))
        }

    @rx.event
    def toggle_dependency(self, index: int, call_id: str, checked: bool) -> None:
        if not self._has_call(index) or len(call_id) > 200:
            return
        calls = list(self.calls)
        chosen = [d for d in calls[index]["depends_on"] if d != call_id]
        if checked and call_id != calls[index]["id"] and len(chosen) < MAX_CALLS:
            chosen.append(call_id)
        calls[index] = {**calls[index], "depends_on": chosen}  # type: ignore[typeddict-item]
        self.calls = calls
        self._clear_errors(f"calls[{index}].depends_on")
        self._edited()

    @rx.event
    def add_call(self) -> Any:
        if len(self.calls) >= MAX_CALLS:
            return rx.toast.error(f"An orchestration has at most {MAX_CALLS} calls")
        self.calls = [*self.calls, blank_call([c["id"] for c in self.calls])]
        self._edited()
        return None

    @rx.event
    def remove_call(self, index: int) -> None:
        if not self._has_call(index):
            return
        gone = self.calls[index]["id"]
        self.calls = [
            {**c, "depends_on": [d for d in c["depends_on"] if d != gone]}  # type: ignore[misc]
            for i, c in enumerate(self.calls)
            if i != index
        ]
        self.errors = {k: v for k, v in self.errors.items() if not k.startswith("calls[")}
        self._edited()

    @rx.event
    def move_call(self, index: int, delta: int) -> None:
        target = index + delta
        if self._has_call(index) and 0 <= target < len(self.calls):
            calls = list(self.calls)
            calls[index], calls[target] = calls[target], calls[index]
            self.calls = calls
            self.errors = {k: v for k, v in self.errors.items() if not k.startswith("calls[")}
            self._edited()

    # -- the graph --------------------------------------------------------------------------

    def _redraw(self) -> None:
        shown = [
            {
                "id": c["id"],
                "name": c["name"],
                "method": c["method"],
                "url": c["url"],
                "depends_on": c["depends_on"],
                "condition": c["condition"],
            }
            for c in self.calls
        ]
        nodes, edges = graph_views(self.fields.get("mode", "sequential"), shown, self.errors)
        if [n["id"] for n in nodes] != [n["id"] for n in self.graph_nodes]:
            self.graph_fit += 1
        if nodes != self.graph_nodes:  # assigning sends it, changed or not
            self.graph_nodes = nodes
        if edges != self.graph_edges:
            self.graph_edges = edges

    # -- JSON tab ---------------------------------------------------------------------------

    @rx.event
    def set_tab(self, tab: str) -> None:
        """Form, JSON, runs or history. Leaving the JSON tab applies it (invalid: stay there)."""
        if tab == self.tab or tab not in ("form", "json", "runs", "history"):
            return
        if self.tab == "json":
            definition = self._parsed_json()
            if definition is None:
                return
            self.fields, self.calls = definition_to_form(definition)
            self._keep_unknown_connections()
            self.errors = {}
            self._edited()
        if tab == "json":
            definition, problems = form_to_definition(self.fields, self.calls)
            self.json_text = json.dumps(definition, indent=2, ensure_ascii=False)
            self._show(problems)
        self.tab = tab

    def _parsed_json(self) -> dict[str, Any] | None:
        try:
            definition = json.loads(self.json_text)
        except ValueError as exc:
            self.errors = {"json": f"Not valid JSON: {exc}"}
            return None
        if not isinstance(definition, dict):
            self.errors = {"json": "The definition must be a JSON object"}
            return None
        return definition

    @rx.event
    def set_json_text(self, value: str) -> None:
        self.json_text = value[: MAX_TEXT * 5]
        self.dirty = True

    # -- saving -----------------------------------------------------------------------------

    def _show(self, problems: list[Problem]) -> None:
        self.errors = {p.path or "form": _sentence(p.message) for p in problems}

    @rx.event
    async def save(self) -> Any:
        self.form_error, self.errors = "", {}
        if self.tab == "json":
            definition = self._parsed_json()
            if definition is None:
                return rx.toast.error("The JSON needs attention")
            problems: list[Problem] = []
        else:
            definition, problems = form_to_definition(self.fields, self.calls)
        if problems:
            self._show(problems)
            self._redraw()
            return rx.toast.error("Some fields need attention")
        orch_id = self.orch_id
        self.saving = True
        try:
            saved = await run_service(
                self,
                lambda a: (
                    orchestrations.update_orchestration(a, orch_id, definition)
                    if orch_id
                    else orchestrations.create_orchestration(a, definition)
                ),
            )
        except ValidationFailed as exc:
            self._show(exc.problems)
            self._redraw()
            return rx.toast.error("Some fields need attention")
        except FlowdeckError as exc:
            self.form_error = error_text(exc)
            return None
        finally:
            self.saving = False
        self.dirty = False
        if not orch_id:
            return [
                rx.toast.success(f"Saved {saved['name']}"),
                rx.redirect(f"/admin/orchestrations/{saved['id']}"),
            ]
        self.fields, self.calls = definition_to_form(saved)
        if self.tab == "json":
            self.json_text = json.dumps(
                {k: saved[k] for k in orchestrations.DEFINITION_FIELDS},
                indent=2,
                ensure_ascii=False,
            )
        self._redraw()
        return rx.toast.success(f"Saved {saved['name']} (version {saved['version']})")

    # -- what the page shows ----------------------------------------------------------------

    @rx.var
    def call_errors(self) -> list[dict[str, str]]:
        """Per card, field → its problems; "" holds the card's problems of no field."""
        return group_call_errors(self.errors, len(self.calls))

    @rx.var
    def problems(self) -> list[str]:
        return problem_lines(self.errors)

    @rx.var
    def call_ids(self) -> list[str]:
        return [c["id"] for c in self.calls]

    @rx.var
    def mode_hint(self) -> str:
        return MODE_HINTS.get(self.fields.get("mode", ""), "")

    @rx.var
    def listed_order(self) -> bool:
        """Calls run in listed order: a call may only wait for calls above it."""
        return self.fields.get("mode") in ("sequential", "pipeline")

    @rx.var
    def depends_hint(self) -> str:
        if self.fields.get("mode") in ("parallel", "conditional"):
            return "None chosen: starts at once."
        return "None chosen: runs after the call above (only calls above can be chosen)."
