"""Live statuses on the execution page's canvas: step finished in the engine → node recoloured.

Part of `python -m bench.canvas` (run there after the designer's numbers). The 200-step
branching workflow (`bench.canvas_flow`) runs with `delay` steps of 60 ms (longer than the
page's 100 ms reload window is not needed: several steps may share a push, as they would).
Its first step waits a few seconds, so the page is open and watching before anything
finishes. A MutationObserver stamps every change of a node's `data-status` with the wall
clock; each step's first change to its final status is matched with the `finished_at` the
engine stored. Same machine, same clock (as `bench.live`). Target: p95 < 150 ms.
Every WebSocket message the page gets is stamped too, to split each latency into "until the
push was handled" and "push → DOM", with the pushes' median size.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import httpx
from playwright.sync_api import BrowserContext
from playwright.sync_api import Error as PlaywrightError

from app.core.stats import percentile
from bench import canvas_page
from bench.canvas_flow import branching_steps

STEP_S = 0.06
FIRST_S = 6.0  # the page loads and starts watching meanwhile
FINAL = ("succeeded", "failed", "skipped", "cancelled")
ALL_FINAL = """
(final) => [...document.querySelectorAll('[data-testid="canvas-node"]')]
  .every((n) => final.includes(n.dataset.status))
"""


WS_STAMP = """
(() => {
  const Orig = window.WebSocket;
  window.__fdMsgs = [];
  class Stamped extends Orig {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (e) => window.__fdMsgs.push([
        performance.timeOrigin + performance.now(),
        (e.data && (e.data.length || e.data.size)) || 0,
      ]));
    }
  }
  window.WebSocket = Stamped;
})();
"""


def split(
    found_at: list[tuple[float, float]], messages: list[list[float]]
) -> tuple[list[float], list[float]]:
    """For each (finished, shown): finished → the last push the page received before it was
    shown, and that push → shown (the browser's work on it). "Received" is when the page's
    main thread handled the WebSocket message: a page still busy with earlier pushes counts
    its backlog on the first side, not the second."""
    server, browser = [], []
    times = sorted(m[0] for m in messages)
    for finished, shown in found_at:
        before = [t for t in times if finished <= t <= shown]
        if before:
            server.append(before[-1] - finished)
            browser.append(shown - before[-1])
    return server, browser


def _ms(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp() * 1000


def _run(api: httpx.Client) -> tuple[int, int]:
    steps = branching_steps(seconds=STEP_S)
    steps[0]["config"]["seconds"] = FIRST_S
    made = api.post(
        "/workflows", json={"name": "canvas live", "trigger": {"type": "manual"}, "actions": steps}
    )
    made.raise_for_status()
    run = api.post(f"/workflows/{made.json()['id']}/execute", json={})
    run.raise_for_status()
    return run.json()["id"], len(steps)


def _wait_finished(api: httpx.Client, execution_id: int, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    detail: dict[str, Any] = {}
    while time.monotonic() < deadline:
        detail = api.get(f"/executions/{execution_id}").json()
        if detail["status"] not in ("queued", "running", "waiting"):
            break
        time.sleep(0.5)
    return detail


def latency_pairs(
    detail: dict[str, Any], changes: list[dict[str, Any]], after: float
) -> list[tuple[float, float]]:
    """Per step that finished after `after` (ms, wall clock): (its `finished_at`, its node's
    first change to its final status)."""
    seen: dict[str, float] = {}
    for change in changes:
        seen.setdefault(f"{change['step']}:{change['status']}", change["at"])
    out = []
    for step in detail["steps"]:
        if step["status"] not in FINAL or not step.get("finished_at"):
            continue
        finished = _ms(step["finished_at"])
        at = seen.get(f"{step['action_id']}:{step['status']}")
        if at is not None and finished > after:
            out.append((finished, at))
    return out


def latencies(detail: dict[str, Any], changes: list[dict[str, Any]], after: float) -> list[float]:
    """Per step: its node's first change to its final status minus its `finished_at`."""
    return [shown - finished for finished, shown in latency_pairs(detail, changes, after)]


def live_statuses(context: BrowserContext, api: httpx.Client) -> None:
    execution_id, count = _run(api)
    page = context.new_page()
    page.add_init_script(WS_STAMP)
    opened = time.time() * 1000
    page.goto(f"/admin/executions/{execution_id}")
    page.wait_for_function(
        "(n) => document.querySelectorAll('[data-testid=\"canvas-node\"]').length >= n",
        arg=count,
        timeout=60_000,
    )
    page.evaluate(canvas_page.STATUS_WATCH)
    watching = page.evaluate("() => performance.timeOrigin + performance.now()")
    detail = _wait_finished(api, execution_id, FIRST_S + count * STEP_S * 4 + 60)
    finished_at = time.monotonic()
    try:  # a page that fell behind catches up: every step's last change is counted
        page.wait_for_function(ALL_FINAL, arg=list(FINAL), timeout=120_000)
    except PlaywrightError:
        print("  (the page had not shown every final status 120 s after the run ended)")
    behind = time.monotonic() - finished_at
    changes = page.evaluate("() => window.__fd.statuses")
    messages = page.evaluate("() => window.__fdMsgs")
    page.close()
    pairs = latency_pairs(detail, changes, watching)
    found = [shown - finished for finished, shown in pairs]
    server, browser = split(pairs, messages)
    sizes = [m[1] for m in messages if m[0] > watching]
    if server:
        print(
            f"  split: finished → push arrived p50 {percentile(server, 50):.0f} ms p95 "
            f"{percentile(server, 95):.0f}; push → DOM p50 {percentile(browser, 50):.0f} ms "
            f"p95 {percentile(browser, 95):.0f}; {len(sizes)} messages, median "
            f"{percentile(sizes, 50) / 1000:.1f} KB"
        )
    finished = sum(1 for s in detail["steps"] if s.get("finished_at"))
    print(
        f"live statuses on the execution canvas: run {detail['status']}, {finished} steps "
        f"finished, {len(found)} seen recoloured after the page watched "
        f"({(watching - opened) / 1000:.1f} s after opening it); the page showed the last "
        f"status {behind:.1f} s after the API reported the run ended"
    )
    if found:
        print(
            f"  step finished → node's data-status: p50 {percentile(found, 50):.0f} ms, "
            f"p95 {percentile(found, 95):.0f} ms, max {max(found):.0f} ms "
            "(target p95 < 150 ms)"
        )
