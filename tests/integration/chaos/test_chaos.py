"""Chaos: the real app is killed with SIGKILL in the middle of work, five times, and restarted.

One data dir and one SQLite file serve all five rounds. Each round fires a mix at the running
app — 50 runs of a workflow with delays and api_calls (one in five fails on purpose), 100
Flowdeck-signed webhook deliveries with unique delivery ids — while an every-second schedule
keeps firing; at a random moment of that burst the whole process group gets `kill -9`. After
the restart the test re-sends every delivery that got no answer (as a webhook sender retries)
and a sample of the accepted ones (they must come back as duplicates of the same execution),
waits a bounded time, and holds the database to the invariants in `chaos_invariants`:
nothing left `queued` or `running`, each delivery exactly one execution, no schedule slot
twice, counters equal to the rows, `PRAGMA integrity_check` ok.

The seed is printed; `FLOWDECK_CHAOS_SEED=<seed>` replays a run's choices.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench import appserver
from tests.integration.chaos import chaos_invariants as inv
from tests.integration.chaos.chaos_support import (
    AppProcess,
    Remote,
    flowdeck_cli,
    integrity,
    max_execution_id,
    signed_delivery,
    wait_settled,
)

ROUNDS = 5
RUNS_PER_ROUND = 50
HOOKS_PER_ROUND = 100
SENDERS = 12  # requests in flight at once
KILL_WINDOW_S = (0.05, 3.0)  # the burst's requests take ~1 s, its runs ~10 s more
SETTLE_S = 60.0
RESEND_SAMPLE = 20
API = "/api/workflow-orchestration"


def _workflows(remote: str) -> dict[str, dict]:
    call = {"type": "api_call", "config": {"method": "POST", "url": f"{remote}/echo"}}
    return {
        "runs": {
            "name": "chaos runs",
            "trigger": {"type": "manual"},
            "concurrency_limit": 4,
            "actions": [
                {"id": "wait", "type": "delay", "config": {"seconds": 0.2}},
                {
                    **call,
                    "id": "post",
                    "config": {**call["config"], "json": {"i": "{{ trigger.i }}"}},
                },
                {"id": "pause", "type": "delay", "config": {"seconds": 0.1}},
                {
                    "id": "check",
                    "type": "api_call",
                    "config": {"url": f"{remote}/status/{{{{ trigger.code }}}}"},
                },
            ],
        },
        "hooks": {
            "name": "chaos hooks",
            "trigger": {"type": "webhook", "config": {"signature": "flowdeck"}},
            "concurrency_limit": 4,
            "actions": [
                {
                    "id": "read",
                    "type": "transform",
                    "config": {"values": {"d": "{{ trigger.body.d }}"}},
                },
                {"id": "wait", "type": "delay", "config": {"seconds": 0.2}},
                {
                    **call,
                    "id": "post",
                    "config": {**call["config"], "json": {"d": "{{ steps.read.output.d }}"}},
                },
            ],
        },
        "clock": {
            "name": "chaos clock",
            "priority": "high",
            "trigger": {
                "type": "schedule",
                "config": {"interval_seconds": 1, "misfire": "run_once"},
            },
            "actions": [
                {"id": "wait", "type": "delay", "config": {"seconds": 0.1}},
                {**call, "id": "tick"},
            ],
        },
    }


@dataclass
class Setup:
    key: str
    ids: dict[str, int]
    hook_path: str
    secret: str


@dataclass
class Burst:
    """What the app answered during one round's burst."""

    runs_accepted: set[int] = field(default_factory=set)
    deliveries: dict[str, int | None] = field(default_factory=dict)  # id → answered exec id
    lost: int = 0  # requests that got no answer (the kill)
    refused: list[str] = field(default_factory=list)  # answers that were not 2xx


def _create_workflows(base: str, key: str, remote: str) -> Setup:
    headers = {"Authorization": f"Bearer {key}"}
    made = {}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        for name, body in _workflows(remote).items():
            answer = client.post(f"{API}/workflows", json=body)
            assert answer.status_code == 201, answer.text
            made[name] = answer.json()
    hook_url = made["hooks"]["webhook_url"]
    return Setup(
        key=key,
        ids={name: wf["id"] for name, wf in made.items()},
        hook_path="/api/" + hook_url.split("/api/", 1)[1],
        secret=made["hooks"]["webhook_secret"],
    )


def _hook_body(delivery: str) -> bytes:
    return json.dumps({"d": delivery}).encode()


async def _deliver(client: httpx.AsyncClient, setup: Setup, delivery: str) -> httpx.Response:
    body = _hook_body(delivery)
    headers = signed_delivery(setup.secret, delivery, body)
    return await client.post(setup.hook_path, content=body, headers=headers)


async def _burst(base: str, setup: Setup, round_no: int, rng: random.Random, out: Burst) -> None:
    jobs = [("run", i) for i in range(RUNS_PER_ROUND)] + [
        ("hook", j) for j in range(HOOKS_PER_ROUND)
    ]
    rng.shuffle(jobs)
    gate = asyncio.Semaphore(SENDERS)
    run_url = f"{API}/workflows/{setup.ids['runs']}/execute"
    auth = {"Authorization": f"Bearer {setup.key}"}

    async def one(client: httpx.AsyncClient, kind: str, n: int) -> None:
        async with gate:
            try:
                if kind == "run":
                    payload = {"round": round_no, "i": n, "code": 500 if n % 5 == 0 else 200}
                    answer = await client.post(run_url, json={"payload": payload}, headers=auth)
                else:
                    delivery = f"r{round_no}-{n}"
                    out.deliveries[delivery] = None
                    answer = await _deliver(client, setup, delivery)
            except httpx.TransportError:
                out.lost += 1
                return
        if answer.status_code != 202:
            out.refused.append(f"{kind} {n}: {answer.status_code} {answer.text[:200]}")
        elif kind == "run":
            out.runs_accepted.add(answer.json()["id"])
        else:
            out.deliveries[f"r{round_no}-{n}"] = answer.json()["execution_id"]

    async with httpx.AsyncClient(base_url=base, timeout=15) as client:
        await asyncio.gather(*(one(client, kind, n) for kind, n in jobs))


async def _after_restart(base: str, setup: Setup, burst: Burst, rng: random.Random) -> list[str]:
    """Retry the unanswered deliveries, replay a sample of the answered ones."""
    problems: list[str] = []
    unanswered = [d for d, ex in burst.deliveries.items() if ex is None]
    answered = [d for d, ex in burst.deliveries.items() if ex is not None]
    replays = rng.sample(answered, min(RESEND_SAMPLE, len(answered)))
    async with httpx.AsyncClient(base_url=base, timeout=15) as client:
        for delivery in unanswered:
            answer = await _deliver(client, setup, delivery)
            if answer.status_code not in (200, 202):
                problems.append(f"retry of {delivery}: {answer.status_code} {answer.text[:200]}")
            else:
                burst.deliveries[delivery] = answer.json()["execution_id"]
        for delivery in replays:
            answer = await _deliver(client, setup, delivery)
            got = answer.json() if answer.status_code < 500 else {}
            if answer.status_code != 200 or not got.get("duplicate"):
                problems.append(f"replay of {delivery}: {answer.status_code} {answer.text[:200]}")
            elif got["execution_id"] != burst.deliveries[delivery]:
                problems.append(
                    f"replay of {delivery} answered execution {got['execution_id']},"
                    f" first answer was {burst.deliveries[delivery]}"
                )
    return problems


async def _round(
    app: AppProcess, db_file: Path, setup: Setup, round_no: int, rng: random.Random
) -> tuple[list[str], str]:
    """One burst, one kill -9, one restart; returns the problems found and a summary line."""
    burst = Burst()
    kill_after = rng.uniform(*KILL_WINDOW_S)
    sending = asyncio.create_task(_burst(app.base, setup, round_no, rng, burst))
    await asyncio.sleep(kill_after)
    killed = await asyncio.to_thread(app.kill9)
    await sending
    problems = [f"refused during the burst: {r}" for r in burst.refused]
    verdict = integrity(db_file)
    if verdict != "ok":
        problems.append(f"right after the kill, PRAGMA integrity_check: {verdict}")
    await asyncio.to_thread(app.start)
    problems += await _after_restart(app.base, setup, burst, rng)
    last_id = max_execution_id(db_file)
    await asyncio.to_thread(wait_settled, db_file, last_id, SETTLE_S)
    expected = inv.Expected(
        runs_workflow=setup.ids["runs"],
        hooks_workflow=setup.ids["hooks"],
        schedule_workflow=setup.ids["clock"],
        last_id=last_id,
        runs_accepted=burst.runs_accepted,
        deliveries=burst.deliveries,
    )
    problems += inv.check(db_file, expected)
    summary = (
        f"round {round_no}: kill -9 of {len(killed)} process(es) after {kill_after:.2f} s;"
        f" {len(burst.runs_accepted)} runs accepted, {burst.lost} requests unanswered,"
        f" restart {app.starts[-1]:.1f} s, executions so far {last_id}"
    )
    return problems, summary


async def test_kill_9_mid_burst_five_times_keeps_every_invariant(tmp_path: Path) -> None:
    seed = int(os.environ.get("FLOWDECK_CHAOS_SEED") or time.time_ns() % 1_000_000_007)
    print(f"chaos seed {seed}")
    rng = random.Random(seed)
    began = time.monotonic()
    data_dir = tmp_path / "data"
    env = {
        **appserver.app_env(data_dir, appserver.free_port()),
        "FLOWDECK_OUTBOUND_ALLOW": "127.0.0.1/32",
        "REFLEX_WEB_WORKDIR": str(tmp_path / "web"),
        "REFLEX_STATES_WORKDIR": str(tmp_path / "states"),
    }
    db_file = data_dir / "flowdeck.db"
    flowdeck_cli(env, "db-upgrade")
    flowdeck_cli(
        env,
        "create-user",
        "--email",
        "chaos@example.com",
        "--role",
        "admin",
        "--password-stdin",
        stdin="chaos-password-1\n",
    )
    key = flowdeck_cli(env, "create-api-key", "--email", "chaos@example.com", "--name", "chaos")
    app = AppProcess(env=env, log_dir=tmp_path)
    problems: list[str] = []
    with Remote() as remote:
        try:
            await asyncio.to_thread(app.start)
            setup = _create_workflows(app.base, key.strip(), remote.url)
            for round_no in range(1, ROUNDS + 1):
                found, summary = await _round(app, db_file, setup, round_no, rng)
                print(summary)
                problems += [f"round {round_no}: {p}" for p in found]
            problems += _finish(app, db_file, setup)
        finally:
            app.kill_if_running()
    took = time.monotonic() - began
    print(
        f"chaos: {took:.1f} s in all, starts {', '.join(f'{s:.1f}' for s in app.starts)} s,"
        f" remote served {remote.requests} calls"
    )
    assert not problems, f"seed {seed}:\n" + "\n".join(problems)


def _finish(app: AppProcess, db_file: Path, setup: Setup) -> list[str]:
    """Pause the schedule, let everything finish, stop cleanly, check once more."""
    headers = {"Authorization": f"Bearer {setup.key}"}
    paused = httpx.post(
        f"{app.base}{API}/workflows/{setup.ids['clock']}/pause", headers=headers, timeout=30
    )
    problems = [] if paused.status_code == 200 else [f"pause: {paused.status_code} {paused.text}"]
    last_id = max_execution_id(db_file)
    wait_settled(db_file, last_id, SETTLE_S)
    code = app.stop()
    if code != 0:
        problems.append(f"the app exited with {code} on SIGTERM")
    expected = inv.Expected(
        runs_workflow=setup.ids["runs"],
        hooks_workflow=setup.ids["hooks"],
        schedule_workflow=setup.ids["clock"],
        last_id=max_execution_id(db_file),
    )
    return [f"after the clean stop: {p}" for p in inv.check(db_file, expected)]
