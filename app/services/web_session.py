"""How a browser holds its session: HttpOnly cookies set by the REST API, never by page code.

The sign-in form runs over the websocket, which cannot set an HttpOnly cookie. So the form's
handler signs the person in and gets a one-time code (random, 30 s, single use, kept only as a
hash in this process); the browser then opens `/api/auth/session?code=…`, whose answer sets
the cookies and sends it on. The websocket handshake of the next page carries the cookies, and
the states read them on the server (see `app.ui.states.session`).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from app.db.settings import get_settings
from app.services.tokens import hash_token, new_device_token, new_token

SESSION_COOKIE = "flowdeck_session"
DEVICE_COOKIE = "flowdeck_device"
DEVICE_MAX_AGE_S = 365 * 24 * 3600


def cookie_flags() -> dict[str, object]:
    """Attributes of both cookies: HttpOnly, SameSite=Strict, Path=/, Secure on https."""
    secure = get_settings().base_url.startswith("https://")
    return {"httponly": True, "samesite": "strict", "path": "/", "secure": secure}


def session_max_age_s() -> int:
    return get_settings().session_ttl_hours * 3600


def safe_next(path: str | None) -> str:
    """A local path to go on to after signing in (never another site)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path[:200]


@dataclass(frozen=True)
class Handoff:
    """What a one-time code stands for: a new session (and device token) for the browser."""

    session_token: str
    device_token: str
    next_path: str


class OneTimeCodes:
    """Short-lived single-use codes; only their hashes are kept."""

    def __init__(
        self,
        *,
        ttl_s: float = 30.0,
        max_codes: int = 1_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s = ttl_s
        self.max_codes = max_codes
        self._clock = clock
        self._lock = threading.Lock()
        self._codes: OrderedDict[str, tuple[float, Handoff]] = OrderedDict()

    def issue(self, handoff: Handoff) -> str:
        code = new_token()
        now = self._clock()
        with self._lock:
            while self._codes and (
                len(self._codes) >= self.max_codes or next(iter(self._codes.values()))[0] <= now
            ):
                self._codes.popitem(last=False)
            self._codes[hash_token(code)] = (now + self.ttl_s, handoff)
        return code

    def redeem(self, code: str) -> Handoff | None:
        """The handoff of a valid code, once; None for an unknown, used or expired code."""
        if not code or len(code) > 100:
            return None
        with self._lock:
            entry = self._codes.pop(hash_token(code), None)
        if entry is None or entry[0] <= self._clock():
            return None
        return entry[1]


SIGN_IN_CODES = OneTimeCodes()


def hand_off(session_token: str, user_id: int, next_path: str) -> str:
    """A one-time code for `/api/auth/session` that carries the new session to the browser."""
    device = new_device_token(user_id, get_settings().secret_keys)
    return SIGN_IN_CODES.issue(Handoff(session_token, device, safe_next(next_path)))
