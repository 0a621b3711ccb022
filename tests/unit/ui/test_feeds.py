"""Which tabs a live feed writes to: joined, connected, signed in with the right role."""

from __future__ import annotations

import asyncio

import reflex as rx

from app.core.statuses import Role
from app.services import auth
from app.ui.feeds import FORGET_AFTER_S, SESSION_RECHECK_S, Feeds, signed_in
from app.ui.states.session import SessionState
from tests.unit.ui import test_state_guards as guards
from tests.unit.ui.tabs import sign_in_tab
from tests.unit.ui.test_state_guards import People

people_template = guards.people_template
people = guards.people


def test_only_connected_tabs_of_the_feed_are_written() -> None:
    feeds = Feeds()
    feeds.join("ops", "tab-a")
    feeds.join("ops", "tab-b")
    feeds.join("user1", "tab-a")
    assert feeds.connected("ops", {"tab-a": "sid1"}) == ["tab-a"]
    assert feeds.connected("ops", {"tab-a": "sid1", "tab-b": "sid2"}) == ["tab-a", "tab-b"]
    assert feeds.connected("user1", {"tab-b": "sid2"}) == []
    assert feeds.connected("status", {"tab-a": "sid1"}) == []


def test_a_reconnecting_tab_stays_joined_and_a_long_gone_one_is_forgotten() -> None:
    clock = [1000.0]
    feeds = Feeds(clock=lambda: clock[0])
    feeds.join("ops", "tab-a")
    clock[0] += 30  # socket dropped for a moment
    assert feeds.connected("ops", {}) == []
    assert feeds.connected("ops", {"tab-a": "sid9"}) == ["tab-a"]
    clock[0] += FORGET_AFTER_S + 1
    assert feeds.connected("ops", {}) == []
    assert feeds.connected("ops", {"tab-a": "sid9"}) == []  # it must join again


def test_leave() -> None:
    feeds = Feeds()
    feeds.join("ops", "tab-a")
    feeds.leave("ops", "tab-a")
    feeds.leave("ops", "never-joined")
    assert feeds.connected("ops", {"tab-a": "sid1"}) == []


async def test_a_tab_keeps_its_feed_only_while_its_session_allows_it(people: People) -> None:
    async def tab(who: str) -> rx.State:
        root = rx.State()
        sign_in_tab(await root.get_state(SessionState), people.tokens[who])
        return root

    staff = signed_in(Role.ADMIN, Role.MEMBER)
    assert await staff(await tab("member"))
    assert await staff(await tab("admin"))
    assert not await staff(await tab("viewer"))
    assert not await staff(await tab("none"))  # signed out
    assert not await staff(await tab("forged"))
    own_bell = signed_in(*Role, user_id=people.member_id)
    assert await own_bell(await tab("member"))
    assert not await own_bell(await tab("admin"))
    ended = await tab("member")
    auth.logout(people.tokens["member"])
    assert await staff(ended)  # seen valid a moment ago: trusted for a few seconds
    await asyncio.sleep(SESSION_RECHECK_S + 0.1)
    assert not await staff(ended)
