"""Orchestration benchmark (issue #13): prints numbers, asserts only that the runs succeeded.

    python -m bench.orchestration

(p) 10 independent calls in `parallel` mode to a loopback server whose endpoint answers after
    200 ms: `run_calls`' wall time (floor 200 ms; one after another would take 2 s), median of
    5 after a warm-up, and how the requests overlapped as the server saw them
(q) a 20-call `pipeline` of instant endpoints, each call extracting a value and the next one
    sending it in a header (a template rendered per call): engine overhead = wall time minus
    the server's own time (sum of its handling times), median of 11 after a warm-up; taken in
    turns with the same 20 requests sent by the bare guarded client (HTTP's own cost, engine
    or not), so the engine's own share is the median of the differences; and the CPU time this
    process spent on each (the server is another process), which a busy machine disturbs less

`run_calls` directly (no database: the runner records nothing itself). The loopback server runs
in its own process (in this one, its threads would take the GIL from the loop: milliseconds
per call that are the benchmark's, not the engine's) and speaks HTTP/1.1 with keep-alive, as
remote APIs do. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

os.environ["FLOWDECK_OUTBOUND_ALLOW"] = "127.0.0.1/32"  # the loopback server only
os.environ.setdefault("FLOWDECK_DATA_DIR", tempfile.mkdtemp(prefix="flowdeck-bench-"))

from app.core.orchestration import OrchestrationSpec, validate_orchestration  # noqa: E402
from app.engine.http import outbound_client  # noqa: E402
from app.engine.orchestration_runner import run_calls  # noqa: E402
from bench.reference import machine_line  # noqa: E402

DELAY_S = 0.2
PARALLEL = 10
PIPELINE = 20
SAMPLES = 5
PIPELINE_SAMPLES = 11


class _Handler(BaseHTTPRequestHandler):
    """`/slow/…` answers after `DELAY_S`; anything else at once, with a token derived from its
    path. Each request's handling time is kept (arrival to answer sent); `/_spans` hands them
    over (and forgets them)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms ACK wait
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        arrived = time.perf_counter()
        if self.path == "/_spans":
            with self.server.lock:
                spans, self.server.spans = self.server.spans, []
            self._send(json.dumps(spans).encode())
            return
        if self.path.startswith("/slow"):
            time.sleep(DELAY_S)
        self._send(json.dumps({"token": f"t-{self.path.rsplit('/', 1)[-1]}"}).encode())
        with self.server.lock:
            self.server.spans.append((arrived, time.perf_counter()))

    def _send(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64  # the default 5 drops SYNs of a burst: a 1 s retransmit

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.spans: list[tuple[float, float]] = []


def serve() -> None:
    """The server's own process (`--serve`): prints its port, serves until killed."""
    server = _Server()
    print(server.server_address[1], flush=True)
    server.serve_forever()


class Remote:
    """The server in a subprocess: its threads do not compete with the loop for the GIL."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.orchestration", "--serve"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.url = f"http://127.0.0.1:{int(self.process.stdout.readline())}"

    def spans(self) -> list[tuple[float, float]]:
        return [tuple(span) for span in httpx.get(f"{self.url}/_spans").json()]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


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


async def _timed(spec: OrchestrationSpec, server: Remote) -> tuple[float, list]:
    """(wall ms of one run, the server's (arrival, answer) spans of its requests)."""
    wall, _, spans = await _timed_cpu(spec, server)
    return wall, spans


async def _timed_cpu(spec: OrchestrationSpec, server: Remote) -> tuple[float, float, list]:
    """(wall ms, CPU ms of this process (loop and render threads), the server's spans)."""
    server.spans()  # forget earlier ones
    started, cpu = time.perf_counter(), time.process_time()
    record = await run_calls(spec, {"n": 1}, env={}, now=datetime.now(UTC))
    cpu_ms = (time.process_time() - cpu) * 1000
    wall = (time.perf_counter() - started) * 1000
    assert record.status == "succeeded", record.error
    return wall, cpu_ms, await asyncio.to_thread(server.spans)


def _served_ms(spans: list[tuple[float, float]]) -> float:
    return sum(end - start for start, end in spans) * 1000


async def bench_parallel(server: Remote) -> dict[str, float]:
    calls = [{"id": f"c{i}", "url": f"{server.url}/slow/{i}"} for i in range(PARALLEL)]
    spec = validate_orchestration(
        {"name": "ten at once", "mode": "parallel", "max_parallel": PARALLEL, "calls": calls}
    )
    await _timed(spec, server)  # warm up (client, templates, threads)
    walls, overlaps = [], []
    for _ in range(SAMPLES):
        wall, spans = await _timed(spec, server)
        assert len(spans) == PARALLEL, len(spans)
        walls.append(wall)
        overlaps.append(_overlap(spans))
    spread, together, peak = overlaps[walls.index(statistics.median(walls))]
    return {
        "median": statistics.median(walls),
        "best": min(walls),
        "spread": spread,
        "together": together,
        "peak": peak,
    }


def _pipeline_calls(url: str) -> list[dict]:
    calls = [{"id": "c0", "url": f"{url}/fast/0", "extract": {"token": "token"}}]
    for i in range(1, PIPELINE):
        calls.append(
            {
                "id": f"c{i}",
                "url": f"{url}/fast/{i}",
                "headers": {"Authorization": "Bearer {{ prev.token }}"},
                "query": {"n": "{{ inputs.n }}"},
                "extract": {"token": "token"},
            }
        )
    return calls


async def _bare_client(server: Remote) -> tuple[float, float]:
    """(ms minus the server's, CPU ms) of the pipeline's 20 requests sent by the bare guarded
    client: what any caller pays for HTTP here, engine or not."""
    server.spans()
    started, cpu = time.perf_counter(), time.process_time()
    async with outbound_client() as client:
        for i in range(PIPELINE):
            headers = {"Authorization": "Bearer t"}
            response = await client.get(f"{server.url}/fast/{i}", headers=headers, params={"n": 1})
            response.json()
    cpu_ms = (time.process_time() - cpu) * 1000
    wall = (time.perf_counter() - started) * 1000
    return wall - _served_ms(await asyncio.to_thread(server.spans)), cpu_ms


async def bench_pipeline(server: Remote) -> dict[str, float]:
    """Engine runs and bare-client runs taken in turns, so both meet the same machine load."""
    spec = validate_orchestration(
        {"name": "twenty in a row", "mode": "pipeline", "calls": _pipeline_calls(server.url)}
    )
    await _timed(spec, server)  # warm up
    await _bare_client(server)
    overheads, bares, cpus, bare_cpus = [], [], [], []
    for _ in range(PIPELINE_SAMPLES):
        wall, cpu, spans = await _timed_cpu(spec, server)
        overheads.append(wall - _served_ms(spans))
        cpus.append(cpu)
        bare, bare_cpu = await _bare_client(server)
        bares.append(bare)
        bare_cpus.append(bare_cpu)
    return {
        "overhead": statistics.median(overheads),
        "best": min(overheads),
        "bare": statistics.median(bares),
        "own": statistics.median(o - b for o, b in zip(overheads, bares, strict=True)),
        "cpu": statistics.median(cpus),
        "bare_cpu": statistics.median(bare_cpus),
    }


async def main() -> None:
    server = Remote()
    try:
        p = await bench_parallel(server)
        q = await bench_pipeline(server)
    finally:
        server.stop()
    print(
        f"(p) {PARALLEL} parallel calls, 200 ms each:   {p['median']:.1f} ms median, "
        f"best {p['best']:.1f} ms  (target < 300 ms, floor 200 ms)"
    )
    print(
        f"    server saw: arrivals within {p['spread']:.1f} ms, all {int(p['peak'])} in flight "
        f"together for {p['together']:.1f} ms"
    )
    print(
        f"(q) {PIPELINE}-call pipeline, instant endpoints: engine overhead "
        f"{q['overhead']:.1f} ms median, best {q['best']:.1f} ms  (target < 50 ms: wall "
        f"minus the server's time; {q['overhead'] / PIPELINE:.2f} ms per call)"
    )
    print(
        f"    the same {PIPELINE} requests from the bare guarded client, no engine, in turns: "
        f"{q['bare']:.1f} ms median; the engine's own share {q['own']:.1f} ms median"
    )
    print(
        f"    CPU time of this process per run (steadier on a busy machine): engine "
        f"{q['cpu']:.1f} ms, bare client {q['bare_cpu']:.1f} ms (medians)"
    )
    print(machine_line())


if __name__ == "__main__":
    if "--serve" in sys.argv:
        serve()
    else:
        asyncio.run(main())
