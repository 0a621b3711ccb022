"""State handlers refuse anyone but an admin, as a forged websocket event would meet them.

Every public handler of a Reflex state is callable by any browser, whether or not a button
shows it. These tests instantiate the real states (allowed under pytest), put a real session
token from `auth.login` into the tab's `token` var, call the handlers directly and check both
the answer (a redirect away, an error toast or an error field) and that the database did not
change at all.
"""

from __future__ import annotations

import inspect
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import reflex as rx
import sqlalchemy as sa
from reflex.event import EventSpec
from sqlmodel import SQLModel, select

from app.db.engine import get_engine, session_scope
from app.db.models import ApiKey, User
from app.services import api_keys, auth, users
from app.services.actor import SYSTEM
from app.ui.states.session import SessionState
from app.ui.states.users import UsersState
from tests.conftest import use_data_dir
from tests.unit.ui.tabs import sign_in_tab

PASSWORD = "s3cret-password"
NEW_PASSWORD = "another-s3cret-password"

# Handlers that only open or close a dialog in this tab; they touch no data.
UI_ONLY = {"set_create_open", "open_reset", "close_reset", "set_key_open", "setvar"}


# --- calling handlers the way Reflex does ----------------------------------------------------


async def call(state: rx.State, name: str, *args: Any) -> Any:
    """Run the event handler `name` on `state` as Reflex's event processor does.

    In reflex 0.10 the class attribute is an `EventHandler` (calling it only builds an
    `EventSpec` for the frontend); the processor runs `handler.fn(state, *args)` and awaits
    it when it is a coroutine (a generator is run through). Going through the `EventHandler`
    also proves that `name` is a public handler, i.e. something a browser can trigger.
    """
    handler = type(state).event_handlers[name]
    result = handler.fn(state, *args)
    if inspect.isasyncgen(result):  # a handler that yields: each step runs; the last event wins
        events = [event async for event in result]
        return next((e for e in reversed(events) if e is not None), None)
    return await result if inspect.isawaitable(result) else result


async def users_tab(token: str) -> UsersState:
    root = rx.State()
    state = await root.get_state(UsersState)
    sign_in_tab(state, token)
    return state


def _specs(result: Any) -> list[EventSpec]:
    items = result if isinstance(result, list | tuple) else [result]
    return [item for item in items if isinstance(item, EventSpec)]


_REDIRECT = rx.redirect("/").handler.fn.__qualname__


def redirect_target(result: Any) -> str | None:
    for spec in _specs(result):
        if spec.handler.fn.__qualname__ == _REDIRECT:
            args = {name._js_expr: value for name, value in spec.args}
            return args["path"]._var_value
    return None


_TOAST = re.compile(r"""__toast'\]\?\.\["(\w+)"\]\(("(?:[^"\\]|\\.)*")""")


def toasts(result: Any) -> list[tuple[str, str]]:
    """(kind, message) of every toast in a handler's answer."""
    found = []
    for spec in _specs(result):
        for _, value in spec.args:
            match = _TOAST.search(getattr(value, "_js_expr", ""))
            if match:
                found.append((match.group(1), json.loads(match.group(2))))
    return found


def database() -> dict[str, list[tuple]]:
    """Every row of every table, to prove that a refused call changed nothing.

    `last_used_at` is left out: checking a session token may touch it (at most once a
    minute), which is bookkeeping of the authentication, not a change the caller made.
    """
    with get_engine().connect() as conn:
        snapshot = {}
        for table in SQLModel.metadata.sorted_tables:
            columns = [c for c in table.c if c.name != "last_used_at"]
            rows = conn.execute(sa.select(*columns).order_by(*columns))
            snapshot[table.name] = [tuple(row) for row in rows]
        return snapshot


# --- people ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class People:
    admin_id: int
    viewer_id: int
    member_id: int
    admin_key_id: int
    tokens: dict[str, str]


def _make_people() -> People:
    ids = {}
    for role in ("admin", "viewer", "member"):
        ids[role] = users.create_user(
            SYSTEM, email=f"{role}@example.com", role=role, password=PASSWORD
        ).id
    tokens = {
        role: auth.login(email=f"{role}@example.com", password=PASSWORD)[0]
        for role in ("admin", "viewer", "member")
    }
    tokens |= {"none": "", "forged": "fds_" + "A" * 43}
    _, key = api_keys.create_api_key(SYSTEM, user_id=ids["admin"], name="deploys")
    return People(ids["admin"], ids["viewer"], ids["member"], key.id, tokens)


@pytest.fixture(scope="module")
def people_template(
    tmp_path_factory: pytest.TempPathFactory, migrated_template: Path
) -> tuple[Path, People]:
    """Users and sessions made once (argon2 is slow on purpose), copied for every test."""
    data_dir = tmp_path_factory.mktemp("people")
    shutil.copy(migrated_template, data_dir / "flowdeck.db")
    use_data_dir(data_dir)
    made = _make_people()
    with get_engine().connect() as conn:
        conn.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
    get_engine().dispose()
    return data_dir / "flowdeck.db", made


@pytest.fixture
def people(db: Path, people_template: tuple[Path, People]) -> People:
    template, made = people_template
    get_engine().dispose()
    shutil.copy(template, db / "flowdeck.db")
    return made


# --- refused -----------------------------------------------------------------------------------

Call = Callable[[UsersState, People], Any]


async def _reset_admin_password(state: UsersState, p: People) -> Any:
    await call(state, "open_reset", p.admin_id, "admin@example.com")
    return await call(state, "reset_password", {"password": NEW_PASSWORD})


ATTEMPTS: dict[str, Call] = {
    "load": lambda s, p: call(s, "load"),
    "create_user": lambda s, p: call(
        s, "create_user", {"email": "intruder@example.com", "role": "admin", "password": PASSWORD}
    ),
    "change_role": lambda s, p: call(s, "change_role", p.viewer_id, "admin"),
    "set_active": lambda s, p: call(s, "set_active", p.admin_id, False),
    "reset_password": _reset_admin_password,
    "create_key": lambda s, p: call(s, "create_key", {"user_id": str(p.admin_id), "name": "x"}),
    "revoke_key": lambda s, p: call(s, "revoke_key", p.admin_key_id),
    "unlock": lambda s, p: call(s, "unlock", p.admin_id),
}


def test_every_data_handler_of_users_state_is_attempted() -> None:
    assert set(UsersState.event_handlers) - UI_ONLY == set(ATTEMPTS)


def _assert_refused(state: UsersState, result: Any, who: str) -> None:
    target = redirect_target(result)
    errors = [message for kind, message in toasts(result) if kind == "error"]
    fields = [*state.create_errors.values(), state.reset_error, state.key_error]
    assert target is not None or errors or any(fields), f"not refused: {result!r}"
    assert target in (None, "/login", "/status", "/admin/workflows")
    assert not [kind for kind, _ in toasts(result) if kind == "success"]
    text = " ".join([*errors, *fields])
    if who in ("viewer", "member"):
        assert target is not None or "admin" in text.lower()
    elif target is None:
        assert "sign in" in text.lower()
    # Nothing an admin would see leaked into the tab.
    assert state.rows == [] and state.keys == [] and state.new_key == ""


@pytest.mark.parametrize("attempt", sorted(ATTEMPTS))
@pytest.mark.parametrize("who", ["viewer", "member", "none", "forged"])
async def test_users_handlers_refuse_non_admins(people: People, who: str, attempt: str) -> None:
    state = await users_tab(people.tokens[who])
    before = database()
    result = await ATTEMPTS[attempt](state, people)
    _assert_refused(state, result, who)
    assert database() == before


@pytest.mark.parametrize(
    ("who", "target"),
    [
        ("viewer", "/status"),
        ("member", "/admin/workflows"),
        ("none", "/login"),
        ("forged", "/login"),
    ],
)
async def test_users_page_load_sends_non_admins_away(people: People, who: str, target: str) -> None:
    state = await users_tab(people.tokens[who])
    assert redirect_target(await call(state, "load")) == target


async def test_without_any_user_the_guard_sends_to_setup(db: Path) -> None:
    state = await users_tab("")
    assert redirect_target(await call(state, "load")) == "/setup"


# --- allowed -----------------------------------------------------------------------------------


def _user(user_id: int) -> User:
    with session_scope() as session:
        return session.exec(select(User).where(User.id == user_id)).one()


async def test_admin_load_lists_users_and_keys(people: People) -> None:
    state = await users_tab(people.tokens["admin"])
    assert await call(state, "load") is None
    assert [row["email"] for row in state.rows] == [
        "admin@example.com",
        "member@example.com",
        "viewer@example.com",
    ]
    assert [key["name"] for key in state.keys] == ["deploys"]
    assert state.user_role == "admin" and state.is_admin


async def test_admin_creates_a_user(people: People) -> None:
    state = await users_tab(people.tokens["admin"])
    result = await call(
        state, "create_user", {"email": "New@Example.com", "role": "member", "password": PASSWORD}
    )
    assert toasts(result) == [("success", "Created New@Example.com")]
    assert state.create_errors == {} and "new@example.com" in [r["email"] for r in state.rows]
    with session_scope() as session:
        created = session.exec(select(User).where(User.email == "new@example.com")).one()
    assert created.role == "member"


async def test_admin_gets_field_errors_for_a_bad_user(people: People) -> None:
    state = await users_tab(people.tokens["admin"])
    before = database()
    result = await call(state, "create_user", {"email": "nope", "password": "short"})
    assert result is None
    assert set(state.create_errors) == {"email", "password"}
    assert database() == before


async def test_admin_changes_a_role_and_deactivates(people: People) -> None:
    state = await users_tab(people.tokens["admin"])
    result = await call(state, "change_role", people.viewer_id, "member")
    assert toasts(result) == [("success", "Role is now member")]
    assert _user(people.viewer_id).role == "member"
    result = await call(state, "set_active", people.viewer_id, False)
    assert toasts(result) == [("success", "User deactivated")]
    assert _user(people.viewer_id).is_active is False


async def test_admin_cannot_remove_the_last_admin(people: People) -> None:
    state = await users_tab(people.tokens["admin"])
    before = database()
    result = await call(state, "change_role", people.admin_id, "viewer")
    assert [kind for kind, _ in toasts(result)] == ["error"]
    result = await call(state, "set_active", people.admin_id, False)
    assert [kind for kind, _ in toasts(result)] == ["error"]
    assert database() == before


async def test_admin_resets_a_password(people: People) -> None:
    state = await users_tab(people.tokens["admin"])
    await call(state, "open_reset", people.viewer_id, "viewer@example.com")
    result = await call(state, "reset_password", {"password": NEW_PASSWORD})
    assert [kind for kind, _ in toasts(result)] == ["success"]
    assert state.reset_user_id == 0 and state.reset_error == ""
    token, _ = auth.login(email="viewer@example.com", password=NEW_PASSWORD)
    assert auth.authenticate(token).email == "viewer@example.com"


async def test_admin_creates_and_revokes_a_key(people: People) -> None:
    state = await users_tab(people.tokens["admin"])
    assert await call(state, "create_key", {"user_id": str(people.viewer_id), "name": "ci"}) is None
    assert state.key_error == "" and state.new_key.startswith("fdk_")
    actor = api_keys.authenticate_api_key(state.new_key)
    assert actor.email == "viewer@example.com" and actor.role == "viewer"
    result = await call(state, "revoke_key", people.admin_key_id)
    assert toasts(result) == [("success", "API key revoked")]
    with session_scope() as session:
        assert session.get(ApiKey, people.admin_key_id).revoked_at is not None


# --- the shared guards -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("handler", "who", "target"),
    [
        ("guard_admin_area", "admin", None),
        ("guard_admin_area", "member", None),
        ("guard_admin_area", "viewer", "/status"),
        ("guard_admin_area", "forged", "/login"),
        ("guard_admin_only", "member", "/admin/workflows"),
        ("guard_admin_only", "admin", None),
        ("guard_signed_in", "viewer", None),
        ("guard_signed_in", "none", "/login"),
    ],
)
async def test_page_guards(people: People, handler: str, who: str, target: str | None) -> None:
    root = rx.State()
    state = await root.get_state(SessionState)
    sign_in_tab(state, people.tokens[who])
    assert redirect_target(await call(state, handler)) == target
