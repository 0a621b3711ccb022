"""The signed-in person's own account: changing the password."""

from __future__ import annotations

from typing import Any

import reflex as rx
from starlette.concurrency import run_in_threadpool

from app.core.errors import FlowdeckError, ValidationFailed
from app.services import auth
from app.ui.states.session import SessionState, error_text, sign_out_script


class AccountState(SessionState):
    password_open: bool = False
    password_error: str = ""

    @rx.event
    def set_password_open(self, value: bool) -> None:
        self.password_open, self.password_error = value, ""

    @rx.event
    async def change_password(self, form: dict[str, Any]) -> Any:
        self.password_error = ""
        new = str(form.get("new_password", ""))
        if new != str(form.get("confirm_password", "")):
            self.password_error = "The two new passwords differ"
            return None
        try:
            actor = await self._actor()
            await run_in_threadpool(
                lambda: auth.change_own_password(
                    actor, current=str(form.get("current_password", "")), new=new
                )
            )
        except ValidationFailed as exc:
            self.password_error = exc.problems[0].message.capitalize()
            return None
        except FlowdeckError as exc:
            self.password_error = error_text(exc)
            return None
        self.password_open = False
        self.user_email = self.user_name = self.user_role = ""
        return sign_out_script("/login?notice=password-changed")
