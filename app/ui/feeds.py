"""Live feeds: the server writes fresh data into the state of every tab that watches it.

A tab joins a feed (`status`, `ops`, `user<id>`) from a load handler, after its role was
checked. A pusher computes the feed's data once and writes it into each joined tab's own
state with `app.modify_state`, one task per tab, so one busy tab never delays another.
Before each write the tab's session is checked again (`signed_in`): a tab that signed out,
or whose session ended with a role change or deactivation, leaves the feed instead.

Why not Reflex's `SharedState` links: each event of a tab takes the lock of every token the
tab is linked to, in the order that tab linked them. Two tabs that linked the same two
tokens in opposite orders (the bell's `user<id>` and the page's `ops`, say) wait on each
other forever, and every later event of both tabs hangs. Here a write takes one tab's lock
and nothing else, so no order between locks exists to get wrong.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import reflex as rx
from reflex.istate.manager.token import BaseStateToken
from starlette.concurrency import run_in_threadpool

from app.core.errors import AuthenticationFailed
from app.core.statuses import Role
from app.services import auth
from app.ui.states.session import SessionState

log = logging.getLogger("flowdeck.feeds")
FORGET_AFTER_S = 15 * 60  # a tab gone this long is dropped from its feeds

S = TypeVar("S", bound=rx.State)


class Feeds:
    """Which tabs (client tokens) watch which feed; process-local like the engine."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._tabs: dict[str, dict[str, float]] = {}
        self._clock = clock

    def join(self, feed: str, token: str) -> None:
        self._tabs.setdefault(feed, {})[token] = self._clock()

    def leave(self, feed: str, token: str) -> None:
        self._tabs.get(feed, {}).pop(token, None)

    def connected(self, feed: str, sockets: Mapping[str, Any]) -> list[str]:
        """The feed's tabs that have a socket now; long-gone ones are forgotten.

        A tab whose socket dropped for a moment (a reconnect) stays joined.
        """
        now = self._clock()
        tabs = self._tabs.get(feed, {})
        live = []
        for token, seen in list(tabs.items()):
            if token in sockets:
                tabs[token] = now
                live.append(token)
            elif now - seen > FORGET_AFTER_S:
                del tabs[token]
        return live


feeds = Feeds()


def tab_token(state: rx.State) -> str:
    return state.router.session.client_token


async def push(
    app: rx.App,
    feed: str,
    state_cls: type[S],
    fill: Callable[[S], None],
    allowed: Callable[[rx.State], Awaitable[bool]],
) -> int:
    """Write `fill` into `state_cls` of every connected tab of `feed`; how many tabs.

    `allowed(root)` is asked for each tab first, with that tab's state: a tab signed out, or
    whose session ended or whose role changed since it joined, leaves the feed instead.
    """
    namespace = app.event_namespace
    if namespace is None:
        return 0
    tokens = feeds.connected(feed, namespace.token_to_sid)

    async def write(token: str) -> None:
        async with app.modify_state(BaseStateToken(ident=token, cls=state_cls)) as root:
            if not await allowed(root):
                feeds.leave(feed, token)
                return
            fill(await root.get_state(state_cls))

    results = await asyncio.gather(*(write(t) for t in tokens), return_exceptions=True)
    for token, result in zip(tokens, results, strict=True):
        if isinstance(result, Exception):
            log.warning("live push of %s to a tab failed: %r", feed, result)
            feeds.leave(feed, token)
    return len(tokens)


SESSION_RECHECK_S = 3.0  # a session seen valid is trusted this long between pushes
_valid: dict[str, tuple[float, Role, int | None]] = {}  # session token → (until, role, user)


async def _session_of(token: str) -> tuple[Role, int | None] | None:
    """(role, user id) of a valid session, looked up at most every SESSION_RECHECK_S."""
    now = time.monotonic()
    known = _valid.get(token)
    if known is not None and known[0] > now:
        return known[1], known[2]
    try:
        actor = await run_in_threadpool(auth.authenticate, token)
    except AuthenticationFailed:
        _valid.pop(token, None)
        return None
    if len(_valid) > 10_000:
        _valid.clear()
    _valid[token] = (now + SESSION_RECHECK_S, actor.role, actor.user_id)
    return actor.role, actor.user_id


def signed_in(*roles: Role, user_id: int | None = None) -> Callable[[rx.State], Any]:
    """A check for `feeds.push`: the tab's session is valid, with one of `roles` (and is
    `user_id`'s, when given). Sessions end on sign-out, role change and deactivation; a
    tab learns of it within SESSION_RECHECK_S."""

    async def check(root: rx.State) -> bool:
        token = (await root.get_state(SessionState)).token
        found = await _session_of(token) if token else None
        return found is not None and found[0] in roles and user_id in (None, found[1])

    return check
