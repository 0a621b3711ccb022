"""Leases of Flowdeck processes and what recovery may take back. Pure: no clock, no database.

Every process holds a lease that it renews every `heartbeat_s` and that expires `ttl_s` after
the last renewal. A run records the lease of the process running it. Recovery (at start-up and
on every heartbeat) interrupts only:

- runs whose lease expired (or whose lease row is gone): their process died or hung;
- runs with no lease (written before leases existed) — only when no other process holds a
  live lease, since an older process cannot say which of them it is running;

and never the runs of a living process, nor this process's own.

A lease also says on which `instance` (kernel boot and pid namespace) its pid means something.
A process on the same instance checks whether the pid of such a lease still runs: if not, the
lease is ended at once instead of after `ttl_s` (a restart after a crash recovers at once, as a
single process always did). On another instance only the expiry counts.

Leadership (the scheduler): one row per name holds the leader's lease id and an expiry. A
process may take it when nobody holds it, when it holds it already (a renewal), when the
holder's time ran out or when the holder's process lease did (`may_lead`); the database write
that takes it checks the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

DEFAULT_HEARTBEAT_S = 5
DEFAULT_TTL_S = 30


def expires_at(now: datetime, ttl_s: float) -> datetime:
    """When a lease renewed at `now` runs out."""
    return now + timedelta(seconds=ttl_s)


def is_expired(expiry: datetime, now: datetime) -> bool:
    """Whether a lease that runs out at `expiry` has run out at `now` (the instant counts)."""
    return expiry <= now


def live_leases(leases: Mapping[str, datetime], now: datetime) -> frozenset[str]:
    """The ids of the leases (id → expiry) that have not run out at `now`."""
    return frozenset(lease for lease, expiry in leases.items() if not is_expired(expiry, now))


def runs_to_recover(
    running: Iterable[tuple[int, str | None]], live: frozenset[str], own: str | None
) -> list[int]:
    """Of the `running` runs (id, lease id), those recovery interrupts, in the given order.

    `live` holds the leases alive now (this process's own among them or not), `own` this
    process's lease (None: it holds none).
    """
    others_alive = bool(live - {own})
    chosen = []
    for run_id, lease in running:
        if lease is None:
            if not others_alive:
                chosen.append(run_id)
        elif lease != own and lease not in live:
            chosen.append(run_id)
    return chosen


def check_timing(heartbeat_s: int, ttl_s: int) -> str | None:
    """A reason the heartbeat and lease time do not go together, or None.

    A lease must outlive at least two missed heartbeats, or a busy moment (a long write
    lock, a pause) would let a living process's runs be interrupted.
    """
    if heartbeat_s < 1:
        return "the heartbeat must be at least 1 second"
    if ttl_s < 2 * heartbeat_s + 1:
        return f"the lease time must be more than twice the heartbeat ({heartbeat_s} s)"
    return None


def pids_to_check(
    held: Iterable[tuple[str, str | None, int]], instance: str | None, own: str | None
) -> list[tuple[str, int]]:
    """Of the leases (id, instance, pid), those whose pid this process can check: on its own
    instance and not its own lease. (id, pid) pairs."""
    if not instance:
        return []
    return [(lease, pid) for lease, where, pid in held if where == instance and lease != own]


def may_lead(
    holder: str | None,
    expiry: datetime | None,
    me: str,
    now: datetime,
    *,
    holder_alive: bool = True,
) -> bool:
    """Whether lease `me` may take (or keep) a leadership held by `holder` until `expiry`;
    `holder_alive` is False once the holder's own lease ran out or was ended (its process
    is gone: no need to wait for the leadership's time too)."""
    if holder is None or expiry is None or holder == me:
        return True
    return is_expired(expiry, now) or not holder_alive
