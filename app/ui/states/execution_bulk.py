"""Bulk actions of the Executions tab: cancel or retry the picked runs; the service checks the
role and answers for every run."""

from __future__ import annotations

from typing import Any

from app.services import bulk
from app.services.actor import Actor
from app.ui.states.bulk_selection import BulkSelection


class ExecutionBulk(BulkSelection, mixin=True):
    """Used by `ExecutionsState`, which has `live`, `cursors`, `_fetch()` and `_show()`."""

    _noun: str = "execution"

    def _name_of(self, item: dict[str, Any]) -> str:
        name = item.get("name")
        return f"#{item['id']} {name}" if name else f"#{item['id']}"

    async def _bulk_call(self, actor: Actor, action: str) -> dict[str, Any]:
        return (await bulk.bulk_executions(actor, action, self.selected)).as_dict()

    async def _after_bulk(self) -> None:
        # The live first page updates itself; a filtered or older page is read again.
        if self.filtered or self.cursors:  # type: ignore[attr-defined]
            cursors = self.cursors  # type: ignore[attr-defined]
            page = await self._fetch(cursors[-1] if cursors else None)  # type: ignore[attr-defined]
            self._show(page)  # type: ignore[attr-defined]
