"""Failure histories kept in this process's memory: per client address, per known device and
per password (change-password guesses). Bounded maps, safe to use from the thread pool. The
rules are in `app.core.throttle`.

One process serves Flowdeck (see README); with several workers each would keep its own maps.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from app.core.throttle import NONE, Backoff, Failures, after_failure, retry_after

#: Per client address: generous (people share addresses), so it slows floods and credential
#: stuffing across many accounts without troubling an office behind one NAT.
CLIENT_POLICY = Backoff(free=10, first_wait_s=1.0, max_wait_s=900.0, forget_after_s=3600.0)
#: Per account (strangers), per known device and per password: three guesses, then 2 s, 4 s...
ACCOUNT_POLICY = Backoff(free=3, first_wait_s=2.0, max_wait_s=900.0, forget_after_s=3600.0)


class FailureBook:
    """Failure histories by key, least recently failed dropped first beyond `max_keys`."""

    def __init__(
        self,
        policy: Backoff,
        *,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy
        self.max_keys = max_keys
        self._clock = clock
        self._lock = threading.Lock()
        self._histories: OrderedDict[str, Failures] = OrderedDict()

    def wait(self, key: str) -> float:
        """Seconds the next attempt under `key` must still wait (0.0: go ahead)."""
        with self._lock:
            history = self._histories.get(key, NONE)
        return retry_after(history, self._clock(), self.policy)

    def failed(self, key: str) -> None:
        now = self._clock()
        with self._lock:
            history = after_failure(self._histories.pop(key, NONE), now, self.policy)
            self._histories[key] = history
            while len(self._histories) > self.max_keys:
                self._histories.popitem(last=False)

    def clear(self, key: str) -> None:
        with self._lock:
            self._histories.pop(key, None)


CLIENTS = FailureBook(CLIENT_POLICY)
DEVICES = FailureBook(ACCOUNT_POLICY)
PASSWORDS = FailureBook(ACCOUNT_POLICY)
