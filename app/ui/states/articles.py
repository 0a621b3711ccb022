"""Admin → Articles: the content that publish, share and optimize work on."""

from __future__ import annotations

from typing import Any, TypedDict

import reflex as rx
from reflex_components_sonner.toast import ToastAction

from app.core.articles import ArticleStatus, moves_in_order, undo_of
from app.core.dates import when_text
from app.core.errors import FlowdeckError, ValidationFailed
from app.services import articles
from app.ui.states.delete_confirm import DeleteConfirm
from app.ui.states.session import SessionState, error_text, run_service


class ArticleRow(TypedDict):
    id: int
    title: str
    slug: str
    status: str
    version: int
    updated: str
    moves: list[str]


def article_row(item: dict[str, Any]) -> ArticleRow:
    return ArticleRow(
        id=item["id"],
        title=item["title"],
        slug=item["slug"],
        status=item["status"],
        version=item["current_version"],
        updated=when_text(item["updated_at"]),
        moves=[m.value for m in moves_in_order(ArticleStatus(item["status"]))],
    )


class ArticlesState(DeleteConfirm, SessionState):
    rows: list[ArticleRow] = []
    loaded: bool = False
    status_filter: str = "any status"
    search: str = ""
    editor_open: bool = False
    editing_id: int = 0
    draft: dict[str, str] = {}
    errors: dict[str, str] = {}
    archive_id: int = 0  # the article whose archiving waits for a confirmation
    archive_title: str = ""

    async def _reload(self) -> None:
        status = None if self.status_filter == "any status" else self.status_filter
        items, _total = await run_service(
            self, lambda a: articles.list_articles(a, status=status, search=self.search.strip())
        )
        self.rows = [article_row(i) for i in items]
        self.loaded = True

    @rx.event
    async def load(self) -> Any:
        redirect = await self.guard_admin_area()
        if redirect is not None:
            return redirect
        await self._reload()
        return None

    @rx.event
    async def set_filter(self, name: str, value: str) -> None:
        if name in ("status_filter", "search"):
            setattr(self, name, value)
            await self._reload()

    @rx.event
    def open_new(self) -> None:
        self.editing_id, self.errors = 0, {}
        self.draft = {"title": "", "slug": "", "meta_description": "", "tags": "", "body": ""}
        self.editor_open = True

    @rx.event
    async def open_edit(self, article_id: int) -> Any:
        try:
            item = await run_service(self, lambda a: articles.get_article(a, article_id))
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        self.editing_id, self.errors = article_id, {}
        self.draft = {
            "title": item["title"],
            "slug": item["slug"],
            "meta_description": item["meta_description"],
            "tags": ", ".join(item["tags"]),
            "body": item["body"],
        }
        self.editor_open = True
        return None

    @rx.event
    def set_editor_open(self, value: bool) -> None:
        self.editor_open = value

    @rx.event
    def set_draft(self, name: str, value: str) -> None:
        if name in ("title", "slug", "meta_description", "tags", "body"):
            self.draft = {**self.draft, name: value}

    @rx.event
    async def save(self) -> Any:
        self.errors = {}
        fields = {
            "title": self.draft.get("title", ""),
            "body": self.draft.get("body", ""),
            "meta_description": self.draft.get("meta_description", ""),
            "tags": [t.strip() for t in self.draft.get("tags", "").split(",") if t.strip()],
        }
        slug = self.draft.get("slug", "").strip()
        editing = self.editing_id
        try:
            if editing:
                changes = {**fields, **({"slug": slug} if slug else {})}
                await run_service(self, lambda a: articles.update_article(a, editing, **changes))
            else:
                await run_service(
                    self, lambda a: articles.create_article(a, slug=slug or None, **fields)
                )
        except ValidationFailed as exc:
            self.errors = {p.path or "form": p.message for p in exc.problems}
            return None
        except FlowdeckError as exc:
            self.errors = {"form": error_text(exc)}
            return None
        self.editor_open = False
        await self._reload()
        return rx.toast.success(f"Saved {fields['title']}")

    @rx.event
    async def move(self, article_id: int, status: str) -> Any:
        """Move from the menu; archiving asks first (the dialog calls this again)."""
        if status == ArticleStatus.ARCHIVED and self.archive_id != article_id:
            row = next((r for r in self.rows if r["id"] == article_id), None)
            self.archive_id = article_id
            self.archive_title = row["title"] if row else f"#{article_id}"
            return None
        self.archive_id = 0
        return await self._move(article_id, status, undoable=True)

    @rx.event
    def close_archive(self, open_: bool = False) -> None:
        if not open_:
            self.archive_id = 0

    @rx.event
    async def undo_move(self, article_id: int, status: str) -> Any:
        return await self._move(article_id, status, undoable=False)

    async def _move(self, article_id: int, status: str, *, undoable: bool) -> Any:
        row = next((r for r in self.rows if r["id"] == article_id), None)
        try:
            await run_service(self, lambda a: articles.set_article_status(a, article_id, status))
            await self._reload()
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        name = row["title"] if row else f"Article #{article_id}"
        back = undo_of(ArticleStatus(row["status"]), ArticleStatus(status)) if row else None
        if not undoable or back is None:
            return rx.toast.success(f"{name} is now {status}")
        undo = ToastAction(label="Undo", on_click=ArticlesState.undo_move(article_id, back.value))
        return rx.toast.success(f"{name} is now {status}", action=undo, duration=8000)

    async def _delete(self, target_id: int) -> None:
        await run_service(self, lambda a: articles.delete_article(a, target_id))
        await self._reload()
