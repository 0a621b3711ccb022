"""Selected rows and one bulk action on them: the state shared by the list pages.

A state using it implements `_bulk_call(actor, action)` (call `app.services.bulk`, which checks
the role of every item: a handler is callable by anyone) and `_after_bulk()` (reload its rows).
Nothing here decides who may do what.
"""

from __future__ import annotations

import json
from typing import Any, TypedDict

import reflex as rx

from app.core import bulk_selection as words
from app.core.errors import FlowdeckError
from app.db.types import utcnow
from app.services.actor import Actor
from app.ui.states.session import error_text


class BulkLine(TypedDict):
    id: int
    name: str
    ok: bool
    text: str


class BulkSelection(rx.State, mixin=True):
    selected: list[int] = []
    #: Every row the filter matches, not only the picked ones ("select all N matching").
    all_matching: bool = False
    selected_count: int = 0
    #: The action asked for: its confirmation is open while it is set.
    bulk_action: str = ""
    bulk_question: str = ""
    bulk_busy: bool = False
    #: The summary of the last action: open while the headline is set.
    bulk_headline: str = ""
    bulk_lines: list[BulkLine] = []

    _noun: str = "item"

    async def _bulk_call(self, actor: Actor, action: str) -> dict[str, Any]:
        raise NotImplementedError

    async def _after_bulk(self) -> None:
        raise NotImplementedError

    def _matching_total(self) -> int:
        return len(self.selected)

    def _name_of(self, item: dict[str, Any]) -> str:
        return str(item.get("name") or f"#{item['id']}")

    def _recount(self) -> None:
        self.selected_count = self._matching_total() if self.all_matching else len(self.selected)

    def _clear_selection(self) -> None:
        self.selected, self.all_matching, self.selected_count = [], False, 0

    @rx.event
    def toggle_one(self, item_id: int, on: bool) -> None:
        if self.all_matching:  # unticking one row of "all matching" leaves the page's picks
            self.all_matching = False
        self.selected = words.toggled(self.selected, int(item_id), bool(on))
        self._recount()

    @rx.event
    def toggle_page(self, on: bool, page_ids: list[int]) -> None:
        self.all_matching = False
        self.selected = words.page_toggled(self.selected, [int(i) for i in page_ids], bool(on))
        self._recount()

    @rx.event
    def select_matching(self) -> None:
        self.all_matching = True
        self._recount()

    @rx.event
    def clear_selection(self) -> None:
        self._clear_selection()

    @rx.event
    def ask_bulk(self, action: str) -> None:
        if action not in words.VERBS or not self.selected_count:
            return
        self.bulk_action = action
        self.bulk_question = words.question(action, self.selected_count, self._noun)

    @rx.event
    def close_bulk(self, _open: bool = False) -> None:
        self.bulk_action = ""

    @rx.event
    def close_summary(self, _open: bool = False) -> None:
        self.bulk_headline = ""

    @rx.event
    async def confirm_bulk(self) -> Any:
        action, self.bulk_action = self.bulk_action, ""
        if not action or self.bulk_busy:
            return
        self.bulk_busy = True
        yield  # the bar shows the work under way
        try:
            answer = await self._bulk_call(await self._actor(), action)  # type: ignore[attr-defined]
        except FlowdeckError as exc:
            yield rx.toast.error(error_text(exc))
            return
        finally:
            self.bulk_busy = False
        self.bulk_lines = [
            BulkLine(id=i["id"], name=self._name_of(i), ok=i["ok"], text=words.outcome(i))
            for i in answer["results"]
        ]
        self.bulk_headline = words.headline(action, answer["done"], answer["failed"], self._noun)
        self._clear_selection()
        await self._after_bulk()
        if answer.get("export") is not None:
            stamp = utcnow().strftime("%Y%m%d-%H%M%S")
            yield rx.download(
                data=json.dumps(answer["export"], indent=2, ensure_ascii=False),
                filename=f"flowdeck-workflows-{stamp}.json",
                mime_type="application/json",
            )
