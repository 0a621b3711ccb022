"""The sign-in, sign-out and account states as the websocket runs them, on a real SQLite file.

The session token reaches the browser only as an HttpOnly cookie (through a one-time code),
comes back on the websocket handshake, and never sits in a var sent to the page.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import reflex as rx
from reflex_base.utils import format as rx_format
from sqlmodel import select

from app.db.engine import session_scope
from app.db.models import ApiKey
from app.db.settings import get_settings
from app.services import auth, users
from app.services.actor import SYSTEM
from app.services.tokens import new_device_token
from app.services.web_session import SIGN_IN_CODES
from app.ui.states.account import AccountState
from app.ui.states.auth_forms import LoginState
from app.ui.states.session import SessionState
from app.ui.states.users import UsersState
from tests.unit.ui.tabs import sign_in_tab
from tests.unit.ui.test_state_guards import _specs, call, toasts

PASSWORD = "s3cret-password"
_SCRIPT = rx.call_script("").handler.fn.__qualname__


def scripts(result: Any) -> list[str]:
    return [
        dict((n._js_expr, v) for n, v in spec.args)["javascript_code"]._var_value
        for spec in _specs(result)
        if spec.handler.fn.__qualname__ == _SCRIPT
    ]


async def tab(cls: type[SessionState], *, token: str = "", device: str = "", ip: str) -> Any:
    state = await rx.State().get_state(cls)
    sign_in_tab(state, token, device=device, ip=ip)
    return state


def sent_to_page(state: rx.State) -> str:
    """Everything the tab's state tree would send to the browser, as JSON."""
    root = state
    while root.parent_state is not None:
        root = root.parent_state
    return rx_format.json_dumps(root.dict())


@pytest.fixture
def people(db: Path) -> dict[str, int]:
    return {
        role: users.create_user(
            SYSTEM, email=f"{role}@example.com", role=role, password=PASSWORD
        ).id
        for role in ("admin", "viewer")
    }


async def test_sign_in_hands_the_session_over_by_a_one_time_code(people: dict) -> None:
    state = await tab(LoginState, ip="10.60.0.1")
    result = await call(state, "submit", {"email": "admin@example.com", "password": PASSWORD})
    [script] = scripts(result)
    match = re.fullmatch(r'window\.location\.replace\("/api/auth/session\?code=([\w-]+)"\)', script)
    assert match, script
    handoff = SIGN_IN_CODES.redeem(match[1])
    assert handoff is not None and handoff.next_path == "/admin/workflows"
    assert auth.authenticate(handoff.session_token).email == "admin@example.com"
    assert handoff.session_token not in sent_to_page(state)
    assert "token" not in SessionState.get_fields()  # no state var holds it


async def test_the_tab_reads_its_session_from_the_handshake_cookie(people: dict) -> None:
    token, _ = auth.login(email="admin@example.com", password=PASSWORD)
    state = await tab(UsersState, token=token, ip="10.60.0.2")
    assert state.token == token
    assert await call(state, "load") is None
    assert [row["email"] for row in state.rows] == ["admin@example.com", "viewer@example.com"]
    page = sent_to_page(state)
    assert token not in page and "flowdeck_session" not in page


async def test_too_many_wrong_passwords_show_the_wait_in_the_form(people: dict) -> None:
    state = await tab(LoginState, ip="10.60.0.3")
    wrong = {"email": "admin@example.com", "password": "wrong-password"}
    for _ in range(4):
        assert await call(state, "submit", wrong) is None
        assert state.login_error == "Email or password is wrong"
    await call(state, "submit", wrong)
    # 2 s from the fifth failure; a slow password check on a busy machine can leave 1 s
    assert state.login_error in (
        "Too many attempts; try again in 2 s",
        "Too many attempts; try again in 1 s",
    )


async def test_a_known_device_signs_in_while_strangers_are_held_back(people: dict) -> None:
    for n in range(5):
        stranger = await tab(LoginState, ip=f"10.60.1.{n}")
        await call(stranger, "submit", {"email": "admin@example.com", "password": "nope-nope"})
    assert stranger.login_error.startswith("Too many attempts")
    device = new_device_token(people["admin"], get_settings().secret_keys)
    mine = await tab(LoginState, device=device, ip="10.60.1.1")
    result = await call(mine, "submit", {"email": "admin@example.com", "password": PASSWORD})
    assert mine.login_error == "" and scripts(result)


async def test_sign_out_ends_the_session_and_clears_the_cookie_through_the_api(
    people: dict,
) -> None:
    token, _ = auth.login(email="admin@example.com", password=PASSWORD)
    state = await tab(SessionState, token=token, ip="10.60.0.4")
    [script] = scripts(await call(state, "logout"))
    assert "fetch('/api/auth/logout', {method: 'POST'" in script
    assert 'window.location.replace("/login")' in script
    with pytest.raises(auth.AuthenticationFailed):
        auth.authenticate(token)


async def test_change_password_guesses_show_the_wait(people: dict) -> None:
    token, _ = auth.login(email="admin@example.com", password=PASSWORD)
    state = await tab(AccountState, token=token, ip="10.60.0.5")
    form = {
        "current_password": "wrong-password",
        "new_password": "new-s3cret-password",
        "confirm_password": "new-s3cret-password",
    }
    for _ in range(4):
        await call(state, "change_password", form)
        assert state.password_error == "The current password is wrong"
    await call(state, "change_password", {**form, "current_password": PASSWORD})
    assert state.password_error == "Too many attempts; try again in 2 s"


async def test_a_viewer_cannot_mint_a_key_and_is_told_why(people: dict) -> None:
    """Before: the viewer's own key was created, then the handler crashed on the reload."""
    token, _ = auth.login(email="viewer@example.com", password=PASSWORD)
    state = await tab(UsersState, token=token, ip="10.60.0.6")
    form = {"user_id": str(people["viewer"]), "name": "mine"}
    result = await call(state, "create_key", form)
    assert state.key_error == "Viewers cannot create API keys; ask an admin for one"
    assert state.new_key == "" and not toasts(result)
    with session_scope() as s:
        assert s.exec(select(ApiKey)).all() == []


async def test_an_admin_gives_a_viewer_a_key(people: dict) -> None:
    token, _ = auth.login(email="admin@example.com", password=PASSWORD)
    state = await tab(UsersState, token=token, ip="10.60.0.7")
    await call(state, "create_key", {"user_id": str(people["viewer"]), "name": "board"})
    assert state.key_error == "" and state.new_key.startswith("fdk_")
    assert [k["user_email"] for k in state.keys] == ["viewer@example.com"]
