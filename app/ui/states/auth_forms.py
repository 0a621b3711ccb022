"""The sign-in and first-run setup forms.

Signing in happens here, over the websocket; the session then reaches the browser as an
HttpOnly cookie through a one-time code (see `app.services.web_session`).
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from starlette.concurrency import run_in_threadpool

from app.core.errors import FlowdeckError, ValidationFailed
from app.core.statuses import Role
from app.services import auth, web_session
from app.ui.states.session import SessionState, error_text, home_for, sign_in_script

NOTICES = {"password-changed": "Password changed. Sign in again with the new one."}


def _client(state: rx.State) -> tuple[str | None, str | None]:
    """The client address Reflex saw for this socket (X-Forwarded-For only when rxconfig
    trusts proxy hops) and the browser's user agent."""
    info = state.router.headers
    return (state.router.session.client_ip or None, info.user_agent or None)


class LoginState(SessionState):
    login_error: str = ""
    notice: str = ""
    busy: bool = False

    @rx.event
    async def open_login(self) -> Any:
        self.login_error = ""
        self.notice = NOTICES.get(self.router.url.query_parameters.get("notice", ""), "")
        if await run_in_threadpool(auth.needs_setup):
            return rx.redirect("/setup")
        return None

    @rx.event
    async def submit(self, form: dict[str, Any]) -> Any:
        self.login_error = self.notice = ""
        ip, user_agent = _client(self)
        device = self.device_token
        try:
            token, user = await run_in_threadpool(
                lambda: auth.login(
                    email=str(form.get("email", "")),
                    password=str(form.get("password", "")),
                    ip=ip,
                    user_agent=user_agent,
                    device=device,
                )
            )
        except FlowdeckError as exc:
            self.login_error = error_text(exc)
            return None
        self.user_email, self.user_name, self.user_role = user.email, user.name, user.role
        code = web_session.hand_off(token, user.id or 0, home_for(Role(user.role)))
        return sign_in_script(code)


class SetupState(SessionState):
    errors: dict[str, str] = {}
    form_error: str = ""

    @rx.event
    async def open_setup(self) -> Any:
        self.errors, self.form_error = {}, ""
        if not await run_in_threadpool(auth.needs_setup):
            return rx.redirect("/login")
        return None

    @rx.event
    async def submit(self, form: dict[str, Any]) -> Any:
        self.errors, self.form_error = {}, ""
        password = str(form.get("password", ""))
        if password != str(form.get("confirm", "")):
            self.errors = {"confirm": "The two passwords differ"}
            return None
        email = str(form.get("email", ""))
        ip, user_agent = _client(self)
        try:
            await run_in_threadpool(
                lambda: auth.setup_first_admin(
                    email=email, name=str(form.get("name", "")), password=password, ip=ip
                )
            )
            token, user = await run_in_threadpool(
                lambda: auth.login(email=email, password=password, ip=ip, user_agent=user_agent)
            )
        except ValidationFailed as exc:
            self.errors = {p.path: p.message[:1].upper() + p.message[1:] for p in exc.problems}
            return None
        except FlowdeckError as exc:
            self.form_error = error_text(exc)
            return None
        self.user_email, self.user_name, self.user_role = user.email, user.name, user.role
        return sign_in_script(web_session.hand_off(token, user.id or 0, "/admin/workflows"))
