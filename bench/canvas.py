"""Designer canvas benchmark: opening a 200-step workflow, pan and zoom, typing in the panel.

    python -m bench.canvas [open] [pan] [typing] [live]    (all four when none is named)

Starts the real app (`reflex run --env prod`), makes a 200-step branching workflow over REST
(`bench.canvas_flow`: ifs, switches, merges, no positions, so the layout runs) and drives a
headless Chromium. Every time is taken in the page (`bench.canvas_page`), on its own clock:

- open: a new tab goes to `/admin/workflows/{id}/designer`; from the navigation's start to
  the websocket frame that brings the 200 nodes (the server's answer), to 200 nodes in the
  DOM, to all of them measured and shown (React Flow hides a node until measured), and to
  the frame painted after that. Also opened from the workflow's page by its Designer link
  (the app already loaded: from the click). Target: < 1 s.
- pan and zoom: ~2 s of wheel zoom and ~2 s of drag-pan on the empty pane, every animation
  frame recorded: frame intervals p50 / p95 / max and frames over 50 ms ("smooth").
- typing in the side panel: a node selected, characters typed one at a time into its Name;
  per keystroke the time from keydown to the websocket frame holding the new name, to the
  node's label on the canvas showing it, and the bytes received per keystroke.
- live statuses (`bench.canvas_live`): a 200-step run watched on the execution page's canvas,
  step finished → its node's `data-status` changed. Target: p95 < 150 ms.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from app.core.stats import percentile
from bench import appserver, canvas_page
from bench.canvas_flow import branching_steps
from bench.canvas_live import live_statuses
from bench.reference import machine_line

OPEN_RUNS = 7
TYPED = "abcdefghijklmnop"
EMAIL, PASSWORD = "bench@example.com", "bench-password-1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def cli(env: dict[str, str], *args: str, stdin: str = "") -> str:
    result = subprocess.run(
        [str(appserver.BIN / "flowdeck"), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        cwd=appserver.ROOT,
    )
    return result.stdout.strip()


def api_client(env: dict[str, str], base: str) -> httpx.Client:
    """An admin made by the CLI, and the REST API with an API key of theirs."""
    cli(env, "create-user", "--email", EMAIL, "--role", "admin", "--password-stdin",
        stdin=PASSWORD + "\n")  # fmt: skip
    key = cli(env, "create-api-key", "--email", EMAIL, "--name", "bench").splitlines()[-1]
    return httpx.Client(
        base_url=f"{base}/api/workflow-orchestration",
        timeout=60,
        headers={"Authorization": f"Bearer {key}"},
    )


def signed_in(browser: Browser, base: str) -> BrowserContext:
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(60_000)
    context.add_init_script(canvas_page.INSTRUMENT)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(re.compile(r"/admin/workflows/?$"))
    page.close()
    return context


def stats(values: list[float]) -> str:
    if not values:
        return "none"
    p50, p95 = percentile(values, 50), percentile(values, 95)
    return f"median {p50:.0f} ms, p95 {p95:.0f} ms, max {max(values):.0f} ms (n={len(values)})"


# -- opening ----------------------------------------------------------------------------------


def _arm(page: Page, nodes: int, edges: int, watch: list[str]) -> None:
    page.evaluate(
        "([n, e, w]) => { Object.assign(window.__fd, {expect: n, edges: e, watch: w}); }",
        [nodes, edges, watch],
    )


def _wait_painted(page: Page) -> dict[str, Any]:
    page.wait_for_function("() => window.__fd.painted !== null", timeout=60_000)
    return page.evaluate(
        "() => { const fd = window.__fd; return {inDom: fd.inDom, visible: fd.visible, "
        "edgesIn: fd.edgesIn, painted: fd.painted, answer: (fd.recv.find((f) => "
        "f.hits.length) || {}).at ?? null, answerBytes: (fd.recv.find((f) => "
        "f.hits.length) || {}).size ?? null, longtasks: fd.longtasks.map((t) => t.ms), "
        "firstEvent: (fd.sent.find((f) => f.head.startsWith('42')) || {}).at ?? null}; }"
    )


def open_designer(context: BrowserContext, url: str, nodes: int, edges: int, marker: str) -> dict:
    """A new tab (a new Reflex session) navigated straight to the designer."""
    page = context.new_page()
    # The init script ran before navigation; expectations are set as early as possible.
    page.goto(url, wait_until="commit")
    _arm(page, nodes, edges, [marker])
    times = _wait_painted(page)
    times["firstEvent"] = None  # a new tab's state comes with its connection, not an event
    page.close()
    return times


def open_by_link(context: BrowserContext, workflow_url: str, nodes: int, edges: int,
                 marker: str) -> dict:  # fmt: skip
    """The workflow's page loaded first; then its Designer link (client-side navigation)."""
    page = context.new_page()
    page.goto(workflow_url)
    page.get_by_test_id("detail-designer").wait_for()
    page.wait_for_timeout(300)
    _arm(page, nodes, edges, [marker])
    page.evaluate(
        "() => { const fd = window.__fd; fd.recv = []; fd.sent = []; fd.longtasks = []; }"
    )
    start = page.evaluate(
        "() => new Promise((ok) => { const link = document.querySelector("
        "'[data-testid=\"detail-designer\"]'); link.addEventListener('click', () => "
        "ok(performance.now()), {once: true}); link.click(); })"
    )
    times = _wait_painted(page)
    page.close()
    timed = ("inDom", "visible", "edgesIn", "painted", "answer", "firstEvent")
    return {k: (v - start if k in timed and v is not None else v) for k, v in times.items()}


def report_open(label: str, runs: list[dict]) -> None:
    print(f"{label} ({len(runs)} runs; the first one {runs[0]['painted']:.0f} ms to painted):")
    served = [r["answer"] - r["firstEvent"] for r in runs if r["firstEvent"] and r["answer"]]
    for key, name in [
        ("firstEvent", "page's first event sent"),
        ("answer", "server's answer (nodes frame)"),
        ("inDom", "200 nodes in the DOM"),
        ("visible", "200 nodes measured and shown"),
        ("edgesIn", "all edges in the DOM"),
        ("painted", "frame painted after that"),
    ]:
        values = [r[key] for r in runs if r.get(key) is not None]
        if values:
            target = "  (target: under 1000 ms)" if key == "painted" else ""
            print(f"  {name:32} {stats(values)}{target}")
    if served:
        print(f"  {'of which first event → answer':32} {stats(served)}")
    sizes = [r["answerBytes"] for r in runs if r.get("answerBytes")]
    if sizes:
        print(f"  nodes frame size {statistics.median(sizes) / 1024:.0f} KiB")
    tasks = [sum(r["longtasks"]) for r in runs]
    print(f"  long tasks on the main thread: median {statistics.median(tasks):.0f} ms in total")


# -- pan and zoom -----------------------------------------------------------------------------


def _frames(page: Page, drive: Any) -> dict[str, Any]:
    page.evaluate(canvas_page.FRAMES_START)
    before = page.evaluate(canvas_page.VIEWPORT)
    drive()
    result = page.evaluate(canvas_page.FRAMES_STOP)
    result["moved"] = before != page.evaluate(canvas_page.VIEWPORT)
    return result


def pan_and_zoom(page: Page, seconds: float = 2.0) -> dict[str, dict]:
    page.wait_for_timeout(800)  # the fit-view animation settles
    spot = page.evaluate(canvas_page.EMPTY_POINT)
    assert spot, "no empty spot on the pane"
    x, y = spot["x"], spot["y"]
    page.mouse.move(x, y)

    def zoom() -> None:
        end, n = time.monotonic() + seconds, 0
        while time.monotonic() < end:
            page.mouse.wheel(0, -60 if (n // 12) % 2 == 0 else 60)
            page.wait_for_timeout(8)
            n += 1

    def pan() -> None:
        page.mouse.move(x, y)
        page.mouse.down()
        end, n = time.monotonic() + seconds, 0
        while time.monotonic() < end:
            dx = 150 * (1 if (n // 40) % 2 == 0 else -1)
            page.mouse.move(x + dx * ((n % 40) / 40), y + 40 * ((n % 20) / 20))
            n += 1
        page.mouse.up()

    return {"wheel zoom": _frames(page, zoom), "drag pan": _frames(page, pan)}


def report_frames(results: dict[str, dict]) -> None:
    for name, r in results.items():
        gaps = r["gaps"]
        slow = sum(1 for g in gaps if g > 50)
        print(
            f"  {name:10}: {len(gaps) + 1} frames, interval p50 {percentile(gaps, 50):.1f} ms, "
            f"p95 {percentile(gaps, 95):.1f} ms, max {max(gaps):.1f} ms, {slow} over 50 ms "
            "(smooth: p95 under 50 ms); "
            f"long tasks {len(r['longtasks'])} ({sum(r['longtasks']):.0f} ms)"
            + ("" if r["moved"] else "  [the view did NOT move]")
        )


# -- typing in the side panel -----------------------------------------------------------------


def typing(page: Page, text: str) -> list[dict[str, float]]:
    """One character at a time into the selected node's Name; each waits for its answer."""
    page.get_by_role("button", name="Fit View").click()
    page.wait_for_timeout(800)
    step_id = page.evaluate(canvas_page.NODE_IN_VIEW)
    page.locator(f'[data-testid="canvas-node"][data-step="{step_id}"]').click()
    field = page.locator('[data-testid="designer-panel"] [data-testid="action-name"]')
    field.wait_for()
    field.click()
    page.keyboard.press("End")
    start = field.input_value()
    page.evaluate(canvas_page.KEYS)
    page.evaluate(canvas_page.LABEL_WATCH, step_id)
    results = []
    for n in range(1, len(text) + 1):
        value = start + text[:n]
        page.evaluate(
            "([w, label]) => { const fd = window.__fd; fd.watch = [w]; fd.label = label; "
            "fd.recv = []; fd.sent = []; }",
            [json.dumps(value)[1:-1], value],
        )
        page.keyboard.type(text[n - 1])
        page.wait_for_function(
            "(n) => window.__fd.labelSeen.length >= n && window.__fd.recv.some((f) => "
            "f.hits.length)",
            arg=n,
            timeout=30_000,
        )
        page.wait_for_timeout(250)  # anything else the keystroke brings
        results.append(
            page.evaluate(
                "(n) => { const fd = window.__fd; const key = fd.keys[n - 1]; "
                "const answer = fd.recv.find((f) => f.hits.length); "
                "const sent = fd.sent.find((f) => f.hits.length); return {"
                "sent: sent ? sent.at - key : null, answer: answer.at - key, "
                "label: fd.labelSeen[n - 1] - key, "
                "recvBytes: fd.recv.reduce((s, f) => s + f.size, 0), frames: fd.recv.length, "
                "sentBytes: fd.sent.reduce((s, f) => s + f.size, 0)}; }",
                n,
            )
        )
    return results


def report_typing(results: list[dict[str, float]]) -> None:
    def col(key: str) -> list[float]:
        return [r[key] for r in results if r[key] is not None]

    print(f"typing into a step's Name at 200 steps ({len(results)} keystrokes):")
    print(f"  keydown → event sent             {stats(col('sent'))}")
    print(f"  keydown → answer frame           {stats(col('answer'))}")
    print(f"  keydown → label on the canvas    {stats(col('label'))}")
    received = col("recvBytes")
    print(
        f"  websocket bytes per keystroke: received median {statistics.median(received):,.0f} "
        f"(max {max(received):,.0f}) in {statistics.median(col('frames')):.0f} frame(s), "
        f"sent median {statistics.median(col('sentBytes')):,.0f}"
    )


# -- main -------------------------------------------------------------------------------------


PARTS = ("open", "pan", "typing", "live")


def main() -> None:
    parts = [a for a in sys.argv[1:] if a in PARTS] or list(PARTS)
    print(machine_line())
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (2 cores)")
    data_dir = Path(tempfile.mkdtemp(prefix="flowdeck-canvas-"))
    env = appserver.app_env(data_dir, appserver.free_port())
    env["PYTHONPATH"] = str(appserver.ROOT)  # this tree's app, not an editable install's
    with appserver.running_app(env, data_dir / "app.log") as base:
        api = api_client(env, base)
        steps = branching_steps()
        made = api.post(
            "/workflows",
            json={"name": "canvas bench", "trigger": {"type": "manual"}, "actions": steps},
        )
        made.raise_for_status()
        workflow_id = made.json()["id"]
        edges = sum(len(s["depends_on"]) for s in steps)
        marker = f'"step_id":"{steps[-1]["id"]}"'
        url = f"/admin/workflows/{workflow_id}/designer"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            context = signed_in(browser, base)
            if "open" in parts:
                direct = [open_designer(context, url, len(steps), edges, marker)
                          for _ in range(OPEN_RUNS)]  # fmt: skip
                report_open("open the designer in a new tab (navigation start →)", direct)
                linked = [
                    open_by_link(
                        context, f"/admin/workflows/{workflow_id}", len(steps), edges, marker
                    )  # fmt: skip
                    for _ in range(OPEN_RUNS)
                ]
                report_open("open it from the workflow's Designer link (click →)", linked)
            if "pan" in parts or "typing" in parts:
                page = context.new_page()
                page.goto(url, wait_until="commit")
                _arm(page, len(steps), edges, [marker])
                _wait_painted(page)
                if "pan" in parts:
                    print("pan and zoom, 200 nodes (animation frames while driven ~2 s each):")
                    report_frames(pan_and_zoom(page))
                if "typing" in parts:
                    report_typing(typing(page, TYPED))
                page.close()
            if "live" in parts:
                live_statuses(context, api)
            browser.close()
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print(machine_line())


if __name__ == "__main__":
    main()
