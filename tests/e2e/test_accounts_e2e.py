"""What a person does first: set up the admin, sign in, manage users, sign out."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

MEMBER = ("member@example.com", "member-password-1")
VIEWER = ("viewer@example.com", "viewer-password-1")
GUESSED = ("guessed@example.com", "guessed-password-1")


def _sign_out(page: Page) -> None:
    """Sign out and wait for the sign-out's own page load (it clears the cookie first)."""
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/login/?$"))
    page.wait_for_load_state()
    expect(page.get_by_test_id("login-submit")).to_be_visible()


def _create_user(page: Page, email: str, password: str, role: str = "member") -> None:
    """On the Users page, as the admin."""
    page.get_by_test_id("new-user").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Email").fill(email)
    if role != "member":
        dialog.get_by_role("combobox").click()
        page.get_by_role("option", name=role).click()
    dialog.get_by_label("Password").fill(password)
    dialog.get_by_test_id("create-user-submit").click()
    expect(page.get_by_test_id("user-row").filter(has_text=email)).to_be_visible()


def test_admin_signs_in_creates_a_member_and_signs_out(
    page: Page, admin_ready: tuple[str, str], sign_in
) -> None:
    sign_in(page, *admin_ready)
    expect(page).to_have_url(re.compile(r"/admin/workflows/?$"))
    expect(page.get_by_test_id("user-email")).to_have_text(admin_ready[0])
    for section in ("Executions", "Alerts", "Versions", "Connections", "Audit", "Users"):
        expect(page.get_by_test_id(f"nav-{section.lower()}")).to_be_visible()
    page.get_by_test_id("nav-users").click()
    expect(page).to_have_url(re.compile(r"/admin/users/?$"))
    page.get_by_test_id("new-user").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Email").fill("not-an-email")
    dialog.get_by_label("Password").fill(MEMBER[1])
    dialog.get_by_test_id("create-user-submit").click()
    expect(dialog.get_by_test_id("error-email")).to_contain_text("valid email")
    dialog.get_by_label("Email").fill(MEMBER[0])
    dialog.get_by_test_id("create-user-submit").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_test_id("user-row").filter(has_text=MEMBER[0])).to_be_visible()
    _sign_out(page)
    page.goto("/admin/users")
    expect(page).to_have_url(re.compile(r"/login/?$"))


def test_wrong_password_shows_an_error(page: Page, admin_ready: tuple[str, str], sign_in) -> None:
    sign_in(page, admin_ready[0], "not-the-password")
    expect(page.get_by_test_id("form-error")).to_contain_text(
        re.compile("email or password is wrong", re.I)
    )
    expect(page).to_have_url(re.compile(r"/login/?$"))


def test_viewer_is_sent_away_from_admin(page: Page, admin_ready: tuple[str, str], sign_in) -> None:
    sign_in(page, *admin_ready)
    page.get_by_test_id("nav-users").click()
    page.get_by_test_id("new-user").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Email").fill(VIEWER[0])
    dialog.get_by_role("combobox").click()
    page.get_by_role("option", name="viewer").click()
    dialog.get_by_label("Password").fill(VIEWER[1])
    dialog.get_by_test_id("create-user-submit").click()
    expect(page.get_by_test_id("user-row").filter(has_text=VIEWER[0])).to_be_visible()
    _sign_out(page)
    sign_in(page, *VIEWER)
    expect(page).to_have_url(re.compile(r"/status/?$"))
    expect(page.get_by_test_id("system-status")).to_be_visible()
    page.goto("/admin/workflows")
    expect(page).to_have_url(re.compile(r"/status/?$"))


def test_the_session_cookie_is_httponly_and_strict(
    page: Page, admin_ready: tuple[str, str], sign_in
) -> None:
    sign_in(page, *admin_ready)
    expect(page).to_have_url(re.compile(r"/admin/workflows/?$"))
    expect(page.get_by_test_id("user-email")).to_have_text(admin_ready[0])
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["flowdeck_session"]
    assert session["value"].startswith("fds_")
    assert session["httpOnly"] is True and session["sameSite"] == "Strict"
    assert session["path"] == "/"
    assert cookies["flowdeck_device"]["httpOnly"] is True
    script_sees = page.evaluate("document.cookie")
    assert session["value"] not in script_sees and "flowdeck_session" not in script_sees
    # The signed-in pages work from the cookie alone: a reload stays signed in.
    page.reload()
    expect(page.get_by_test_id("user-email")).to_have_text(admin_ready[0])
    _sign_out(page)
    assert "flowdeck_session" not in {c["name"] for c in page.context.cookies()}


def test_too_many_wrong_passwords_show_the_wait(
    page: Page, admin_ready: tuple[str, str], sign_in
) -> None:
    sign_in(page, *admin_ready)
    page.get_by_test_id("nav-users").click()
    _create_user(page, *GUESSED)
    _sign_out(page)
    error = page.get_by_test_id("form-error")
    page.get_by_label("Email").fill(GUESSED[0])
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_test_id("login-submit").click()
    expect(error).to_contain_text(re.compile("email or password is wrong", re.I))
    # Each answer shows the same text, so wait up to 1 s for the back-off message after each
    # click: the waits double (2 s, 4 s ...) until one outlasts that second.
    for _ in range(8):
        page.get_by_test_id("login-submit").click()
        try:
            expect(error).to_contain_text("Too many attempts", timeout=1_000)
            break
        except AssertionError:
            continue
    expect(error).to_contain_text(re.compile(r"Too many attempts; try again in \d+ s"))
    page.get_by_label("Password").fill(GUESSED[1])  # even the right password waits
    page.get_by_test_id("login-submit").click()
    expect(error).to_contain_text("Too many attempts")
    expect(page).to_have_url(re.compile(r"/login/?$"))
