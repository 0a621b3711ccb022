"""The signed-in person of this browser tab, and the guards every page runs on load.

The session token lives in an HttpOnly cookie that only the REST API sets
(`app.api.routes.auth`). The browser sends it with the websocket handshake; Reflex keeps the
handshake's headers on the server (`router.headers.cookie`, never sent to the page), and
`SessionState.token` reads the token from there. No state var holds it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import reflex as rx
from starlette.concurrency import run_in_threadpool

from app.core.errors import AuthenticationFailed, FlowdeckError
from app.core.statuses import Role
from app.services import auth
from app.services.actor import Actor
from app.services.tokens import cookie_value
from app.services.web_session import DEVICE_COOKIE, SESSION_COOKIE

__all__ = ["SESSION_COOKIE", "SessionState", "error_text", "home_for", "run_service"]


class SessionState(rx.State):
    """Display facts about the signed-in person; the token itself is read per event."""

    user_email: str = ""
    user_name: str = ""
    user_role: str = ""

    @property
    def token(self) -> str:
        """The session token from the HttpOnly cookie of this tab's websocket handshake."""
        return cookie_value(self.router.headers.cookie, SESSION_COOKIE)

    @property
    def device_token(self) -> str:
        return cookie_value(self.router.headers.cookie, DEVICE_COOKIE)

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
        self.user_email = self.user_name = self.user_role = ""
        return sign_out_script("/login")

    @rx.var
    def is_admin(self) -> bool:
        return self.user_role == Role.ADMIN.value


def sign_in_script(code: str) -> Any:
    """Load the page that turns the sign-in form's one-time code into HttpOnly cookies.

    A full page load, so the next websocket handshake carries the new cookie.
    """
    url = "/api/auth/session?code=" + code
    return rx.call_script(f"window.location.replace({json.dumps(url)})")


def sign_out_script(next_path: str) -> Any:
    """Clear the HttpOnly cookie through the API (page code cannot), then load `next_path`."""
    target = json.dumps(next_path)
    return rx.call_script(
        "fetch('/api/auth/logout', {method: 'POST', credentials: 'same-origin'})"
        f".finally(() => window.location.replace({target}))"
    )


def home_for(role: Role) -> str:
    return "/status" if role == Role.VIEWER else "/admin/workflows"


async def run_service(state: SessionState, call: Callable[[Actor], Any]) -> Any:
    """Authenticate the tab, then run a blocking service call off the event loop."""
    actor = await state._actor()
    return await run_in_threadpool(call, actor)


def error_text(exc: FlowdeckError) -> str:
    return exc.message[:1].upper() + exc.message[1:]
