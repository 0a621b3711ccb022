"""Live push benchmark: step finished in the engine → change visible in a browser's DOM.

    python -m bench.live

Starts the real app, signs a headless Chromium in on the Executions page, and runs a
workflow of 200 short `delay` steps through the REST API. A MutationObserver in the page
timestamps every change of the run's "steps done" cell; each change is matched with the
`finished_at` the engine stored for that step. Same machine, same clock.
Targets: p50 < 50 ms, p95 < 150 ms over 200 events.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

from app.core.stats import percentile
from bench import appserver

STEPS = 200
STEP_DELAY_S = 0.06  # longer than the push window, so each step is its own push
EMAIL, PASSWORD = "bench@example.com", "bench-password-1"
OBSERVER = """
() => {
  window.__changes = [];
  const seen = new Set();
  const record = () => {
    for (const cell of document.querySelectorAll('[data-testid="execution-steps"]')) {
      const text = cell.textContent.trim();
      const key = cell.closest('[data-testid="execution-row"]')?.dataset.executionId + ':' + text;
      if (!seen.has(key)) {
        seen.add(key);
        window.__changes.push({key, text, at: performance.timeOrigin + performance.now()});
      }
    }
  };
  new MutationObserver(record).observe(document.body,
    {subtree: true, childList: true, characterData: true});
  record();
}
"""


def _cli(env: dict[str, str], *args: str, stdin: str = "") -> str:
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


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="flowdeck-live-"))
    env = appserver.app_env(data_dir, appserver.free_port())
    with appserver.running_app(env, data_dir / "app.log") as base:
        _cli(
            env,
            "create-user",
            "--email",
            EMAIL,
            "--role",
            "admin",
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
        key = _cli(env, "create-api-key", "--email", EMAIL, "--name", "bench").splitlines()[-1]
        api = httpx.Client(
            base_url=f"{base}/api/workflow-orchestration",
            timeout=60,
            headers={"Authorization": f"Bearer {key}"},
        )
        workflow = api.post(
            "/workflows",
            json={
                "name": "live bench",
                "trigger": {"type": "manual"},
                "actions": [
                    {"id": f"s{i}", "type": "delay", "config": {"seconds": STEP_DELAY_S}}
                    for i in range(STEPS)
                ],
            },
        ).json()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page()
            page.goto(f"{base}/login")
            page.get_by_label("Email").fill(EMAIL)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_test_id("login-submit").click()
            page.wait_for_url("**/admin/workflows**")  # the app lands on /admin/workflows/
            page.goto(f"{base}/admin/executions")
            page.get_by_test_id("live-badge").wait_for()
            page.evaluate(OBSERVER)
            run = api.post(f"/workflows/{workflow['id']}/execute", json={}).json()
            detail: dict = {}
            deadline = time.monotonic() + STEPS * STEP_DELAY_S * 4 + 30
            while time.monotonic() < deadline:
                detail = api.get(f"/executions/{run['id']}").json()
                if detail["status"] not in ("queued", "running"):
                    break
                time.sleep(0.5)
            page.wait_for_timeout(500)
            changes = page.evaluate("window.__changes")
            browser.close()
    finished = sorted(
        datetime.fromisoformat(s["finished_at"]).timestamp() * 1000
        for s in detail["steps"]
        if s["finished_at"]
    )
    prefix = f"{run['id']}:"
    latencies = []
    for change in changes:
        if not change["key"].startswith(prefix):
            continue
        done = int(change["text"].split("/")[0])
        if 1 <= done <= len(finished):
            latencies.append(change["at"] - finished[done - 1])
    print(
        f"live push: {len(latencies)} step changes seen in the DOM out of {STEPS} steps "
        f"(run {detail['status']})"
    )
    print(
        f"  step finished → DOM: p50 {percentile(latencies, 50):.1f} ms, "
        f"p95 {percentile(latencies, 95):.1f} ms, max {max(latencies):.1f} ms "
        "(targets p50 < 50 ms, p95 < 150 ms)"
    )


if __name__ == "__main__":
    main()
