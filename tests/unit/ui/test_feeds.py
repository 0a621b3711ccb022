"""Which tabs a live feed writes to: joined, connected now, forgotten when long gone."""

from __future__ import annotations

from app.ui.feeds import FORGET_AFTER_S, Feeds


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
