"""Create / edit a workflow through a form, with an "Advanced: JSON" view of the same thing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import available_timezones

import reflex as rx
from reflex.state import _override_base_method
from reflex_base.constants.state import FIELD_MARKER

from app.core.cron import describe_cron, next_fire_times, validate_cron, validate_timezone
from app.core.dates import zoned_text
from app.core.errors import FlowdeckError, Problem, ValidationFailed
from app.core.time_zones import find_zones
from app.core.webhook_examples import curl_example
from app.services import retention, workflows
from app.services.workflow_defs import parse_definition
from app.services.workflow_warnings import check_warnings
from app.ui.forms.retention_fields import BLANK as RETENTION_BLANK
from app.ui.forms.retention_fields import global_hints
from app.ui.forms.step_kinds import (
    FLOW_FIELDS,
    DepOption,
    dependency_choices,
    drop_dependency,
    missing_dependencies,
    rename_dependency,
)
from app.ui.forms.trigger_kinds import TRIGGER_FIELDS
from app.ui.forms.workflow_form import (
    ActionForm,
    TriggerForm,
    blank_action,
    blank_trigger,
    definition_to_form,
    form_to_definition,
    input_of,
)
from app.ui.states.session import SessionState, error_text, run_service

#: Every IANA time zone this host knows, UTC first: what the time zone field searches.
TIME_ZONES = ("UTC", *sorted(z for z in available_timezones() if z != "UTC"))
#: Trigger config keys with an input of their own in the form (a problem shows under it).
TRIGGER_INPUTS = ("cron", "timezone", "interval_seconds", "secret", "event", "filter")
ACTIONS_KEY = "actions" + FIELD_MARKER

_DEFAULT_FIELDS = {
    "name": "",
    "description": "",
    "workflow_type": "custom",
    "priority": "normal",
    "concurrency_limit": "1",
    "max_parallel": "8",
    "is_active": "true",
    "on_interrupted": "leave",
    "on_failure_workflow_id": "",
    **RETENTION_BLANK,
}


#: After a failed save: the first problem shown on the page in view, its input focused.
SCROLL_TO_FIRST_PROBLEM = """
setTimeout(() => {
  const problem = document.querySelector('[data-problem]');
  if (!problem) return;
  problem.scrollIntoView({block: 'center'});
  const box = problem.parentElement;
  const input = box && box.querySelector('input:not([type=hidden]), textarea');
  if (input) input.focus({preventScroll: true});
}, 60);
"""


def others_of(definition: dict[str, Any], found: list[Problem]) -> list[Problem]:
    """The service's problems with `definition` at paths the form has not already named (the
    form's own say more: "not valid JSON" rather than "must be an object")."""
    try:
        parse_definition(definition)
    except ValidationFailed as exc:
        taken = {p.path for p in found}
        return [p for p in exc.problems if p.path not in taken and not _inside(p.path, taken)]
    return []


def _inside(path: str, taken: set[str]) -> bool:
    return any(path.startswith((f"{t}.", f"{t}[")) for t in taken if t)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def plain(value: Any) -> Any:
    """The value under Reflex's change-tracking proxy: for reading only (each item read through
    the proxy wraps it again, which cost a 200-step designer more than its own work)."""
    return getattr(value, "__wrapped__", value)


class WorkflowEditorState(SessionState):
    workflow_id: int = 0
    fields: dict[str, str] = dict(_DEFAULT_FIELDS)
    trigger: TriggerForm = blank_trigger()
    actions: list[ActionForm] = []
    errors: dict[str, str] = {}
    #: Save warnings (path → message, `app.services.workflow_warnings`): shown, never blocking.
    warnings: dict[str, str] = {}
    form_error: str = ""
    json_mode: bool = False
    json_text: str = ""
    cron_words: str = ""
    next_runs: list[str] = []
    webhook_url: str = ""
    endpoint_url: str = ""
    secret_once: str = ""
    saving: bool = False
    #: The designer's side panel: text typed into step `panel_at` waits in `panel_edit` (field
    #: → value) until the next designer event writes it into `actions`, so a keystroke sends
    #: this small dict, not the whole list. The form page never sets `panel_at`.
    panel_at: int = -1
    panel_edit: dict[str, str] = {}
    #: "History retention": the global value each blank field falls back to (placeholders).
    retention_hints: dict[str, str] = {}
    #: The tab is on the designer, which draws the steps from its own vars (canvas nodes, the
    #: panel's step): the form's whole list (~2 KB a step, ~0.4 MB at 200 steps) is kept out
    #: of what the tab is sent (`get_delta`, `dict`). Every form page's load sends it again.
    _steps_unsent: bool = False

    # -- what the tab is sent -----------------------------------------------------------------

    def _drop_steps(self, delta: dict[str, Any]) -> dict[str, Any]:
        if self._steps_unsent:
            delta.get(self.get_full_name(), {}).pop(ACTIONS_KEY, None)
        return delta

    # Overrides of Reflex's own (its build_delta calls each state's `get_delta`; hydration
    # calls `dict`), marked as Reflex marks its own so they are not taken for event handlers.
    @_override_base_method
    def get_delta(self) -> Any:
        """Reflex's delta of this state and its substates, without `actions` on the designer."""
        return self._drop_steps(super().get_delta())

    @_override_base_method
    def dict(self, include_computed: bool = True, initial: bool = False, **kwargs: Any) -> Any:
        """The whole state (a tab's hydration), without `actions` on the designer."""
        found = super().dict(include_computed=include_computed, initial=initial, **kwargs)
        return self._drop_steps(found)

    # -- loading ----------------------------------------------------------------------------

    def _reset_form(self) -> None:
        self.workflow_id, self.fields, self.trigger = 0, dict(_DEFAULT_FIELDS), blank_trigger()
        self.actions = [blank_action(0)]
        self.errors, self.form_error, self.json_mode, self.json_text = {}, "", False, ""
        self.warnings = {}
        self.webhook_url = self.secret_once = self.endpoint_url = ""
        self.panel_at, self.panel_edit = -1, {}
        self._preview()

    @rx.event
    async def load_new(self) -> Any:
        redirect = await self.guard_admin_area()
        if redirect is not None:
            return redirect
        self._reset_form()
        self._steps_unsent = False
        await self._load_retention_hints()
        return None

    async def _load_retention_hints(self) -> None:
        try:
            self.retention_hints = global_hints(await run_service(self, retention.global_values))
        except FlowdeckError:
            self.retention_hints = {}

    @rx.event
    async def load_edit(self) -> Any:
        redirect = await self.guard_admin_area()
        if redirect is not None:
            return redirect
        self._reset_form()
        self._steps_unsent = False  # the designer's load sets it after this
        await self._load_retention_hints()
        try:
            workflow_id = int(self.rx_router_page.params.get("workflow_id", "0"))
            data = await run_service(self, lambda a: workflows.get_workflow(a, workflow_id))
        except (ValueError, FlowdeckError) as exc:
            self.form_error = error_text(exc) if isinstance(exc, FlowdeckError) else "Bad id"
            return None
        self.workflow_id = workflow_id
        self.fields, self.trigger, self.actions = definition_to_form(data)
        self.webhook_url = data.get("webhook_url") or ""
        self.endpoint_url = data.get("endpoint_url") or ""
        self._preview()
        found = await run_service(self, lambda a: check_warnings(a, data.get("actions") or []))
        self.warnings = {w["path"]: w["message"] for w in found}
        return None

    # -- editing ----------------------------------------------------------------------------

    @rx.event
    def set_field(self, name: str, value: str) -> None:
        self.fields = {**self.fields, name: value}
        self.errors = {k: v for k, v in self.errors.items() if k != name}

    @rx.event
    def set_trigger_field(self, name: str, value: str) -> None:
        self.trigger = {**self.trigger, name: str(value)[:2000]}  # type: ignore[assignment]
        self.errors = {k: v for k, v in self.errors.items() if k != f"trigger.config.{name}"}
        self._preview()

    @rx.var
    def tz_matches(self) -> list[str]:
        """IANA names matching what is typed in the time zone field (none once it is one)."""
        return find_zones(self.trigger["timezone"], TIME_ZONES)

    @rx.event
    def apply_preset(self, cron: str) -> None:
        self.trigger = {**self.trigger, "cron": cron, "schedule_kind": "cron"}  # type: ignore
        self._preview()

    def _form_actions(self) -> list[ActionForm]:
        """The steps with the side panel's pending text in place (what the person sees)."""
        at, edit, actions = self.panel_at, plain(self.panel_edit), plain(self.actions)
        if not edit or not 0 <= at < len(actions):
            return list(actions)
        actions = list(actions)
        actions[at] = {**actions[at], **edit}  # type: ignore[typeddict-item]
        return actions

    def _flush_panel(self) -> None:
        """The side panel's pending text written into `actions` (before anything reads them)."""
        if self.panel_edit:
            actions = self._form_actions()
            self.panel_edit = {}
            self.actions = actions

    @rx.event
    def set_action_field(self, index: int, name: str, value: str | bool) -> None:
        if index == self.panel_at >= 0 and isinstance(value, str) and name not in ("id", "type"):
            self.panel_edit = {**self.panel_edit, name: value}
            return
        self._flush_panel()
        actions = list(self.actions)
        old = actions[index]
        actions[index] = {**old, name: value}  # type: ignore[assignment]
        others = {a["id"] for i, a in enumerate(actions) if i != index}
        if name == "id" and not others & {old["id"], value}:
            # Steps that ran after this one follow the new id; not when the old or the new id
            # is another step's too (the references would merge into that step's).
            actions = [
                {**a, "depends_on": rename_dependency(a["depends_on"], old["id"], str(value))}  # type: ignore[misc]
                for a in actions
            ]
        self.actions = actions

    def _set_graph(self, index: int, depends_on: list[str], at_start: bool) -> None:
        self._flush_panel()
        actions = list(self.actions)
        actions[index] = {**actions[index], "depends_on": depends_on, "at_start": at_start}  # type: ignore[assignment]
        self.actions = actions
        prefix = f"actions[{index}].depends_on"
        self.errors = {k: v for k, v in self.errors.items() if not k.startswith(prefix)}

    @rx.event
    def toggle_dependency(self, index: int, value: str, checked: bool) -> None:
        """Check or uncheck one "Runs after" choice (a step id or "<id>:<output>")."""
        self._flush_panel()
        chosen = [d for d in self.actions[index]["depends_on"] if d != value]
        self._set_graph(index, [*chosen, value] if checked else chosen, False)

    @rx.event
    def run_after_previous(self, index: int, _checked: bool = True) -> None:
        self._set_graph(index, [], False)

    @rx.event
    def run_at_start(self, index: int, checked: bool = True) -> None:
        self._set_graph(index, [], bool(checked))

    @rx.event
    def add_action(self, action_type: str = "transform") -> None:
        self._flush_panel()
        self.actions = [*self.actions, blank_action(len(self.actions), action_type)]

    @rx.event
    def remove_action(self, index: int) -> None:
        self._flush_panel()
        gone = self.actions[index]["id"] if 0 <= index < len(self.actions) else ""
        self.actions = [
            {**a, "depends_on": drop_dependency(a["depends_on"], gone)}  # type: ignore[misc]
            for i, a in enumerate(self.actions)
            if i != index
        ]

    @rx.event
    def move_action(self, index: int, delta: int) -> None:
        self._flush_panel()
        target = index + delta
        if 0 <= target < len(self.actions):
            actions = list(self.actions)
            actions[index], actions[target] = actions[target], actions[index]
            self.actions = actions

    def _preview(self) -> None:
        """Plain words and the next three runs of the schedule, in its own time zone."""
        self.cron_words, self.next_runs = "", []
        if self.trigger["type"] != "schedule" or self.trigger["schedule_kind"] != "cron":
            return
        cron, tz = self.trigger["cron"].strip(), self.trigger["timezone"].strip() or "UTC"
        problem = validate_cron(cron) or validate_timezone(tz)
        if problem:
            self.cron_words = _sentence(problem)
            return
        self.cron_words = describe_cron(cron, tz)
        self.next_runs = [
            zoned_text(moment) for moment in next_fire_times(cron, tz, datetime.now(UTC), 3)
        ]

    # -- JSON view --------------------------------------------------------------------------

    @rx.event
    def toggle_json(self) -> None:
        self._flush_panel()
        if not self.json_mode:
            definition, problems = form_to_definition(self.fields, self.trigger, self.actions)
            self.json_text = json.dumps(definition, indent=2)
            self.json_mode = True
            self._show(problems)
            return
        try:
            definition = json.loads(self.json_text)
            if not isinstance(definition, dict):
                raise ValueError("the definition must be a JSON object")
        except ValueError as exc:
            self.errors = {"json": f"Not valid JSON: {exc}"}
            return
        self.fields, self.trigger, self.actions = definition_to_form(definition)
        self.json_mode, self.errors = False, {}
        self._preview()

    @rx.event
    def set_json_text(self, value: str) -> None:
        self.json_text = value

    # -- saving -----------------------------------------------------------------------------

    def _show(self, problems: list[Problem]) -> None:
        errors: dict[str, str] = {}
        for p in problems:  # two problems at one path: both, one per line
            key, text = p.path or "form", _sentence(p.message)
            errors[key] = f"{errors[key]}\n{text}" if key in errors else text
        self.errors = errors

    def _problems(self, problems: list[Problem]) -> Any:
        """Every problem under its field, the page scrolled to the first, a one-line toast."""
        self._show(problems)
        count = len(self.errors)
        return [
            rx.toast.error(f"{count} field{'s' if count != 1 else ''} need attention"),
            rx.call_script(SCROLL_TO_FIRST_PROBLEM),
        ]

    @rx.event
    async def save(self) -> Any:
        self._flush_panel()
        self.form_error, self.errors = "", {}
        if self.json_mode:
            try:
                definition = json.loads(self.json_text)
            except ValueError as exc:
                self.errors = {"json": f"Not valid JSON: {exc}"}
                return None
            problems: list[Problem] = []
        else:
            definition, problems = form_to_definition(self.fields, self.trigger, self.actions)
        if problems:
            # What the form caught (bad JSON, a word for a number) and, at the other fields,
            # what the service would say: every problem at once, not one save at a time.
            problems = [*problems, *others_of(definition, problems)]
            return self._problems(problems)
        workflow_id = self.workflow_id
        self.saving = True
        try:
            saved = await run_service(
                self,
                lambda a: (
                    workflows.update_workflow(a, workflow_id, definition)
                    if workflow_id
                    else workflows.create_workflow(a, definition)
                ),
            )
        except ValidationFailed as exc:
            if self.json_mode:
                self.errors = {"json": exc.message}
                return rx.toast.error("The definition needs attention")
            return self._problems(exc.problems)
        except FlowdeckError as exc:
            self.form_error = error_text(exc)
            return None
        finally:
            self.saving = False
        self.workflow_id = saved.workflow["id"]
        self.webhook_url = saved.workflow.get("webhook_url") or ""
        self.endpoint_url = saved.workflow.get("endpoint_url") or ""
        self.warnings = {w["path"]: w["message"] for w in saved.warnings}
        if saved.webhook_secret:
            self.secret_once = saved.webhook_secret  # shown once in a dialog, then dropped
            return [rx.toast.success("Saved. Copy the webhook secret now."), *warning_toasts(saved)]
        return [
            rx.toast.success(f"Saved {saved.workflow['name']}"),
            *warning_toasts(saved),
            rx.redirect(f"/admin/workflows/{self.workflow_id}"),
        ]

    @rx.event
    def close_secret(self, _open: bool = False) -> Any:
        self.secret_once = ""
        return rx.redirect(f"/admin/workflows/{self.workflow_id}")

    @rx.var
    def endpoint_curl(self) -> str:
        if not self.endpoint_url:
            return ""
        return (
            f"curl -X POST '{self.endpoint_url}' -H 'Authorization: Bearer fdk_…' "
            "-H 'Content-Type: application/json' -d '{\"hello\": \"world\"}'"
        )

    @rx.var
    def curl_example(self) -> str:
        """A curl call of the saved hook, signed as its signature setting says."""
        return curl_example(self.webhook_url, self.trigger["signature"])


def _field_of(action: ActionForm, rest: str) -> str:
    """The card field a problem path (after `actions[i].`) belongs under, or "" for the card."""
    keys = ["depends_on", "trigger_rule"]
    keys += [f"config.{f.config_key}" for f in FLOW_FIELDS.get(action["type"], ())]
    for key in keys:
        if rest == key or rest.startswith((f"{key}[", f"{key}.")):
            return key
    return input_of(action["type"], rest)


def _dependency_line(action: ActionForm, rest: str, message: str) -> str:
    """`depends_on[1]: …` said with the choice it is about: `check:maybe: …`."""
    position = rest.removeprefix("depends_on[").partition("]")[0]
    chosen = action["depends_on"]
    if position.isdigit() and int(position) < len(chosen):
        return f"{chosen[int(position)]}: {message}"
    return message


def warning_toasts(saved: workflows.Saved) -> list[Any]:
    """A toast per save warning: saved, but the step will not do all it says."""
    return [
        rx.toast.warning(w["message"], description=f"Saved anyway ({w['path']})", duration=10_000)
        for w in saved.warnings
    ]


class WorkflowEditorErrors(WorkflowEditorState):
    """Problems grouped per action card, so each card lists its own next to its fields."""

    @rx.var
    def action_warnings(self) -> list[str]:
        """Per card, its save warnings (e.g. a monitor's metrics without a source)."""
        return [
            "\n".join(
                message
                for path, message in self.warnings.items()
                if path == f"actions[{index}]" or path.startswith(f"actions[{index}].")
            )
            for index in range(len(self.actions))
        ]

    def _card_problems(self, index: int) -> list[tuple[str, str]]:
        prefix = f"actions[{index}]"
        return [
            (path.removeprefix(prefix).lstrip("."), message)
            for path, message in self.errors.items()
            if path == prefix or path.startswith((f"{prefix}.", f"{prefix}["))
        ]

    @rx.var
    def action_errors(self) -> list[str]:
        """Per card, the problems no field of its own shows."""
        grouped = []
        for index, action in enumerate(plain(self.actions)):
            lines = [
                f"{rest or 'action'}: {message}"
                for rest, message in self._card_problems(index)
                if not _field_of(action, rest)
            ]
            grouped.append("\n".join(lines))
        return grouped

    @rx.var
    def action_field_errors(self) -> list[dict[str, str]]:
        """Per card, field → its problems ("depends_on", "trigger_rule", "config.cases"…)."""
        grouped = []
        for index, action in enumerate(plain(self.actions)):
            fields: dict[str, list[str]] = {}
            for rest, message in self._card_problems(index):
                if key := _field_of(action, rest):
                    line = (
                        _dependency_line(action, rest, message) if key == "depends_on" else message
                    )
                    fields.setdefault(key, []).append(line)
            grouped.append({key: "\n".join(lines) for key, lines in fields.items()})
        return grouped

    @rx.var
    def dependency_choices(self) -> list[DepOption]:
        """What a step may run after: every step and its branch outputs (a card leaves out its
        own). One list for all cards, so a 200-step form does not send 200 lists of 200."""
        return dependency_choices([dict(a) for a in plain(self.actions)])

    @rx.var
    def missing_dependencies(self) -> list[list[DepOption]]:
        """Per card, chosen dependencies no other step offers (usually none)."""
        actions = [dict(a) for a in plain(self.actions)]
        return missing_dependencies(actions, dependency_choices(actions))

    @rx.var
    def trigger_error(self) -> str:
        """The trigger's problems no input of its own shows (those are under their input)."""
        shown = {
            f"trigger.config.{f.config_key}" for f in TRIGGER_FIELDS.get(self.trigger["type"], ())
        } | {f"trigger.config.{key}" for key in TRIGGER_INPUTS}
        return "\n".join(
            f"{path.removeprefix('trigger.config.')}: {message}"
            for path, message in self.errors.items()
            if path.startswith("trigger") and path not in shown
        )
