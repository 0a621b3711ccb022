"""Engine benchmark: prints numbers, asserts nothing.

    python -m bench.engine

(a) one execution of 40 sequential `transform` steps
(b) 10 concurrent executions of one `delay 0.5 s` step
(c) 100 executions of a 3-step workflow, back to back
(d) 200 webhook calls through the real HTTP endpoint (see bench/webhooks.py)

Everything is persisted to a SQLite file in WAL mode, as in production.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from cryptography.fernet import Fernet

_DIR = Path(tempfile.mkdtemp(prefix="flowdeck-bench-"))
os.environ["FLOWDECK_DATA_DIR"] = str(_DIR)
os.environ.setdefault("FLOWDECK_SECRET_KEYS", Fernet.generate_key().decode())

from app.db.migrate import upgrade  # noqa: E402
from app.engine import runtime  # noqa: E402
from app.engine.runner import Engine  # noqa: E402
from app.services import executions, workflows  # noqa: E402
from app.services.actor import SYSTEM  # noqa: E402
from bench.reference import machine_line  # noqa: E402


def _workflow(name: str, actions: list[dict], concurrency: int = 1) -> int:
    data = {
        "name": name,
        "trigger": {"type": "manual"},
        "actions": actions,
        "concurrency_limit": concurrency,
    }
    return workflows.create_workflow(SYSTEM, data).workflow["id"]


def _transforms(count: int) -> list[dict]:
    return [
        {
            "id": f"s{i}",
            "type": "transform",
            "config": {
                "values": {"n": f"{{{{ trigger.n + {i} }}}}", "label": "step {{ execution.id }}"}
            },
        }
        for i in range(count)
    ]


async def _run_once(engine: Engine, workflow_id: int, payload: dict) -> str:
    started = await executions.execute_workflow(SYSTEM, workflow_id, payload=payload)
    await engine.drain(120)
    return executions.get_execution(SYSTEM, started["id"])["status"]


async def bench_a(engine: Engine) -> float:
    wf = _workflow("forty transforms", _transforms(40))
    await _run_once(engine, wf, {"n": 1})  # warm caches (templates, statements)
    samples = []
    for _ in range(5):
        t0 = time.perf_counter()
        status = await _run_once(engine, wf, {"n": 1})
        samples.append((time.perf_counter() - t0) * 1000)
        assert status == "succeeded", status
    return statistics.median(samples)


async def bench_b(engine: Engine) -> float:
    wf = _workflow(
        "half second delay",
        [{"id": "wait", "type": "delay", "config": {"seconds": 0.5}}],
        concurrency=10,
    )
    t0 = time.perf_counter()
    ids = [(await executions.execute_workflow(SYSTEM, wf))["id"] for _ in range(10)]
    await engine.drain(60)
    elapsed = time.perf_counter() - t0
    statuses = {executions.get_execution(SYSTEM, i)["status"] for i in ids}
    assert statuses == {"succeeded"}, statuses
    return elapsed


async def bench_c(engine: Engine) -> float:
    wf = _workflow("three steps", _transforms(3))
    t0 = time.perf_counter()
    for n in range(100):
        status = await _run_once(engine, wf, {"n": n})
        assert status == "succeeded", status
    return time.perf_counter() - t0


async def main() -> None:
    upgrade()
    engine = Engine(max_concurrent=16)
    runtime.install(engine)
    await engine.start()
    try:
        a = await bench_a(engine)
        b = await bench_b(engine)
        c = await bench_c(engine)
    finally:
        await engine.stop()
    print(f"(a) 40 sequential transform steps, one execution: {a:.1f} ms  (target < 60 ms)")
    print(f"(b) 10 concurrent executions of delay 0.5 s:      {b:.3f} s   (target < 0.6 s)")
    print(f"(c) 100 executions of a 3-step workflow:          {c:.3f} s   (target < 1 s)")
    print(f"database: {_DIR / 'flowdeck.db'} (SQLite, WAL)")
    print(machine_line())


if __name__ == "__main__":
    asyncio.run(main())
