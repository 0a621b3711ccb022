"""Admin → Users: accounts, roles and API keys."""

from __future__ import annotations

from typing import Any, TypedDict

import reflex as rx

from app.core.dates import when_text
from app.core.errors import FlowdeckError, ValidationFailed
from app.services import api_keys, users
from app.ui.states.session import SessionState, error_text, run_service


class UserRow(TypedDict):
    id: int
    email: str
    name: str
    role: str
    is_active: bool
    locked: bool
    last_login: str
    is_self: bool  # the signed-in admin's own row: no Deactivate (the service refuses it)


class KeyRow(TypedDict):
    id: int
    name: str
    prefix: str
    user_email: str
    created: str
    last_used: str
    revoked: bool


def _when(value: Any) -> str:
    return when_text(value, empty="never")


class UsersState(SessionState):
    rows: list[UserRow] = []
    keys: list[KeyRow] = []
    create_open: bool = False
    create_errors: dict[str, str] = {}
    reset_user_id: int = 0
    reset_email: str = ""
    reset_error: str = ""
    key_open: bool = False
    key_error: str = ""
    new_key: str = ""

    async def _reload(self) -> None:
        listed = await run_service(self, users.list_users)
        me = (await self._actor()).user_id
        self.rows = [
            UserRow(
                id=u.id,
                email=u.email,
                name=u.name,
                role=u.role,
                is_active=u.is_active,
                locked=u.locked,
                last_login=_when(u.last_login_at),
                is_self=u.id == me,
            )
            for u in listed
        ]
        keys = await run_service(self, api_keys.list_api_keys)
        self.keys = [
            KeyRow(
                id=k.id,
                name=k.name,
                prefix=k.prefix,
                user_email=k.user_email,
                created=_when(k.created_at),
                last_used=_when(k.last_used_at),
                revoked=k.revoked_at is not None,
            )
            for k in keys
        ]

    async def _act(self, call: Any, success: str) -> Any:
        try:
            await run_service(self, call)
            await self._reload()
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        return rx.toast.success(success)

    async def _refresh(self) -> Any:
        """Reload the lists after a change; a refusal becomes a toast with its message."""
        try:
            await self._reload()
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        return None

    @rx.event
    async def load(self) -> Any:
        redirect = await self._guard_admin()
        if redirect is not None:
            return redirect
        return await self._refresh()

    async def _guard_admin(self) -> Any:
        from app.core.statuses import Role

        return await self._guard((Role.ADMIN,))

    @rx.event
    def set_create_open(self, value: bool) -> None:
        self.create_open, self.create_errors = value, {}

    @rx.event
    async def create_user(self, form: dict[str, Any]) -> Any:
        self.create_errors = {}
        try:
            await run_service(
                self,
                lambda actor: users.create_user(
                    actor,
                    email=str(form.get("email", "")),
                    name=str(form.get("name", "")),
                    role=str(form.get("role") or "member"),
                    password=str(form.get("password", "")),
                ),
            )
        except ValidationFailed as exc:
            self.create_errors = {p.path: p.message for p in exc.problems}
            return None
        except FlowdeckError as exc:
            self.create_errors = {"form": error_text(exc)}
            return None
        self.create_open = False
        return await self._refresh() or rx.toast.success(f"Created {form.get('email')}")

    @rx.event
    async def change_role(self, user_id: int, role: str) -> Any:
        return await self._act(lambda a: users.change_role(a, user_id, role), f"Role is now {role}")

    @rx.event
    async def set_active(self, user_id: int, active: bool) -> Any:
        word = "activated" if active else "deactivated"
        return await self._act(lambda a: users.set_active(a, user_id, active), f"User {word}")

    @rx.event
    async def unlock(self, user_id: int) -> Any:
        return await self._act(lambda a: users.unlock_user(a, user_id), "Sign-in back-off cleared")

    @rx.event
    def open_reset(self, user_id: int, email: str) -> None:
        self.reset_user_id, self.reset_email, self.reset_error = user_id, email, ""

    @rx.event
    def close_reset(self, _open: bool = False) -> None:
        self.reset_user_id, self.reset_error = 0, ""

    @rx.event
    async def reset_password(self, form: dict[str, Any]) -> Any:
        user_id = self.reset_user_id
        try:
            await run_service(
                self, lambda a: users.reset_password(a, user_id, str(form.get("password", "")))
            )
        except FlowdeckError as exc:
            self.reset_error = error_text(exc)
            return None
        self.reset_user_id = 0
        return rx.toast.success("Password reset; their sessions were ended")

    @rx.event
    def set_key_open(self, value: bool) -> None:
        self.key_open, self.key_error, self.new_key = value, "", ""

    @rx.event
    async def create_key(self, form: dict[str, Any]) -> Any:
        self.key_error = ""
        try:
            user_id = int(form.get("user_id") or 0)
            key, _row = await run_service(
                self,
                lambda a: api_keys.create_api_key(
                    a, user_id=user_id, name=str(form.get("name", ""))
                ),
            )
        except (FlowdeckError, ValueError) as exc:
            self.key_error = error_text(exc) if isinstance(exc, FlowdeckError) else "Pick a user"
            return None
        # Shown once in this dialog and dropped from state when it closes.
        self.new_key = key
        return await self._refresh()

    @rx.event
    async def revoke_key(self, key_id: int) -> Any:
        return await self._act(lambda a: api_keys.revoke_api_key(a, key_id), "API key revoked")
