"""Graph benchmark (issue #11): prints numbers, asserts only that the runs succeeded.

    python -m bench.graph

(p) 10 parallel `api_call`s to a loopback server that answers after 200 ms, one execution
    (`max_parallel` 10): the execution's wall time (floor 200 ms) and the overlap of the
    requests as the server recorded them
(d) a 200-step random DAG of `transform`s (seeded; each step depends on 0-3 earlier steps):
    engine overhead per step = execution wall time / steps
(f) `for_each` over 1,000 items of a `transform` (`{{ item }}` templates: rendered per item),
    concurrency 16: the execution's wall time, median of 3 after a warm-up; and 10,000 items
    once, for scale

The 40-step chain is `bench/engine.py`'s (a). A fresh SQLite file (WAL) in a temp folder, as
there; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

os.environ["FLOWDECK_OUTBOUND_ALLOW"] = "127.0.0.1/32"  # the loopback server only

# bench.engine, on import, points FLOWDECK_DATA_DIR at a fresh temp folder (its `_DIR`); the
# settings are read on first use, after these imports.
from app.db.migrate import upgrade  # noqa: E402
from app.engine import runtime  # noqa: E402
from app.engine.runner import Engine  # noqa: E402
from app.services import executions, workflows  # noqa: E402
from app.services.actor import SYSTEM  # noqa: E402
from bench.engine import _DIR, _run_once  # noqa: E402
from bench.reference import machine_line  # noqa: E402

DELAY_S = 0.2
PARALLEL = 10
DAG_STEPS = 200
FOR_EACH_ITEMS = 1_000
FOR_EACH_CONCURRENCY = 16


class _SlowHandler(BaseHTTPRequestHandler):
    """Answers every GET after `DELAY_S`, recording when each request arrived and ended."""

    server: _SlowServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        arrived = time.perf_counter()
        time.sleep(DELAY_S)
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        with self.server.lock:
            self.server.spans.append((arrived, time.perf_counter()))

    def log_message(self, *_args: object) -> None:
        pass


class _SlowServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64  # the default 5 drops SYNs of a burst: a 1 s retransmit, not the engine

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SlowHandler)
        self.lock = threading.Lock()
        self.spans: list[tuple[float, float]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/slow"


def _overlap(spans: list[tuple[float, float]]) -> tuple[float, float, int]:
    """(ms between first and last arrival, ms all were in flight together, peak in flight)."""
    arrivals = sorted(a for a, _ in spans)
    together = max(0.0, min(e for _, e in spans) - arrivals[-1])
    events = sorted([(a, 1) for a, _ in spans] + [(e, -1) for _, e in spans])
    peak = in_flight = 0
    for _, delta in events:
        in_flight += delta
        peak = max(peak, in_flight)
    return (arrivals[-1] - arrivals[0]) * 1000, together * 1000, peak


async def bench_parallel(engine: Engine, server: _SlowServer) -> dict[str, float]:
    calls = [
        {
            "id": f"call{i}",
            "type": "api_call",
            "config": {"method": "GET", "url": server.url, "timeout_s": 10},
            "depends_on": [],
        }
        for i in range(PARALLEL)
    ]
    wf = workflows.create_workflow(
        SYSTEM,
        {
            "name": "ten parallel calls",
            "trigger": {"type": "manual"},
            "actions": calls,
            "max_parallel": PARALLEL,
        },
    ).workflow["id"]
    await _run_once(engine, wf, {})  # warm up (HTTP client, statements)
    server.spans.clear()
    t0 = time.perf_counter()
    started = await executions.execute_workflow(SYSTEM, wf, payload={})
    await engine.drain(60)
    wall = (time.perf_counter() - t0) * 1000
    detail = executions.get_execution(SYSTEM, started["id"])
    assert detail["status"] == "succeeded", detail["status"]
    assert len(server.spans) == PARALLEL, len(server.spans)
    spread, together, peak = _overlap(server.spans)
    return {
        "wall": wall,
        "recorded": detail["duration_ms"] or 0,
        "spread": spread,
        "together": together,
        "peak": peak,
    }


def _random_dag(count: int, seed: int = 11) -> list[dict]:
    rng = random.Random(seed)
    steps = []
    for i in range(count):
        parents = rng.sample(range(i), k=min(i, rng.randint(0, 3)))
        steps.append(
            {
                "id": f"s{i}",
                "type": "transform",
                "config": {"values": {"n": f"{{{{ trigger.n + {i} }}}}"}},
                "depends_on": [f"s{p}" for p in sorted(parents)],
            }
        )
    return steps


async def bench_dag(engine: Engine) -> float:
    wf = workflows.create_workflow(
        SYSTEM,
        {"name": "random dag", "trigger": {"type": "manual"}, "actions": _random_dag(DAG_STEPS)},
    ).workflow["id"]
    await _run_once(engine, wf, {"n": 1})  # warm caches
    samples = []
    for _ in range(3):
        t0 = time.perf_counter()
        status = await _run_once(engine, wf, {"n": 1})
        samples.append((time.perf_counter() - t0) * 1000)
        assert status == "succeeded", status
    return statistics.median(samples)


async def bench_for_each(engine: Engine) -> tuple[float, float]:
    """(median ms of 1,000 items, ms of 10,000 items once)."""
    inner = {
        "type": "transform",
        "config": {"values": {"double": "{{ item * 2 }}", "at": "{{ index }}"}},
    }
    loop = {
        "id": "loop",
        "type": "for_each",
        "config": {
            "items": "{{ trigger.rows }}",
            "step": inner,
            "concurrency": FOR_EACH_CONCURRENCY,
        },
    }
    wf = workflows.create_workflow(
        SYSTEM, {"name": "for each", "trigger": {"type": "manual"}, "actions": [loop]}
    ).workflow["id"]
    payload = {"rows": list(range(FOR_EACH_ITEMS))}
    await _run_once(engine, wf, payload)  # warm caches
    samples = []
    for _ in range(3):
        t0 = time.perf_counter()
        status = await _run_once(engine, wf, payload)
        samples.append((time.perf_counter() - t0) * 1000)
        assert status == "succeeded", status
    t0 = time.perf_counter()
    status = await _run_once(engine, wf, {"rows": list(range(10 * FOR_EACH_ITEMS))})
    assert status == "succeeded", status
    return statistics.median(samples), (time.perf_counter() - t0) * 1000


async def main() -> None:
    upgrade()
    server = _SlowServer()
    threading.Thread(target=server.serve_forever, name="slow server", daemon=True).start()
    engine = Engine(max_concurrent=16)
    runtime.install(engine)
    await engine.start()
    try:
        p = await bench_parallel(engine, server)
        dag_ms = await bench_dag(engine)
        each_ms, each_10k_ms = await bench_for_each(engine)
    finally:
        await engine.stop()
        server.shutdown()
    print(
        f"(p) {PARALLEL} parallel api_calls (server answers after {DELAY_S * 1000:.0f} ms): "
        f"{p['wall']:.0f} ms wall, {p['recorded']:.0f} ms recorded  "
        "(target < 300 ms, floor 200 ms)"
    )
    print(
        f"    server saw: arrivals spread over {p['spread']:.1f} ms, all {PARALLEL} in flight "
        f"together for {p['together']:.0f} ms, peak {p['peak']:.0f} in flight"
    )
    print(
        f"(d) {DAG_STEPS}-step random DAG of transforms: {dag_ms:.0f} ms, "
        f"{dag_ms / DAG_STEPS:.2f} ms per step  (target < 1 ms)"
    )
    print(
        f"(f) for_each over {FOR_EACH_ITEMS:,} items of a transform, concurrency "
        f"{FOR_EACH_CONCURRENCY}: {each_ms:.0f} ms  (target < 2000 ms); "
        f"{10 * FOR_EACH_ITEMS:,} items: {each_10k_ms:.0f} ms"
    )
    print("40-step chain: see python -m bench.engine (a)")
    print(f"database: {_DIR / 'flowdeck.db'} (SQLite, WAL)")
    print(machine_line())


if __name__ == "__main__":
    asyncio.run(main())
