"""Following a running execution for its page: reloads on the bus's events, and their pace.

`follow_execution` reloads the execution at most every `throttle_s` while its steps' events
come, so a burst of events costs one database read and one delta per window. It is a plain
function that tests drive; the page's background event (`ExecutionDetailState.follow`) runs it.

The canvas is updated at every reload: it sends only the run map (`canvas_run`, ~10 KB for
200 steps) and the browser redraws only the nodes that changed. The rest of a big run's page
(header, steps list, timeline, waits) costs its browser far more to redraw (measured on this
machine: ~60 ms a push quiet, 0.2-0.3 s busy, Radix and emotion), so `PagePacer` redraws it
at most every `BIG_RUN_PAGE_S`, and once more when the run goes quiet or ends.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool

from app.core.statuses import ExecutionStatus
from app.engine.bus import bus
from app.services import auth, executions

THROTTLE_S = 0.1  # at most ten reloads a second, however many steps finish
BIG_RUN_STEPS = 100
# A big run's page other than its canvas: at most every 2 s. Each redraw of it holds the
# browser's main thread (~60 ms quiet, 0.3-0.4 s on a loaded machine); twice a second, beside
# ten canvas pushes, kept a loaded browser saturated and the canvas seconds behind the run.
BIG_RUN_PAGE_S = 2.0
SETTLE_S = 0.5  # after a reload, a quiet run's held page is drawn this soon
FOLLOW_MAX_S = 3600.0
IDLE_CHECK_S = 5.0  # with no events, look this often whether the page still wants them


def throttle_for(steps_total: int) -> float:
    """Seconds between reloads: ten a second for every run (each sends a big run's canvas
    only its run map; `page_every` paces the rest of its page)."""
    return THROTTLE_S


def page_every(steps_total: int) -> float:
    """Seconds between redraws of the page other than its canvas: every reload (0) for a run
    of up to `BIG_RUN_STEPS` steps, else `BIG_RUN_PAGE_S`."""
    return BIG_RUN_PAGE_S if steps_total > BIG_RUN_STEPS else 0.0


def is_finished(detail: dict[str, Any]) -> bool:
    return ExecutionStatus(detail["status"]).is_terminal


class PagePacer:
    """Which reloads the whole page shows; the others update only the canvas.

    `take(detail)` answers the detail to show on the whole page now, or None to hold it: a
    reload is shown whole when the last whole one is `every_s` old, when the run has
    finished, or when it is asked with no new detail (`{}`: the run went quiet) and holds one.
    """

    def __init__(self, every_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.every_s, self.clock = every_s, clock
        self.last: float | None = None
        self.held: dict[str, Any] = {}

    def take(self, detail: dict[str, Any]) -> dict[str, Any] | None:
        if detail:
            self.held = detail
        if not self.held:
            return None
        now = self.clock()
        due = self.last is None or now - self.last >= self.every_s
        if not detail or due or is_finished(self.held):
            shown, self.held, self.last = self.held, {}, now
            return shown
        return None


async def fetch_detail(token: str, execution_id: int) -> dict[str, Any]:
    """The execution as the tab's user may see it (the service checks the role)."""
    actor = await run_in_threadpool(auth.authenticate, token)
    return await run_in_threadpool(executions.get_execution, actor, execution_id)


async def follow_execution(
    execution_id: int,
    reload: Callable[[], Awaitable[dict[str, Any]]],
    apply: Callable[[dict[str, Any]], Awaitable[bool]],
    *,
    throttle_s: float = THROTTLE_S,
    max_s: float = FOLLOW_MAX_S,
    idle_s: float = IDLE_CHECK_S,
    settle_s: float | None = None,
) -> int:
    """Reload and apply the execution on its events until it finishes; returns the reloads.

    `apply` answers whether the page still wants updates (False stops the loop; it is also
    asked with no new detail ({}) when nothing happened for `idle_s`, or for `settle_s` after
    a reload). The first reload runs at once, catching changes made between the page's load
    and the subscription.
    """
    reloads, last = 0, 0.0
    deadline = time.monotonic() + max_s
    async with bus.listen() as queue:
        due, settling = True, False
        while time.monotonic() < deadline:
            if not due:
                wait_s = settle_s if settling and settle_s is not None else idle_s
                try:
                    event = await asyncio.wait_for(queue.get(), timeout=wait_s)
                except TimeoutError:
                    settling = False
                    if not await apply({}):
                        return reloads
                    continue
                if event.data.get("execution_id") != execution_id:
                    continue
            await asyncio.sleep(max(0.0, last + throttle_s - time.monotonic()))
            while not queue.empty():  # everything so far is covered by the reload below
                queue.get_nowait()
            last = time.monotonic()
            detail = await reload()
            reloads += 1
            if not await apply(detail) or is_finished(detail):
                return reloads
            due, settling = False, True
    return reloads
