"""Ask before deleting a row: the dialog's state and handlers, shared by the list pages."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.core.errors import FlowdeckError
from app.ui.states.session import error_text


class DeleteConfirm(rx.State, mixin=True):
    """`ask_delete` opens the dialog, `confirm_delete` deletes through `_delete`.

    A state using it implements `_delete(target_id)`: call the service (which checks the
    role), then reload its rows.
    """

    delete_id: int = 0
    delete_name: str = ""

    async def _delete(self, target_id: int) -> None:
        raise NotImplementedError

    @rx.event
    def ask_delete(self, target_id: int, name: str) -> None:
        self.delete_id, self.delete_name = target_id, name

    @rx.event
    def close_delete(self, _open: bool = False) -> None:
        self.delete_id = 0

    @rx.event
    async def confirm_delete(self) -> Any:
        target_id, self.delete_id = self.delete_id, 0
        if not target_id:
            return None
        try:
            await self._delete(target_id)
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        return rx.toast.success(f"Deleted {self.delete_name}")
