"""Admin → Connections: platform credentials (never shown), verification, usage."""

from __future__ import annotations

from typing import Any, TypedDict

import reflex as rx

from app.core.dates import when_text
from app.core.errors import FlowdeckError, ValidationFailed
from app.integrations.platforms import SPECS
from app.services import connections
from app.ui.states.delete_confirm import DeleteConfirm
from app.ui.states.session import SessionState, error_text, run_service


class ConnectionRow(TypedDict):
    id: int
    name: str
    platform: str
    connection_type: str
    secret_hint: str
    status: str
    verified_at: str
    verify_error: str
    usage_count: int
    last_used_at: str


def _when(value: str | None) -> str:
    return when_text(value, empty="never")


def connection_row(item: dict[str, Any]) -> ConnectionRow:
    return ConnectionRow(
        id=item["id"],
        name=item["name"],
        platform=item["platform"],
        connection_type=item["connection_type"],
        secret_hint=item["secret_hint"] or "—",
        status=item["status"],
        verified_at=_when(item["verified_at"]),
        verify_error=item["verify_error"] or "",
        usage_count=item["usage_count"],
        last_used_at=_when(item["last_used_at"]),
    )


def form_to_body(platform: str, connection_type: str, form: dict[str, Any]) -> dict[str, Any]:
    """The service's body from the flat form: empty secret fields keep the stored ones."""
    spec = SPECS[platform]
    secret_names = set(spec.secrets[connection_type].model_fields)
    config_names = set(spec.config.model_fields)
    credentials = {k: v for k, v in form.items() if k in secret_names and str(v).strip()}
    config = {k: v for k, v in form.items() if k in config_names and str(v).strip()}
    body: dict[str, Any] = {
        "name": form.get("name", ""),
        "platform": platform,
        "connection_type": connection_type,
        "config": config,
    }
    if credentials:
        body["credentials"] = credentials
    return body


class ConnectionsState(DeleteConfirm, SessionState):
    rows: list[ConnectionRow] = []
    loaded: bool = False
    dialog_open: bool = False
    editing_id: int = 0
    platform: str = "slack"
    connection_type: str = "webhook"
    edit_name: str = ""
    edit_config: dict[str, str] = {}
    errors: dict[str, str] = {}
    verifying_id: int = 0

    async def _reload(self) -> None:
        items = await run_service(self, connections.list_connections)
        self.rows = [connection_row(i) for i in items]
        self.loaded = True

    @rx.event
    async def load(self) -> Any:
        redirect = await self.guard_admin_area()
        if redirect is not None:
            return redirect
        await self._reload()
        return None

    @rx.event
    def open_new(self) -> None:
        self.editing_id, self.edit_name, self.edit_config, self.errors = 0, "", {}, {}
        self.platform, self.connection_type = "slack", "webhook"
        self.dialog_open = True

    @rx.event
    async def open_edit(self, connection_id: int) -> Any:
        try:
            item = await run_service(self, lambda a: connections.get_connection(a, connection_id))
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        self.editing_id, self.edit_name, self.errors = connection_id, item["name"], {}
        self.platform, self.connection_type = item["platform"], item["connection_type"]
        self.edit_config = {k: str(v) for k, v in (item["config"] or {}).items()}
        self.dialog_open = True
        return None

    @rx.event
    def set_dialog_open(self, value: bool) -> None:
        self.dialog_open = value

    @rx.event
    def set_edit_name(self, value: str) -> None:
        self.edit_name = value

    @rx.event
    def set_platform(self, platform: str) -> None:
        if platform in SPECS:
            self.platform, self.connection_type = platform, SPECS[platform].types[0]
            self.errors = {}

    @rx.event
    def set_connection_type(self, connection_type: str) -> None:
        if connection_type in SPECS[self.platform].types:
            self.connection_type = connection_type

    @rx.event
    async def save(self, form: dict[str, Any]) -> Any:
        self.errors = {}
        body = form_to_body(self.platform, self.connection_type, form)
        editing = self.editing_id
        try:
            await run_service(
                self,
                lambda a: (
                    connections.update_connection(a, editing, body)
                    if editing
                    else connections.create_connection(a, body)
                ),
            )
        except ValidationFailed as exc:
            self.errors = {p.path.split(".")[-1] or "form": p.message for p in exc.problems}
            return None
        except FlowdeckError as exc:
            self.errors = {"form": error_text(exc)}
            return None
        self.dialog_open = False
        await self._reload()
        return rx.toast.success(f"Saved {body['name']}. Press Verify to test it.")

    @rx.event
    async def verify(self, connection_id: int) -> Any:
        self.verifying_id = connection_id
        try:
            actor = await self._actor()
            result = await connections.verify_connection(actor, connection_id)
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        finally:
            self.verifying_id = 0
        await self._reload()
        check = result.get("verification") or {}
        if check.get("ok"):
            return rx.toast.success(f"{result['name']} works ({check.get('elapsed_ms', 0):.0f} ms)")
        return rx.toast.error(f"{result['name']}: {check.get('message') or 'verification failed'}")

    async def _delete(self, target_id: int) -> None:
        await run_service(self, lambda a: connections.delete_connection(a, target_id))
        await self._reload()
