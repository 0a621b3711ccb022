"""`flowdeck worker`: the engine without the web server (#17).

It holds a lease like every Flowdeck process, recovers what dead processes left running, and
runs the queued executions it claims (a claim is a conditional `queued → running` write, so
two processes never run the same one). Runs are queued by the web processes (the API, the
UI, webhooks, schedules); a worker looks at the queue every `poll_s` and whenever its own
runs end. It sends the alerts of the runs it runs. Like every process it takes part in the
election of the scheduler leader (`app.cluster`): while it leads, it fires the schedules.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from app.alerts.delivery import AlertDispatcher
from app.cluster import ClusterMember, retry_interrupted
from app.db.types import utcnow
from app.engine import runtime
from app.engine.bus import bus
from app.engine.runner import Engine

log = logging.getLogger("flowdeck.worker")
POLL_S = 1.0


async def run_worker(stop: asyncio.Event, *, poll_s: float = POLL_S) -> None:
    """Run the engine until `stop` is set; then end like the app does (runs interrupted)."""
    dispatcher = AlertDispatcher(bus)
    await dispatcher.start()
    engine = Engine()
    runtime.install(engine)
    member = ClusterMember("worker", engine)
    try:
        await member.join()
        interrupted = await engine.start()
        await retry_interrupted(interrupted)
        await member.run()
        log.info("worker ready (lease %s)", member.lease_id)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=poll_s)
            engine.look_at_queue()
    finally:
        await member.leave()
        stopping_at = utcnow()
        await engine.stop()
        await member.release()
        await retry_interrupted(since=stopping_at)
        runtime.install(None)
        await dispatcher.stop()


def main(poll_s: float = POLL_S) -> int:
    """Run a worker in this process until SIGINT or SIGTERM."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_worker(stop, poll_s=poll_s)

    asyncio.run(serve())
    return 0
