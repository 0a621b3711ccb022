"""The real app, started once per test session, and headless Chromium driving it."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import Browser, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(base: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited early:\n{log.read_text()[-4000:]}")
        try:
            if (
                httpx.get(f"{base}/api/health", timeout=2).status_code == 200
                and httpx.get(f"{base}/login/", timeout=2).status_code == 200
            ):
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"the app did not start in {timeout} s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def app_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    data_dir = tmp_path_factory.mktemp("e2e-data")
    port = _free_port()
    env = {
        **os.environ,
        "FLOWDECK_DATA_DIR": str(data_dir),
        "FLOWDECK_SECRET_KEYS": Fernet.generate_key().decode(),
        "PORT": str(port),
        "FLOWDECK_BASE_URL": f"http://127.0.0.1:{port}",
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        "REFLEX_USE_NPM": "1",
        "REFLEX_CHECK_LATEST_VERSION": "0",
        "REFLEX_TELEMETRY_ENABLED": "false",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


@pytest.fixture(scope="session")
def base_url(app_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get("FLOWDECK_E2E_URL"):  # reuse an app a developer already runs
        yield os.environ["FLOWDECK_E2E_URL"].rstrip("/")
        return
    port = app_env["PORT"]
    bin_dir = Path(sys.executable).parent
    subprocess.run([str(bin_dir / "flowdeck"), "db-upgrade"], env=app_env, check=True, cwd=ROOT)
    log = tmp_path_factory.mktemp("e2e-log") / "app.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                str(bin_dir / "reflex"),
                "run",
                "--env",
                "prod",
                "--single-port",
                "--frontend-port",
                port,
                "--backend-port",
                port,
            ],
            cwd=ROOT,
            env=app_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, proc, log, timeout=600)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run 'make test' (it installs Debian's chromium)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()


ADMIN = ("admin@example.com", "admin-password-1")


def _sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_test_id("login-submit").click()


@pytest.fixture(scope="session")
def admin_ready(browser: Browser, base_url: str) -> tuple[str, str]:
    """The first run: `/` sends a newcomer to /setup, which creates the admin."""
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/setup/?$"), timeout=30_000)
    page.get_by_label("Email").fill(ADMIN[0])
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat password").fill("short")
    page.get_by_test_id("setup-submit").click()
    expect(page.get_by_test_id("error-password")).to_contain_text("at least 10")
    page.get_by_label("Name").fill("Ada Admin")
    page.get_by_label("Password", exact=True).fill(ADMIN[1])
    page.get_by_label("Repeat password").fill(ADMIN[1])
    page.get_by_test_id("setup-submit").click()
    expect(page).to_have_url(re.compile(r"/admin/workflows/?$"))
    page.goto("/setup")
    expect(page).to_have_url(re.compile(r"/login/?$"))  # setup is gone once an admin exists
    context.close()
    return ADMIN


@pytest.fixture
def sign_in():
    """A helper that signs a page in through the login form."""
    return _sign_in


@pytest.fixture
def admin_page(page: Page, admin_ready: tuple[str, str]) -> Page:
    """A page signed in as the admin, on the Workflows tab."""
    _sign_in(page, *admin_ready)
    expect(page).to_have_url(re.compile(r"/admin/workflows/?$"))
    return page
