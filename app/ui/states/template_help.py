"""Template help in the workflow form and the designer's panel: the pinned sample payload, the
variable picker next to template fields, and "Test step" on each step card.

Thin: the services (`step_samples`, `step_tests`) check roles, bounds and side effects; this
holds what the page shows. A step is tested as the form holds it (unsaved edits included),
with the saved workflow's samples; the trial runs in a background event so the tab stays
responsive while a slow API answers.
"""

from __future__ import annotations

import json
from typing import Any, TypedDict

import reflex as rx
from starlette.concurrency import run_in_threadpool

from app.core.errors import AuthenticationFailed, FlowdeckError, Problem
from app.services import auth, step_samples, step_tests
from app.ui.forms.workflow_form import action_to_spec
from app.ui.states.session import error_text, run_service
from app.ui.states.workflow_editor import WorkflowEditorErrors

MAX_SHOWN_ROWS = 200
MAX_SHOWN_CHARS = 20_000
_INSERT_JS = """(() => {
  const el = document.getElementById(%s);
  if (!el) return;
  const text = %s;
  const start = el.selectionStart ?? el.value.length, end = el.selectionEnd ?? start;
  const proto = el.tagName === "TEXTAREA" ? HTMLTextAreaElement : HTMLInputElement;
  const setter = Object.getOwnPropertyDescriptor(proto.prototype, "value").set;
  setter.call(el, el.value.slice(0, start) + text + el.value.slice(end));
  el.dispatchEvent(new Event("input", { bubbles: true }));
  el.focus();
  el.setSelectionRange(start + text.length, start + text.length);
})()"""


class PathRow(TypedDict):
    path: str
    label: str
    depth: int
    kind: str
    preview: str


class Trial(TypedDict):
    step: str
    status: str
    error: str
    rendered: str
    output: str
    source: str


#: Fields holding an expression, not a template: a path goes in bare (`trigger.n > 1`).
EXPRESSION_FIELDS = frozenset({"condition", "branch_condition"})


def insertion(key: str, path: str) -> str:
    """What the picker inserts into field `key` for `path`."""
    return path if key in EXPRESSION_FIELDS else "{{ " + path + " }}"


def field_id(index: Any, key: str) -> Any:
    """The DOM id of a step card's template field (the picker inserts there)."""
    return f"tpl-{index}-{key}"


def _shown(value: Any) -> str:
    if value is None:
        return ""
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    return text if len(text) <= MAX_SHOWN_CHARS else text[:MAX_SHOWN_CHARS] + "\n…"


_SOURCES = {
    "pinned": "the pinned sample payload",
    "last_run": "the last run's payload",
    "none": "no sample yet: pin a payload or run the workflow",
}


class TemplateHelpState(WorkflowEditorErrors):
    sample_text: str = ""
    sample_pinned: bool = False
    sample_error: str = ""
    picker_rows: list[PathRow] = []
    picker_source: str = ""
    picker_query: str = ""
    picker_error: str = ""
    trial_index: int = -1
    trial: Trial = Trial(step="", status="", error="", rendered="", output="", source="")
    trial_confirm: str = ""
    trial_busy: bool = False

    def _wf(self) -> int:
        if self.workflow_id:
            return self.workflow_id
        raw = str(self.rx_router_page.params.get("workflow_id") or "")
        return int(raw) if raw.isdigit() else 0

    def _specs(self) -> tuple[list[dict[str, Any]], list[Problem]]:
        problems: list[Problem] = []
        forms = self._form_actions()
        return [action_to_spec(a, i, problems) for i, a in enumerate(forms)], problems

    # -- the sample payload --------------------------------------------------------------

    @rx.event
    async def load_sample(self) -> None:
        wf = self._wf()
        if not wf:
            return
        try:
            payload = await run_service(self, lambda a: step_samples.get_sample_payload(a, wf))
        except (FlowdeckError, AuthenticationFailed):
            return
        self.sample_pinned = payload is not None
        self.sample_text = _shown(payload) if payload is not None else ""
        self.sample_error = ""

    @rx.event
    def set_sample_text(self, value: str) -> None:
        self.sample_text, self.sample_error = value, ""

    @rx.event
    async def pin_sample(self) -> Any:
        wf = self._wf()
        try:
            payload = json.loads(self.sample_text or "null")
        except json.JSONDecodeError as exc:
            self.sample_error = f"Not valid JSON: {exc.msg} (line {exc.lineno})"
            return None
        try:
            await run_service(self, lambda a: step_samples.set_sample_payload(a, wf, payload))
        except FlowdeckError as exc:
            self.sample_error = _problem_text(exc)
            return None
        self.sample_pinned, self.sample_error = True, ""
        return rx.toast.success("Sample payload pinned")

    @rx.event
    async def clear_sample(self) -> Any:
        wf = self._wf()
        try:
            await run_service(self, lambda a: step_samples.clear_sample_payload(a, wf))
        except FlowdeckError as exc:
            self.sample_error = error_text(exc)
            return None
        self.sample_text, self.sample_pinned, self.sample_error = "", False, ""
        return rx.toast.success("Sample payload cleared")

    @rx.event
    async def use_last_run(self) -> Any:
        wf = self._wf()
        try:
            payload = await run_service(self, lambda a: step_samples.last_run_payload(a, wf))
        except FlowdeckError as exc:
            self.sample_error = error_text(exc)
            return None
        if payload is None:
            self.sample_error = "This workflow has not run yet: there is no payload to use."
            return None
        self.sample_text = _shown(payload)
        return await self.pin_sample()

    # -- the variable picker ------------------------------------------------------------

    @rx.event
    async def open_picker(self, index: int, is_open: bool) -> None:
        if not is_open:
            return
        self.picker_query, self.picker_error = "", ""
        specs, _ = self._specs()
        if not 0 <= index < len(specs):
            return
        step_id, wf = specs[index]["id"], self._wf() or None
        try:
            answer = await run_service(
                self, lambda a: step_samples.variable_paths(a, wf, step_id, actions=specs)
            )
        except FlowdeckError as exc:
            self.picker_rows, self.picker_error = [], error_text(exc)
            return
        self.picker_rows = answer["paths"]
        self.picker_source = _SOURCES.get(answer["source"], "")

    @rx.event
    def set_picker_query(self, value: str) -> None:
        self.picker_query = value[:200]

    @rx.var
    def picker_shown(self) -> list[PathRow]:
        query = self.picker_query.strip().lower()
        rows = [r for r in self.picker_rows if query in r["path"].lower()]
        return rows[:MAX_SHOWN_ROWS]

    @rx.event
    def insert_path(self, index: int, key: str, path: str) -> Any:
        """Insert `{{ path }}` at the field's cursor (the browser fires the field's change)."""
        text = insertion(key, path)
        return rx.call_script(_INSERT_JS % (json.dumps(field_id(index, key)), json.dumps(text)))

    # -- "Test step" --------------------------------------------------------------------

    @rx.event
    def close_trial(self) -> None:
        self.trial_index, self.trial_confirm = -1, ""

    @rx.event(background=True)
    async def test_step(self, index: int, confirmed: bool = False) -> Any:
        async with self:
            if self.trial_busy:
                return None
            wf, token = self._wf(), self.token
            specs, problems = self._specs()
            self.trial_index, self.trial_confirm = index, ""
            self.trial = _trial("", "failed", "", "")
            if not wf:
                why = "Save the workflow first: a step is tested with its samples."
                self.trial = _trial("", "failed", why, "")
                return None
            mine = [p for p in problems if p.path.startswith(f"actions[{index}]")]
            if mine or not 0 <= index < len(specs):
                why = "; ".join(f"{p.path}: {p.message}" for p in mine) or "no such step"
                self.trial = _trial("", "failed", why, "")
                return None
            step_id = specs[index]["id"]
            self.trial_busy = True
        try:
            actor = await run_in_threadpool(auth.authenticate, token)
            result = await step_tests.try_step(
                actor, wf, step_id, confirmed=confirmed, actions=specs
            )
        except step_tests.ConfirmationRequired as exc:
            async with self:
                self.trial_busy, self.trial_confirm = False, error_text(exc)
            return None
        except AuthenticationFailed:
            return rx.redirect("/login")
        except FlowdeckError as exc:
            async with self:
                self.trial_busy = False
                self.trial = _trial(step_id, "failed", error_text(exc), "")
            return None
        async with self:
            self.trial_busy = False
            self.trial = Trial(
                step=step_id,
                status=result["status"],
                error=result["error"] or "",
                rendered=_shown(result["rendered"]),
                output=_shown(result["output"]),
                source=_SOURCES.get(result["source"], ""),
            )
        return None


def _trial(step: str, status: str, error: str, source: str) -> Trial:
    return Trial(step=step, status=status, error=error, rendered="", output="", source=source)


def _problem_text(exc: FlowdeckError) -> str:
    problems = getattr(exc, "problems", None)
    if problems:
        return "; ".join(p.message for p in problems)
    return error_text(exc)
