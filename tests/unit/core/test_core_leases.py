"""Leases: expiry, and which running runs recovery may take back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.core.leases import (
    check_timing,
    expires_at,
    is_expired,
    live_leases,
    may_lead,
    pids_to_check,
    runs_to_recover,
)

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
S = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("expiry", "expired"),
    [(NOW + S, False), (NOW, True), (NOW - S, True), (NOW + timedelta(microseconds=1), False)],
)
def test_is_expired(expiry: datetime, expired: bool) -> None:
    assert is_expired(expiry, NOW) is expired


def test_expires_at_adds_the_lease_time() -> None:
    assert expires_at(NOW, 30) == NOW + 30 * S


def test_live_leases() -> None:
    leases = {"a": NOW + S, "b": NOW, "c": NOW - 10 * S, "d": NOW + 30 * S}
    assert live_leases(leases, NOW) == {"a", "d"}


LIVE_PEER = frozenset({"me", "peer"})
ALONE = frozenset({"me"})


@pytest.mark.parametrize(
    ("running", "live", "own", "chosen"),
    [
        # a living peer's runs are never taken, nor this process's own
        ([(1, "peer"), (2, "me")], LIVE_PEER, "me", []),
        # a dead process's runs (lease expired or its row gone) are
        ([(1, "dead"), (2, "peer"), (3, "gone")], LIVE_PEER, "me", [1, 3]),
        # runs from before leases: only when no other process is alive
        ([(1, None), (2, "dead")], ALONE, "me", [1, 2]),
        ([(1, None), (2, "dead")], LIVE_PEER, "me", [2]),
        # a process without a lease (tests, a CLI) recovers as if alone when nobody is live
        ([(1, None), (2, "dead")], frozenset(), None, [1, 2]),
        ([(1, None), (2, "peer")], frozenset({"peer"}), None, []),
        # this process's own lease counts as its own even when it is not in `live` (a late
        # heartbeat): it never interrupts its own runs
        ([(1, "me")], frozenset(), "me", []),
        ([], LIVE_PEER, "me", []),
    ],
)
def test_runs_to_recover(
    running: list[tuple[int, str | None]], live: frozenset[str], own: str | None, chosen: list
) -> None:
    assert runs_to_recover(running, live, own) == chosen


@pytest.mark.parametrize(
    ("heartbeat", "ttl", "ok"),
    [(5, 30, True), (1, 3, True), (1, 2, False), (5, 10, False), (0, 30, False)],
)
def test_check_timing(heartbeat: int, ttl: int, ok: bool) -> None:
    assert (check_timing(heartbeat, ttl) is None) is ok


@pytest.mark.parametrize(
    ("instance", "own", "checked"),
    [
        ("boot1:ns1", "me", [("old", 41)]),  # the same machine: a pid that can be checked
        ("boot2:ns1", "me", [("away", 43)]),
        (None, "me", []),  # where this process runs is unknown: only expiry counts
        ("boot1:ns1", None, [("me", 40), ("old", 41)]),
    ],
)
def test_pids_to_check(instance: str | None, own: str | None, checked: list) -> None:
    held = [("me", "boot1:ns1", 40), ("old", "boot1:ns1", 41), ("elsewhere", "boot1:ns2", 42),
            ("away", "boot2:ns1", 43), ("legacy", None, 44)]  # fmt: skip
    assert pids_to_check(held, instance, own) == checked


@pytest.mark.parametrize(
    ("holder", "expiry", "allowed"),
    [
        (None, None, True),  # nobody leads
        ("me", NOW - S, True),  # a renewal, even late
        ("peer", NOW + S, False),  # a living leader keeps it
        ("peer", NOW, True),  # its time ran out
        ("peer", NOW - 10 * S, True),
    ],
)
def test_may_lead(holder: str | None, expiry: datetime | None, allowed: bool) -> None:
    assert may_lead(holder, expiry, "me", NOW) is allowed


def test_may_lead_once_the_holders_process_is_gone() -> None:
    assert may_lead("peer", NOW + 30 * S, "me", NOW, holder_alive=False) is True
    assert may_lead("me", NOW + 30 * S, "me", NOW, holder_alive=False) is True
