"""Admin → Versions: pick a workflow or an article, read its timeline, compare, restore.

Every handler that reads or changes data goes through `run_service`, so the services' role
checks (member or admin) apply to a forged event exactly as to a click. Errors land in
`problem` (the page shows it instead of data) or, in the restore dialog, next to the field.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import reflex as rx

from app.core.articles import revert_promise
from app.core.doc_changes import document_changes, plain_words
from app.core.errors import (
    AuthenticationFailed,
    FlowdeckError,
    PermissionDenied,
    ValidationFailed,
)
from app.services import articles, content_versions, users, workflow_history, workflows
from app.services.workflows import WorkflowFilter
from app.ui.components.diff_view import (
    DiffLine,
    FieldChange,
    SideRow,
    inline_lines,
    side_rows,
)
from app.ui.states.change_report import ChangeReportState
from app.ui.states.session import SessionState, error_text, run_service
from app.ui.states.version_views import (
    ChangedStep,
    DiffEdge,
    DiffNode,
    ItemOption,
    NodeChangeRow,
    NodeDetail,
    VersionRow,
    bounded_number,
    field_rows,
    graph_view,
    version_row,
    workflow_fields,
)

__all__ = ["ItemOption", "VersionRow", "VersionsState", "version_row"]

KINDS = ("workflows", "articles")
LIST_LIMIT = 100
HISTORY_LIMIT = 200


class VersionsState(SessionState):
    kind: str = "workflows"
    search: str = ""
    items: list[ItemOption] = []
    items_total: int = 0
    item_id: int = 0
    item_label: str = ""
    item_status: str = ""  # an article's status, which a revert leaves as it is
    versions: list[VersionRow] = []
    versions_total: int = 0
    current: int = 0
    chain_note: str = ""
    picked: list[int] = []
    compared: str = ""
    words: list[str] = []
    fields: list[FieldChange] = []
    body_lines: list[DiffLine] = []
    body_rows: list[SideRow] = []
    body_mode: str = "inline"
    graph_nodes: list[DiffNode] = []
    graph_edges: list[DiffEdge] = []
    graph_summary: str = ""
    graph_changed: list[ChangedStep] = []
    graph_fit: int = 0
    graph_selected: str = ""
    graph_title: str = ""
    graph_change: str = ""
    graph_rows: list[NodeChangeRow] = []
    graph_more: int = 0
    _graph_details: dict[str, NodeDetail] = {}
    restore_number: int = 0
    reason: str = ""
    reason_error: str = ""
    restore_error: str = ""
    problem: str = ""
    loaded: bool = False

    # -- plumbing ---------------------------------------------------------------------------

    async def _guarded(self, work: Callable[[], Awaitable[Any]]) -> Any:
        """Run `work`; a refusal clears what was shown and says why instead."""
        try:
            return await work()
        except AuthenticationFailed:
            return rx.redirect("/login")
        except FlowdeckError as exc:
            self.problem = error_text(exc)
            self._forget_item()
            if isinstance(exc, PermissionDenied):
                self.items, self.items_total = [], 0
            return None

    def _forget_item(self) -> None:
        self.item_id, self.item_label, self.versions, self.current = 0, "", [], 0
        self.versions_total = 0
        self.chain_note = ""
        self._clear_diff()

    def _clear_diff(self, *, keep_picked: bool = False) -> None:
        self.picked = self.picked if keep_picked else []
        self.compared, self.words, self.fields = "", [], []
        self.body_lines, self.body_rows = [], []
        self.graph_nodes, self.graph_edges, self.graph_summary = [], [], ""
        self._graph_details, self.graph_changed = {}, []
        self._show_node("")

    async def _list_items(self) -> None:
        text = self.search.strip()
        if self.kind == "articles":
            found, self.items_total = await run_service(
                self, lambda a: articles.list_articles(a, search=text, limit=LIST_LIMIT)
            )
            self.items = [
                ItemOption(
                    id=i["id"], label=i["title"], detail=f"v{i['current_version']} · {i['status']}"
                )
                for i in found
            ]
        else:
            flt = WorkflowFilter(search=text, limit=LIST_LIMIT)
            found, self.items_total = await run_service(
                self, lambda a: workflows.list_workflows(a, flt)
            )
            self.items = [
                ItemOption(
                    id=i["id"], label=i["name"], detail=f"v{i['version']} · {i['workflow_type']}"
                )
                for i in found
            ]
        self.loaded, self.problem = True, ""

    async def _load_history(self, item_id: int) -> None:
        if self.kind == "articles":
            article = await run_service(self, lambda a: articles.get_article(a, item_id))
            data = await run_service(self, lambda a: content_versions.history(a, item_id))
            label, current = article["title"], article["current_version"]
            self.item_status = article["status"]
            breaks = [f"v{p['version_number']}: {p['message']}" for p in data["problems"]]
            self.chain_note = "; ".join(breaks)
        else:
            data = await run_service(
                self,
                lambda a: workflow_history.list_versions(a, item_id, limit=HISTORY_LIMIT),
            )
            workflow = await run_service(self, lambda a: workflows.get_workflow(a, item_id))
            label, current = workflow["name"], data["current_version"]
            self.chain_note = ""
        authors = [v.get("changed_by") for v in data["items"]]
        emails = await run_service(self, lambda a: users.emails_by_id(a, authors))
        self.item_id, self.item_label, self.current = item_id, label, current
        self.versions = [version_row(v, emails, current) for v in data["items"]]
        self.versions_total = data["total"]
        self._clear_diff()
        self.problem = ""
        if len(self.versions) >= 2:
            self.picked = [self.versions[1]["number"], self.versions[0]["number"]]
            await self._compare()

    async def _compare(self) -> None:
        a, b = sorted(self.picked)
        item_id = self.item_id
        if self.kind == "articles":
            data = await run_service(self, lambda s: content_versions.compare(s, item_id, a, b))
            changed = data["changed_fields"]
            self.words = [f"changed {', '.join(changed)}"] if changed else []
            before, after = data["a"]["snapshot"], data["b"]["snapshot"]
            self.fields = field_rows(document_changes(before, after, skip=["body"]))
            self.body_lines = inline_lines(data["body"])
            self.body_rows = side_rows(data["body"])
        else:
            data = await run_service(self, lambda s: workflow_history.compare(s, item_id, a, b))
            before, after = data["a"]["definition"], data["b"]["definition"]
            self.words = [plain_words(w) for w in data["summary"]]
            self.fields = workflow_fields(data["diff"], before, after)
            self.body_lines, self.body_rows = [], []
            await self._show_graph(before, after)
        self.compared = f"v{a} → v{b}"

    async def _show_graph(self, before: dict[str, Any], after: dict[str, Any]) -> None:
        # Laying out both graphs is CPU work (~50 ms at 200 steps): off the event loop.
        view = await asyncio.to_thread(graph_view, before, after)
        self.graph_nodes, self.graph_edges = view.nodes, view.edges
        self.graph_summary, self._graph_details = view.summary, view.details
        self.graph_changed = view.changed
        self.graph_fit += 1
        self._show_node("")

    def _show_node(self, step_id: str) -> None:
        found = self._graph_details.get(step_id)
        labels = {n["id"]: n["data"]["label"] for n in self.graph_nodes}
        self.graph_selected = step_id if step_id in labels else ""
        self.graph_title = found.title if found else labels.get(step_id, "")
        self.graph_change = found.change if found else ""
        self.graph_rows = list(found.rows) if found else []
        self.graph_more = found.more if found else 0

    # -- loading and picking ----------------------------------------------------------------

    @rx.event
    async def load(self) -> AsyncIterator[Any]:
        """on_load: the list, and the item named by `?workflow=` or `?article=` if any."""
        params = self.rx_router_page.params
        for kind in KINDS:
            wanted = str(params.get(kind[:-1], ""))
            if wanted.isdigit():
                self.kind = kind
        if self.item_id:  # the history of an earlier visit is not shown while this one loads
            self._forget_item()
            yield

        async def work() -> None:
            self._forget_item()
            await self._list_items()
            wanted = str(params.get(self.kind[:-1], ""))
            if wanted.isdigit():
                await self._load_history(int(wanted))

        yield await self._guarded(work)

    @rx.event
    async def set_kind(self, kind: str | list[str]) -> Any:
        self.kind = kind if isinstance(kind, str) and kind in KINDS else "workflows"
        self.search = ""

        async def work() -> None:
            self._forget_item()
            await self._list_items()

        return await self._guarded(work)

    @rx.event
    async def set_search(self, text: str) -> Any:
        self.search = str(text)[:200]
        return await self._guarded(self._list_items)

    @rx.event
    async def pick_item(self, item_id: int) -> Any:
        return await self._guarded(lambda: self._load_history(bounded_number(item_id)))

    @rx.event
    async def toggle_pick(self, number: int) -> Any:
        """Tick a version to compare; the two newest ticks are compared at once."""
        number = bounded_number(number)
        if not number:
            return None  # not a version number at all
        if number in self.picked:
            self.picked = [n for n in self.picked if n != number]
        else:
            self.picked = [*self.picked, number][-2:]
        if len(self.picked) < 2:
            self._clear_diff(keep_picked=True)
            return None
        return await self._guarded(self._compare)

    @rx.event
    def select_graph_node(self, step_id: str) -> None:
        """A click on the compare canvas: list what changed in that step (nothing if none)."""
        self._show_node(str(step_id)[:200])

    @rx.event
    def set_body_mode(self, mode: str | list[str]) -> None:
        self.body_mode = "side" if mode == "side" else "inline"

    # -- restoring --------------------------------------------------------------------------

    @rx.event
    def ask_restore(self, number: int) -> None:
        self.restore_number, self.reason = bounded_number(number), ""
        self.reason_error = self.restore_error = ""

    @rx.event
    def close_restore(self, _open: bool = False) -> None:
        self.restore_number = 0

    @rx.event
    def set_reason(self, text: str) -> None:
        self.reason, self.reason_error = text, ""

    @rx.event
    async def confirm_restore(self) -> Any:
        item_id, number, reason = self.item_id, self.restore_number, self.reason
        self.reason_error = self.restore_error = ""
        try:
            if self.kind == "articles":
                version = await run_service(
                    self, lambda a: content_versions.revert(a, item_id, number, reason)
                )
                made, note = version["version_number"], version["note"]
            else:
                result = await run_service(
                    self, lambda a: workflow_history.rollback(a, item_id, number, reason)
                )
                made, note = result["version"]["version_number"], ""
            await self._load_history(item_id)
            await self._list_items()  # the list's "v5 · …" and order follow the new version
        except AuthenticationFailed:
            return rx.redirect("/login")
        except ValidationFailed as exc:
            self.reason_error = exc.for_path("reason") or ""
            self.restore_error = "" if self.reason_error else error_text(exc)
            if self.reason_error:
                self.reason_error = self.reason_error[:1].upper() + self.reason_error[1:]
            return None
        except FlowdeckError as exc:
            self.restore_error = error_text(exc)
            return None
        self.restore_number = 0
        verb = "Reverted" if self.kind == "articles" else "Rolled back"
        said = f"{verb} to version {number}: now version {made}"
        if note:  # an article: say that the status stayed
            return rx.toast.success(said, description=note, duration=8000)
        return [rx.toast.success(said), ChangeReportState.load]  # the report counts it too

    # -- what the page shows ----------------------------------------------------------------

    @rx.var
    def noun(self) -> str:
        return "article" if self.kind == "articles" else "workflow"

    @rx.var
    def list_note(self) -> str:
        if self.items_total <= len(self.items):
            return ""
        return f"Showing {len(self.items)} of {self.items_total}: search to find the others."

    @rx.var
    def history_note(self) -> str:
        if self.versions_total <= len(self.versions):
            return ""
        shown, total = len(self.versions), self.versions_total
        return f"Showing the newest {shown} of {total} versions; the API lists the rest."

    @rx.var
    def compare_hint(self) -> str:
        if len(self.versions) < 2:
            return f"Only one version so far. Change the {self.noun} and come back to compare."
        return "Tick two versions to compare them."

    @rx.var
    def restore_note(self) -> str:
        """Before an article's revert: what comes back, and that the status stays."""
        return revert_promise(self.item_status) if self.kind == "articles" else ""

    @rx.var
    def restore_verb(self) -> str:
        return "Revert" if self.kind == "articles" else "Roll back"
