"""The signed-in person of this browser tab, and the guards every page runs on load."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx
from starlette.concurrency import run_in_threadpool

from app.core.errors import AuthenticationFailed, FlowdeckError
from app.core.statuses import Role
from app.services import auth
from app.services.actor import Actor

SESSION_COOKIE = "flowdeck_session"


class SessionState(rx.State):
    """Holds only the opaque session token (the browser's own cookie) and display facts."""

    token: str = rx.Cookie("", name=SESSION_COOKIE, same_site="strict", path="/")
    user_email: str = ""
    user_name: str = ""
    user_role: str = ""

    async def _actor(self) -> Actor:
        """The actor for this tab; every handler that reads or changes data starts here."""
        actor = await run_in_threadpool(auth.authenticate, self.token)
        self.user_email, self.user_role = actor.email, actor.role.value
        return actor

    async def _guard(self, allowed: tuple[Role, ...]) -> Any:
        try:
            actor = await self._actor()
        except AuthenticationFailed:
            self.user_email = self.user_role = ""
            if await run_in_threadpool(auth.needs_setup):
                return rx.redirect("/setup")
            return rx.redirect("/login")
        if actor.role not in allowed:
            return rx.redirect(home_for(actor.role))
        return None

    @rx.event
    async def guard_admin_area(self) -> Any:
        """on_load of every /admin page: admins and members only."""
        return await self._guard((Role.ADMIN, Role.MEMBER))

    @rx.event
    async def guard_admin_only(self) -> Any:
        return await self._guard((Role.ADMIN,))

    @rx.event
    async def guard_signed_in(self) -> Any:
        return await self._guard((Role.ADMIN, Role.MEMBER, Role.VIEWER))

    @rx.event
    async def route_home(self) -> Any:
        """`/`: each role to its home."""
        try:
            actor = await self._actor()
        except AuthenticationFailed:
            if await run_in_threadpool(auth.needs_setup):
                return rx.redirect("/setup")
            return rx.redirect("/login")
        return rx.redirect(home_for(actor.role))

    @rx.event
    async def logout(self) -> Any:
        await run_in_threadpool(auth.logout, self.token)
        self.token = ""
        self.user_email = self.user_name = self.user_role = ""
        return [rx.remove_cookie(SESSION_COOKIE, {"path": "/"}), rx.redirect("/login")]

    @rx.var
    def is_admin(self) -> bool:
        return self.user_role == Role.ADMIN.value


def home_for(role: Role) -> str:
    return "/status" if role == Role.VIEWER else "/admin/workflows"


async def run_service(state: SessionState, call: Callable[[Actor], Any]) -> Any:
    """Authenticate the tab, then run a blocking service call off the event loop."""
    actor = await state._actor()
    return await run_in_threadpool(call, actor)


def error_text(exc: FlowdeckError) -> str:
    return exc.message[:1].upper() + exc.message[1:]
