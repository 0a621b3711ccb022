"""The real app, started once per test session, and headless Chromium driving it."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from bench import appserver

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


@pytest.fixture(scope="session")
def app_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return appserver.app_env(tmp_path_factory.mktemp("e2e-data"), appserver.free_port())


@pytest.fixture(scope="session")
def app_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the app started for the browser tests writes its console."""
    return tmp_path_factory.mktemp("e2e-log") / "app.log"


@pytest.fixture(scope="session")
def base_url(app_env: dict[str, str], app_log: Path) -> Iterator[str]:
    if os.environ.get("FLOWDECK_E2E_URL"):  # reuse an app a developer already runs
        yield os.environ["FLOWDECK_E2E_URL"].rstrip("/")
        return
    with appserver.running_app(app_env, app_log) as base:
        yield base


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
    """Sign in through the form and wait for its answer: an error in the form, or the page
    load that took the session cookie (`/api/auth/session`) and landed on a signed-in page."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_test_id("login-submit").click()
    answered = (
        page.get_by_test_id("form-error")
        .or_(page.get_by_test_id("user-email"))
        .or_(page.get_by_test_id("system-status"))
    )
    expect(answered.first).to_be_visible(timeout=20_000)  # argon2 + a page load, under load


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
    expect(page).to_have_url(re.compile(r"/admin/workflows/?$"), timeout=20_000)
    return page


@pytest.fixture(scope="session")
def api(
    app_env: dict[str, str], base_url: str, admin_ready: tuple[str, str]
) -> Iterator[httpx.Client]:
    """The REST API as the admin, with an API key made by the CLI (to set up what a test
    then looks at in the browser)."""
    made = subprocess.run(
        [str(appserver.BIN / "flowdeck"), "create-api-key", "--email", admin_ready[0]]
        + ["--name", "e2e"],
        env=app_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    key = made.stdout.strip().split()[-1]
    with httpx.Client(
        base_url=f"{base_url}/api/workflow-orchestration",
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
    ) as client:
        yield client


@pytest.fixture(scope="session")
def every_page_ids(api: httpx.Client) -> dict[str, str]:
    """One of each object a detail page shows (see tests/e2e/every_page.py)."""
    from tests.e2e import every_page  # imports every page module: only for the tests using it

    return every_page.seed(api)
