"""The command palette and the page-wide keys, driven with the keyboard in a real browser:
Ctrl+K from any admin page, a workflow by name, a run by number and by its error text,
running a workflow, pages by role; `?` lists the shortcuts (the designer's canvas keys on the
designer), `/` focuses the page's search, Ctrl+S saves the workflow form."""

from __future__ import annotations

import re
import subprocess
import uuid
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Page, expect

from bench import appserver
from tests.e2e.conftest import ROOT

SHOTS = Path("/tmp/flowdeck-shots")


def _workflow(api: httpx.Client, name: str, actions: list[dict]) -> int:
    made = api.post("/workflows", json={"name": name, "trigger": {"type": "manual"},
                                         "actions": actions})  # fmt: skip
    assert made.status_code == 201, made.text
    return made.json()["id"]


OK = [{"id": "ok", "type": "transform", "config": {"values": {"a": 1}}}]


def _run(api: httpx.Client, workflow_id: int) -> dict:
    ran = api.post(f"/workflows/{workflow_id}/execute", params={"wait": "true", "timeout": 30},
                   json={"payload": {}})  # fmt: skip
    assert ran.status_code in (200, 202), ran.text
    return ran.json()


def _palette(page: Page):
    page.keyboard.press("Control+K")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    box = dialog.get_by_role("combobox", name="Search workflows, runs, pages and actions")
    expect(box).to_be_focused()
    return dialog, box


def test_palette_jumps_to_a_workflow_a_run_by_number_and_by_error(
    admin_page: Page, api: httpx.Client
) -> None:
    page = admin_page
    tag = uuid.uuid4().hex[:6]
    ok = _workflow(api, f"Palette target {tag}", OK)
    bad = _workflow(api, f"Palette broken {tag}", [{"id": "boom", "type": "transform",
                    "config": {"values": {"b": f"{{{{ trigger.marker_{tag} }}}}"}}}])  # fmt: skip
    failed = _run(api, bad)
    assert failed["status"] == "failed" and f"marker_{tag}" in failed["error"]

    page.goto("/admin/executions")  # any admin page
    expect(page.get_by_test_id("user-email")).to_be_visible(timeout=20_000)  # under load
    dialog, box = _palette(page)
    listbox = dialog.get_by_role("listbox")
    assert box.get_attribute("aria-controls") == listbox.get_attribute("id")
    box.fill(f"palette target {tag}")
    target = dialog.get_by_role("option", name=re.compile(f"^Palette target {tag}"))
    expect(target).to_be_visible()
    expect(
        dialog.get_by_role("option", name=re.compile(f"^Run Palette target {tag}"))
    ).to_be_visible()
    expect(dialog.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "palette-light.png"))
    page.keyboard.press("Enter")  # the first, active row: the workflow
    expect(page).to_have_url(re.compile(rf"/admin/workflows/{ok}/?$"))
    expect(dialog).to_have_count(0)

    dialog, box = _palette(page)
    box.fill(f"#{failed['id']}")
    expect(dialog.get_by_role("option", name=re.compile(f"^#{failed['id']} ·"))).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/admin/executions/{failed['id']}/?$"))
    expect(dialog).to_have_count(0)  # closed: Ctrl+K now opens a new, empty palette

    dialog, box = _palette(page)
    box.fill(f"marker_{tag}")  # words from the run's error
    found = dialog.get_by_role("option", name=re.compile(f"^#{failed['id']} · Palette broken"))
    expect(found).to_be_visible()
    expect(found).to_contain_text(f"marker_{tag}")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)


def test_palette_runs_a_workflow_with_arrow_keys_and_enter(
    admin_page: Page, api: httpx.Client
) -> None:
    page = admin_page
    tag = uuid.uuid4().hex[:6]
    ok = _workflow(api, f"Palette runner {tag}", OK)
    dialog, box = _palette(page)
    box.fill(f"Palette runner {tag}")
    options = dialog.get_by_role("option")
    expect(options.nth(1)).to_contain_text(f"Run Palette runner {tag}")
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(options.nth(0)).to_have_attribute("aria-selected", "false")
    active = box.get_attribute("aria-activedescendant")
    assert active and options.nth(1).get_attribute("id") == active
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/executions/\d+/?$"))
    assert len(api.get("/executions", params={"workflow_id": ok}).json()["items"]) == 1


def test_question_mark_lists_the_shortcuts_and_slash_focuses_the_search(
    admin_page: Page, api: httpx.Client
) -> None:
    page = admin_page
    page.goto("/admin/workflows")
    search = page.get_by_test_id("workflow-search")
    expect(search).to_be_visible()
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("/")
    expect(search).to_be_focused()
    page.keyboard.type("?")  # typed into the field: a question mark, no dialog
    expect(search).to_have_value("?")
    expect(page.get_by_test_id("shortcuts-dialog")).to_have_count(0)
    search.fill("")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("?")
    dialog = page.get_by_test_id("shortcuts-dialog")
    expect(dialog).to_be_visible()
    for keys in ("Ctrl/⌘ + K", "Ctrl/⌘ + S", "/", "↑ / ↓"):
        expect(dialog.get_by_text(keys, exact=True)).to_be_visible()
    expect(dialog.get_by_text("Ctrl/⌘ + Z", exact=True)).to_have_count(0)  # designer only
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)

    made = _workflow(api, f"Shortcut designer {uuid.uuid4().hex[:6]}", OK)
    page.goto(f"/admin/workflows/{made}/designer")
    expect(page.locator('.react-flow__node[data-id="ok"]')).to_be_visible()
    page.locator(".react-flow__pane").click()
    page.keyboard.press("?")
    expect(dialog).to_be_visible()
    for keys in ("Ctrl/⌘ + K", "Ctrl/⌘ + Z"):  # one list: the page's keys and the canvas's
        expect(dialog.get_by_text(keys, exact=True)).to_be_visible()
    page.keyboard.press("Escape")


def test_ctrl_s_saves_the_workflow_form(admin_page: Page, api: httpx.Client) -> None:
    page = admin_page
    made = _workflow(api, f"Ctrl S {uuid.uuid4().hex[:6]}", OK)
    page.goto(f"/admin/workflows/{made}/edit")
    name = page.get_by_label("Name")
    expect(name).not_to_have_value("")
    renamed = f"Saved with the keyboard {uuid.uuid4().hex[:6]}"
    name.fill(renamed)
    name.press("Control+S")  # the focus still in the field
    expect(page).to_have_url(re.compile(rf"/admin/workflows/{made}/?$"))
    assert api.get(f"/workflows/{made}").json()["name"] == renamed


def test_a_member_is_not_offered_admin_only_pages(
    browser: Browser, base_url: str, app_env: dict[str, str], sign_in, admin_ready
) -> None:
    email, password = f"palette-{uuid.uuid4().hex[:6]}@example.com", "member-password-1"
    subprocess.run(
        [str(appserver.BIN / "flowdeck"), "create-user", "--email", email, "--role", "member"]
        + ["--password-stdin"],
        input=password + "\n", env=app_env, cwd=ROOT, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800},
                                  color_scheme="dark")  # fmt: skip
    page = context.new_page()
    sign_in(page, email, password)
    expect(page.get_by_test_id("user-role")).to_have_text("member")
    page.get_by_test_id("open-palette").click()  # the sidebar's button, for the mouse
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("option", name=re.compile("^Workflows"))).to_be_visible()
    expect(dialog.get_by_role("option", name=re.compile("^Data"))).to_have_count(0)
    page.screenshot(path=str(SHOTS / "palette-dark-member.png"))
    dialog.get_by_role("combobox").fill("data")
    expect(dialog.get_by_role("option", name=re.compile("^Data"))).to_have_count(0)
    context.close()
