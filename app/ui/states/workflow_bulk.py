"""Bulk actions of the Workflows tab: on the picked rows or on every workflow the filter
matches; the service checks the role and answers for every workflow."""

from __future__ import annotations

from typing import Any

from app.services import bulk
from app.services.actor import Actor
from app.services.workflows import WorkflowFilter
from app.ui.states.bulk_selection import BulkSelection


class WorkflowBulk(BulkSelection, mixin=True):
    """Used by `WorkflowsState`, which has `total`, `_filter()` and `_reload()`."""

    _noun: str = "workflow"

    def _matching_total(self) -> int:
        return int(self.total)  # type: ignore[attr-defined]

    async def _bulk_call(self, actor: Actor, action: str) -> dict[str, Any]:
        if self.all_matching:
            flt: WorkflowFilter = self._filter()  # type: ignore[attr-defined]
            answer = await bulk.bulk_workflows(actor, action, flt=flt)
        else:
            answer = await bulk.bulk_workflows(actor, action, ids=self.selected)
        return answer.as_dict()

    async def _after_bulk(self) -> None:
        await self._reload()  # type: ignore[attr-defined]
